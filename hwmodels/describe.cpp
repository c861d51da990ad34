// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/describe.h"

#include "hwmodels/core/core.h"
#include "hwmodels/router/spike_router.h"

namespace granita::hw {

std::vector<UnitDescription> Core::describe() {
  const std::string clk = "(no clock port: processes are scheduled on cycle boundaries)";
  return {
      {"crossbar", "R x C array of 1-bit synapses; one word line per input spike / plane bit",
       {{"core.crossbar.rows", "int", "cells", "required", "word lines (inputs) per crossbar"},
        {"core.crossbar.cols", "int", "cells", "required", "bit lines (outputs) per crossbar"},
        {"core.crossbar.count", "int", "arrays", "required", "crossbars per core"}},
       {"in: spike plane of the tile's rows (from the network interface)",
        "out: partial sums of the tile's columns (to the accumulate unit)"},
       {"crossbar.row_read"}},
      {"accumulate", "adder array: synaptic accumulates, partial-sum reduction, residual adds, "
                     "dynamic spiking matmuls (K, V in scratch SRAM), the int8 classifier",
       {{"core.accumulate.lanes", "int", "adds/cycle", "required", "accumulates per cycle"}},
       {"in: crossbar rows, partial sums, stored operands", "out: values to the NI"},
       {"accumulate.synop", "accumulate.add", "accumulate.shift"}},
      {"neuron", "integrate-and-fire neurons: add bias, shift, threshold to k-bit counts, emit",
       {{"core.neuron.updates_per_cycle", "int", "neurons/cycle", "required",
         "neuron updates per cycle"}},
       {"in: membrane values", "out: spike counts to the NI"},
       {"neuron.update", "neuron.spike"}},
      {"ptsoftmax", "power-of-two softmax: max, 2^(s-max) by shifts, sum, normalise by shift",
       {{"core.ptsoftmax.elements_per_cycle", "int", "elements/cycle", "required", "throughput"},
        {"core.ptsoftmax.latency_cycles", "int", "cycles", "required", "pipeline latency"}},
       {"in: a score row", "out: probability spike counts"},
       {"ptsoftmax.compare", "ptsoftmax.shift", "ptsoftmax.add", "neuron.spike"}},
      {"bspn", "bit-shifting power normalisation: group power sums, scale by shifts, snap to "
               "powers of two",
       {{"core.bspn.elements_per_cycle", "int", "elements/cycle", "required", "throughput"},
        {"core.bspn.latency_cycles", "int", "cycles", "required", "pipeline latency"}},
       {"in: hidden values", "out: normalised hidden values"},
       {"bspn.add", "bspn.shift", "bspn.compare"}},
      {"sram", "scratch SRAM: K/V operands, held residual operands, score rows, partial sums, "
               "classifier weights",
       {{"core.scratch_sram_kib", "int", "KiB", "required", "capacity per core"}},
       {"read/write ports of the units above"},
       {"sram.read_bit", "sram.write_bit"}},
      {"core", "a neuromorphic core: the units above behind a network interface " + clk,
       {{"clock_mhz", "int", "MHz", "required", "clock frequency"}},
       {"to_router: flits into the router's Local input", "from_router: flits from its Local "
                                                          "output"},
       {"core.leak_cycle"}},
  };
}

std::vector<UnitDescription> describe_units() {
  std::vector<UnitDescription> all;
  all.push_back({"router",
                 "5-port mesh spike router: input-buffered wormhole, VCs, credits, round-robin",
                 SpikeRouter::param_info(),
                 {"in[local,north,east,south,west]: flits from links",
                  "out[local,north,east,south,west]: flits to links"},
                 SpikeRouter::energy_events()});
  for (auto &u : Core::describe())
    all.push_back(u);
  all.push_back({"host", "host interface west of router (0,0): embeds tokens, collects logits",
                 {{"router.flit_bits", "int", "bits", "required", "injection width per cycle"}},
                 {"to_router: flits into router (0,0) West", "from_router: logits"},
                 {}});
  return all;
}

} // namespace granita::hw
