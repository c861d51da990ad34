// SPDX-License-Identifier: Apache-2.0
#pragma once

// The neuron unit: `neuron_updates_per_cycle` integrate-and-fire lanes (shift, add the bias,
// clamp to the levels, emit the count as spikes); under the official numerics profile the same
// lanes do the fixed-point multiplies.

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"

namespace granita::hw {

/// `width` neurons fire, emitting `spikes_out` spikes in all.
int64_t fire_job(const UnitParams &p, int width, int64_t spikes_out, energy::EnergyCounters &ev);
/// Official numerics profile: `count` fixed-point multiplies (each with its half-to-even rounding:
/// round bit and sticky OR) on the neuron lanes, added to the job they rescale.
int64_t multiply_job(const UnitParams &p, int64_t count, energy::EnergyCounters &ev);
/// Official profile classifier: a dense layer of int32 weights over the pooler's integer values.
int64_t dense_linear_job(const UnitParams &p, int ins, int outs, energy::EnergyCounters &ev);

} // namespace granita::hw
