// SPDX-License-Identifier: Apache-2.0
#pragma once

// The PTsoftmax unit: a row maximum by compares, then 2^(s − max) by shifts, their sum and a
// normalising shift (Sorbet's power-of-two softmax), `ptsoftmax_elements_per_cycle` wide with a
// pipeline latency.

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"

namespace granita::hw {

/// One score row of `n` keys, emitting `spikes_out` probability spikes.
int64_t ptsoftmax_job(const UnitParams &p, int n, int64_t spikes_out, energy::EnergyCounters &ev);

} // namespace granita::hw
