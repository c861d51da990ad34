// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/chip_shape.h"

#include <string>
#include <utility>
#include <vector>

namespace granita::config {
class YamlMap;
}

namespace granita::energy {

/// Published area densities at an energy table's technology node (the table's `area:` section;
/// docs/energy.md §5). Contract: every field > 0 once parsed.
struct AreaDensities {
  double crossbar_um2_per_bit = 0; // one 1-bit synapse cell, array overhead included
  double sram_um2_per_bit = 0;     // one scratch SRAM bit, array overhead included
  double register_um2_per_bit = 0; // one flip-flop (router input buffers)
  double mux_um2_per_bit = 0;      // one bit of one switch crosspoint (router crossbar)
  double accumulate_lane_um2 = 0;  // one accumulate lane (adder + partial-sum register)
  double neuron_lane_um2 = 0;      // one neuron update per cycle (adds, shift, compares)
  double ptsoftmax_lane_um2 = 0;   // one PTsoftmax element per cycle (shift, add, compare)
  double bspn_lane_um2 = 0;        // one BSPN element per cycle (64-bit shift, add, compare)
};

/// Area of one core by block, in mm².
struct CoreArea {
  double crossbar_mm2 = 0, sram_mm2 = 0, router_mm2 = 0, accumulate_mm2 = 0, neuron_mm2 = 0,
         ptsoftmax_mm2 = 0, bspn_mm2 = 0;

  double total_mm2() const;
  /// (block, mm²) in a fixed order: crossbar, sram, router, accumulate, neuron, ptsoftmax, bspn.
  std::vector<std::pair<std::string, double>> parts() const;
};

/// Reads the `area:` section; InputError naming file:line:col and `area.<key>` otherwise.
AreaDensities parse_area_densities(config::YamlMap &area);

/// One core of chip `s`: crossbars rows × cols × count cells; scratch SRAM kib × 8192 bits;
/// router 5 ports × virtual channels × depth × flit bits of buffer registers plus a 5 × 5
/// crosspoint switch of flit-bit width; units lanes × per-lane area. Wires, clock tree, control
/// and the host interface are not counted (docs/energy.md §5).
CoreArea core_area(const AreaDensities &d, const ChipShape &s);

} // namespace granita::energy
