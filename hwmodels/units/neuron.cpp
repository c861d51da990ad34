// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/neuron.h"

#include "hwmodels/units/scratch_sram.h"

namespace granita::hw {

using energy::Event;

int64_t fire_job(const UnitParams &p, int width, int64_t spikes_out, energy::EnergyCounters &ev) {
  ev.add(Event::NeuronUpdate, uint64_t(width));
  ev.add(Event::NeuronSpike, uint64_t(spikes_out));
  return ceil_div(width, p.neuron_updates_per_cycle);
}

int64_t multiply_job(const UnitParams &p, int64_t count, energy::EnergyCounters &ev) {
  ev.add(Event::NeuronMultiply, uint64_t(count));
  return ceil_div(count, p.neuron_updates_per_cycle);
}

int64_t dense_linear_job(const UnitParams &p, int ins, int outs, energy::EnergyCounters &ev) {
  // Every input value multiplies its row of int32 weights (read from SRAM) into the outputs.
  ev.add(Event::NeuronMultiply, uint64_t(ins) * uint64_t(outs));
  ev.add(Event::AccumulateAdd, uint64_t(ins) * uint64_t(outs) + uint64_t(outs));
  sram_read(ev, uint64_t(ins) * uint64_t(outs) * 32);
  return int64_t(ins) * ceil_div(outs, p.neuron_updates_per_cycle) +
         ceil_div(outs, p.accumulate_lanes);
}

} // namespace granita::hw
