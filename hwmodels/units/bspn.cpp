// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/bspn.h"

namespace granita::hw {

using energy::Event;

int64_t bspn_job(const UnitParams &p, int width, energy::EnergyCounters &ev) {
  // Pass 1 accumulates the group power sums; pass 2 shifts by the group scale and gamma, adds
  // beta and snaps each value to its power of two (one compare against the sqrt(2) constant).
  ev.add(Event::BspnAdd, uint64_t(2 * width));
  ev.add(Event::BspnShift, uint64_t(2 * width));
  ev.add(Event::BspnCompare, uint64_t(width));
  return 2 * ceil_div(width, p.bspn_elements_per_cycle) + p.bspn_latency_cycles;
}

} // namespace granita::hw
