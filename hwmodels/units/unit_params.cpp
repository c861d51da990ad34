// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/unit_params.h"

namespace granita::hw {

UnitParams unit_params(const config::HwConfig &hw, int bits) {
  UnitParams p;
  p.accumulate_lanes = hw.accumulate_lanes;
  p.neuron_updates_per_cycle = hw.neuron_updates_per_cycle;
  p.ptsoftmax_elements_per_cycle = hw.ptsoftmax_elements_per_cycle;
  p.ptsoftmax_latency_cycles = hw.ptsoftmax_latency_cycles;
  p.bspn_elements_per_cycle = hw.bspn_elements_per_cycle;
  p.bspn_latency_cycles = hw.bspn_latency_cycles;
  p.rate = hw.encoding != "bitserial";
  p.signed_spikes = hw.encoding == "signed_rate";
  p.bits = bits;
  return p;
}

} // namespace granita::hw
