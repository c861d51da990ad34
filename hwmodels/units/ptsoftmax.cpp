// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/ptsoftmax.h"

#include "hwmodels/units/scratch_sram.h"

namespace granita::hw {

using energy::Event;

int64_t ptsoftmax_job(const UnitParams &p, int n, int64_t spikes_out, energy::EnergyCounters &ev) {
  // Pass 1 finds the row maximum; pass 2 forms 2^(s − max) by shifts, sums them and normalises
  // by a shift; the output counts leave as spikes. The row is staged in SRAM between passes.
  ev.add(Event::PtsoftmaxCompare, uint64_t(n));
  ev.add(Event::PtsoftmaxShift, uint64_t(2 * n));
  ev.add(Event::PtsoftmaxAdd, uint64_t(n));
  ev.add(Event::NeuronSpike, uint64_t(spikes_out));
  sram_write(ev, value_bits(n));
  sram_read(ev, value_bits(n));
  return 2 * ceil_div(n, p.ptsoftmax_elements_per_cycle) + p.ptsoftmax_latency_cycles;
}

} // namespace granita::hw
