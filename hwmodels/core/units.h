// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/event_registry.h"

#include <cstdint>
#include <vector>

/// Timing and energy events of the core's compute units (docs/chip.md §units). Each function
/// returns the cycles one job occupies its unit and adds the job's events to `ev`. The values
/// themselves come from the reference kernels (src/ref), never from here.
namespace granita::hw {

/// Core unit parameters, from the hardware config.
struct UnitParams {
  int accumulate_lanes = 64;
  int neuron_updates_per_cycle = 16;
  int ptsoftmax_elements_per_cycle = 8, ptsoftmax_latency_cycles = 4;
  int bspn_elements_per_cycle = 8, bspn_latency_cycles = 4;
  bool rate = true;           // spike encoding: time steps (rate, signed_rate) or bit planes
  bool signed_spikes = false; // signed_rate: signed sites send |c - offset| spikes + a sign
  int bits = 4;               // count bits (bit-serial planes)
};

/// Spike events a count vector causes: Σ |c − offset| (rate: one per spike; `offset` is the
/// signed offset under signed_rate coding, 0 otherwise) or Σ popcount(c) (bit-serial: one per
/// set bit of a plane; `offset` must be 0).
int64_t spike_events(const int64_t *counts, int n, bool rate, int offset = 0);

/// `offset_pass`: the job runs the input offset correction pass (−o · Σ w; rate and bit-serial
/// coding run it for every input); false when the input's spikes carry their sign (a signed
/// site under signed_rate coding).
int64_t xbar_job(const UnitParams &p, int64_t row_events, int cols, bool offset_pass,
                 energy::EnergyCounters &ev);
int64_t reduce_job(const UnitParams &p, int row_blocks, int width, energy::EnergyCounters &ev);
int64_t fire_job(const UnitParams &p, int width, int64_t spikes_out, energy::EnergyCounters &ev);
int64_t bspn_job(const UnitParams &p, int width, energy::EnergyCounters &ev);
int64_t ptsoftmax_job(const UnitParams &p, int n, int64_t spikes_out, energy::EnergyCounters &ev);
int64_t qk_job(const UnitParams &p, int64_t q_events, int n, energy::EnergyCounters &ev);
int64_t pv_job(const UnitParams &p, int64_t p_events, int n, int dh, energy::EnergyCounters &ev);
int64_t residual_job(const UnitParams &p, int width, energy::EnergyCounters &ev);
/// Official numerics profile: `count` fixed-point multiplies (each with its half-to-even rounding:
/// round bit and sticky OR) on the neuron lanes, added to the job they rescale.
int64_t multiply_job(const UnitParams &p, int64_t count, energy::EnergyCounters &ev);
/// Official profile classifier: a dense layer of int32 weights over the pooler's integer values.
int64_t dense_linear_job(const UnitParams &p, int ins, int outs, energy::EnergyCounters &ev);
int64_t int_linear_job(const UnitParams &p, int64_t in_events, int outs,
                       energy::EnergyCounters &ev);

} // namespace granita::hw
