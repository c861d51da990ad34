// SPDX-License-Identifier: Apache-2.0
#pragma once

// The core's compute units as formulas (docs/chip.md §units): one file per unit, each owning the
// cycles one job occupies it and the energy events it causes. The SystemC core (hwmodels/core)
// charges them while it runs; the compiler's schedule pass takes its minimum cycles from the
// same functions (task_cycles.h). No SystemC here: this library sits below both. The values a job
// computes come from the reference kernels (src/ref), never from here.

#include "src/config/hw_config.h"

#include <cstdint>

namespace granita::hw {

/// Core unit parameters, from the hardware config and the mapping's encoding.
struct UnitParams {
  int accumulate_lanes = 64;
  int neuron_updates_per_cycle = 16;
  int ptsoftmax_elements_per_cycle = 8, ptsoftmax_latency_cycles = 4;
  int bspn_elements_per_cycle = 8, bspn_latency_cycles = 4;
  bool rate = true;           // spike encoding: time steps (rate, signed_rate) or bit planes
  bool signed_spikes = false; // signed_rate: signed sites send |c - offset| spikes + a sign
  int bits = 4;               // count bits (bit-serial planes)
};

/// The unit parameters of a chip: sizes from `hw`, coding from its encoding, `bits` per count.
UnitParams unit_params(const config::HwConfig &hw, int bits);

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace granita::hw
