// SPDX-License-Identifier: Apache-2.0
#pragma once

// The BSPN unit: Sorbet's bit-shift power normalisation (group power sums, then shifts by the
// group scale and gamma, the beta add and a power-of-two snap), `bspn_elements_per_cycle` wide
// with a pipeline latency.

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"

namespace granita::hw {

/// One row of `width` values normalised.
int64_t bspn_job(const UnitParams &p, int width, energy::EnergyCounters &ev);

} // namespace granita::hw
