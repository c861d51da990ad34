// SPDX-License-Identifier: Apache-2.0
#pragma once

// The binary crossbar: each input spike (or set bit of a bit-serial plane) activates its word
// line, and the row's ±1 synapses are added into the partial sums on the accumulate lanes.

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"

namespace granita::hw {

/// Spike events a count vector causes: Σ |c − offset| (rate: one per spike; `offset` is the
/// signed offset under signed_rate coding, 0 otherwise) or Σ popcount(c) (bit-serial: one per
/// set bit of a plane; `offset` must be 0).
int64_t spike_events(const int64_t *counts, int n, bool rate, int offset = 0);

/// One message through a crossbar tile of `cols` columns with `row_events` word-line
/// activations. `offset_pass`: the job runs the input offset correction pass (−o · Σ w; rate and
/// bit-serial coding run it for every input); false when the input's spikes carry their sign (a
/// signed site under signed_rate coding).
int64_t xbar_job(const UnitParams &p, int64_t row_events, int cols, bool offset_pass,
                 energy::EnergyCounters &ev);

} // namespace granita::hw
