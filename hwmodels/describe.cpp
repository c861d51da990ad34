// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/describe.h"

#include "hwmodels/core/core.h"
#include "hwmodels/router/spike_router.h"
#include "src/config/hw_params.h"

namespace granita::hw {

/// The parameters of one block, from the config's parameter table (src/config/hw_params.cpp).
std::vector<ParamInfo> params_of(const std::string &block) {
  std::vector<ParamInfo> out;
  for (const config::HwParam &p : config::hw_params())
    if (block == p.block)
      out.push_back({p.key, config::hw_param_type(p), p.unit,
                     p.fallback ? p.fallback : "required", p.doc});
  return out;
}

std::vector<UnitDescription> Core::describe() {
  const std::string clk = "(no clock port: processes are scheduled on cycle boundaries)";
  return {
      {"crossbar", "R x C array of 1-bit synapses; one word line per input spike / plane bit",
       params_of("crossbar"),
       {"in: spike plane of the tile's rows (from the network interface)",
        "out: partial sums of the tile's columns (to the accumulate unit)"},
       {"crossbar.row_read"}},
      {"accumulate", "adder array: synaptic accumulates, partial-sum reduction, residual adds, "
                     "dynamic spiking matmuls (K, V in scratch SRAM), the int8 classifier",
       params_of("accumulate"),
       {"in: crossbar rows, partial sums, stored operands", "out: values to the NI"},
       {"accumulate.synop", "accumulate.add", "accumulate.shift"}},
      {"neuron", "integrate-and-fire neurons: add bias, shift, threshold to k-bit counts, emit",
       params_of("neuron"),
       {"in: membrane values", "out: spike counts to the NI"},
       {"neuron.update", "neuron.spike"}},
      {"ptsoftmax", "power-of-two softmax: max, 2^(s-max) by shifts, sum, normalise by shift",
       params_of("ptsoftmax"),
       {"in: a score row", "out: probability spike counts"},
       {"ptsoftmax.compare", "ptsoftmax.shift", "ptsoftmax.add", "neuron.spike"}},
      {"bspn", "bit-shifting power normalisation: group power sums, scale by shifts, snap to "
               "powers of two",
       params_of("bspn"),
       {"in: hidden values", "out: normalised hidden values"},
       {"bspn.add", "bspn.shift", "bspn.compare"}},
      {"sram", "scratch SRAM: K/V operands, held residual operands, score rows, partial sums, "
               "classifier weights",
       params_of("sram"),
       {"read/write ports of the units above"},
       {"sram.read_bit", "sram.write_bit"}},
      {"core", "a neuromorphic core: the units above behind a network interface " + clk,
       {},
       {"to_router: flits into the router's Local input", "from_router: flits from its Local "
                                                          "output"},
       {"core.leak_cycle"}},
  };
}

std::vector<UnitDescription> describe_units() {
  std::vector<UnitDescription> all;
  all.push_back({"chip", "the mesh of cores, its clock, spike encoding and energy table",
                 params_of("chip"),
                 {},
                 {"core.leak_cycle"}});
  all.push_back({"router",
                 "5-port mesh spike router: input-buffered wormhole, VCs, credits, round-robin",
                 params_of("router"),
                 {"in[local,north,east,south,west]: flits from links",
                  "out[local,north,east,south,west]: flits to links"},
                 SpikeRouter::energy_events()});
  for (auto &u : Core::describe())
    all.push_back(u);
  all.push_back({"compiler", "choices of `granita compile` (not hardware: the chip is the same)",
                 params_of("compiler"),
                 {},
                 {}});
  all.push_back({"host", "host interface west of router (0,0): embeds tokens, collects logits",
                 {},
                 {"to_router: flits into router (0,0) West, router.flit_bits per cycle",
                  "from_router: logits"},
                 {}});
  return all;
}

} // namespace granita::hw
