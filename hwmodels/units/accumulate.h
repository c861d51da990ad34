// SPDX-License-Identifier: Apache-2.0
#pragma once

// The accumulate unit: `accumulate_lanes` adders (with shifters) that sum partial sums, attention
// scores (Q·Kᵀ), P·V rows, residuals and the int8 classifier; the crossbar's synaptic adds run on
// its lanes too (crossbar.h).

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"

namespace granita::hw {

/// Bit-serial coding adds one shift-and-add pass per plane over `width` accumulators (0 cycles
/// and no events under rate coding).
int64_t plane_passes(const UnitParams &p, int64_t width, energy::EnergyCounters &ev);

/// Sums `row_blocks` partial-sum slices of `width` values (the tiles of one matrix).
int64_t reduce_job(const UnitParams &p, int row_blocks, int width, energy::EnergyCounters &ev);
/// One query row against the `n` stored keys, `q_events` query spikes.
int64_t qk_job(const UnitParams &p, int64_t q_events, int n, energy::EnergyCounters &ev);
/// One probability row (`p_events` spikes over `n` keys) times the stored V (`dh` wide).
int64_t pv_job(const UnitParams &p, int64_t p_events, int n, int dh, energy::EnergyCounters &ev);
/// Two aligned operands of `width` values added.
int64_t residual_job(const UnitParams &p, int width, energy::EnergyCounters &ev);
/// An int8-weight layer of `outs` outputs driven by `in_events` input spikes.
int64_t int_linear_job(const UnitParams &p, int64_t in_events, int outs,
                       energy::EnergyCounters &ev);

} // namespace granita::hw
