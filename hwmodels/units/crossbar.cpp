// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/crossbar.h"

#include "hwmodels/units/accumulate.h"

namespace granita::hw {

using energy::Event;

int64_t spike_events(const int64_t *counts, int n, bool rate, int offset) {
  int64_t s = 0;
  if (!rate) {
    for (int i = 0; i < n; ++i)
      s += __builtin_popcountll(uint64_t(counts[i]));
    return s;
  }
  for (int i = 0; i < n; ++i)
    s += counts[i] >= offset ? counts[i] - offset : offset - counts[i];
  return s;
}

int64_t xbar_job(const UnitParams &p, int64_t row_events, int cols, bool offset_pass,
                 energy::EnergyCounters &ev) {
  // Every spike (or set plane bit) activates its word line; the accumulate unit adds the row's
  // `cols` ±1 synapses into the partial sums, `lanes` per cycle (a negative spike of signed_rate
  // coding inverts the weight bits before the adders: the same add). One more pass adds the
  // input offset correction (−o · Σ w, precomputed per column); signed spikes already add
  // w · (c − o), so they skip it.
  ev.add(Event::CrossbarRowRead, uint64_t(row_events));
  ev.add(Event::AccumulateSynop, uint64_t(row_events * cols));
  const int64_t per_row = ceil_div(cols, p.accumulate_lanes);
  int64_t cycles = row_events * per_row + plane_passes(p, cols, ev);
  if (offset_pass) {
    ev.add(Event::AccumulateAdd, uint64_t(cols));
    cycles += per_row;
  }
  return cycles;
}

} // namespace granita::hw
