// SPDX-License-Identifier: Apache-2.0
#include "src/energy/area_model.h"

#include "src/config/yaml_reader.h"

namespace granita::energy {

namespace {
constexpr double kUm2PerMm2 = 1e6;
constexpr int kRouterPorts = 5; // local + four mesh directions
} // namespace

double CoreArea::total_mm2() const {
  double sum = 0;
  for (const auto &[name, mm2] : parts())
    sum += mm2;
  return sum;
}

std::vector<std::pair<std::string, double>> CoreArea::parts() const {
  return {{"crossbar", crossbar_mm2}, {"sram", sram_mm2},
          {"router", router_mm2},     {"accumulate", accumulate_mm2},
          {"neuron", neuron_mm2},     {"ptsoftmax", ptsoftmax_mm2},
          {"bspn", bspn_mm2}};
}

AreaDensities parse_area_densities(config::YamlMap &area) {
  AreaDensities d;
  auto get = [&](const char *key) { return area.get_double(key, 1e-9, 1e9); };
  d.crossbar_um2_per_bit = get("crossbar_um2_per_bit");
  d.sram_um2_per_bit = get("sram_um2_per_bit");
  d.register_um2_per_bit = get("register_um2_per_bit");
  d.mux_um2_per_bit = get("mux_um2_per_bit");
  d.accumulate_lane_um2 = get("accumulate_lane_um2");
  d.neuron_lane_um2 = get("neuron_lane_um2");
  d.ptsoftmax_lane_um2 = get("ptsoftmax_lane_um2");
  d.bspn_lane_um2 = get("bspn_lane_um2");
  area.finish();
  return d;
}

CoreArea core_area(const AreaDensities &d, const ChipShape &s) {
  CoreArea a;
  const double cells = double(s.crossbar_rows) * s.crossbar_cols * s.crossbars_per_core;
  a.crossbar_mm2 = cells * d.crossbar_um2_per_bit / kUm2PerMm2;
  a.sram_mm2 = double(s.scratch_sram_kib) * 8192.0 * d.sram_um2_per_bit / kUm2PerMm2;
  const double buffer_bits =
      double(kRouterPorts) * s.router_virtual_channels * s.router_buffer_depth_flits * s.flit_bits;
  const double switch_bits = double(kRouterPorts) * kRouterPorts * s.flit_bits;
  a.router_mm2 =
      (buffer_bits * d.register_um2_per_bit + switch_bits * d.mux_um2_per_bit) / kUm2PerMm2;
  a.accumulate_mm2 = s.accumulate_lanes * d.accumulate_lane_um2 / kUm2PerMm2;
  a.neuron_mm2 = s.neuron_updates_per_cycle * d.neuron_lane_um2 / kUm2PerMm2;
  a.ptsoftmax_mm2 = s.ptsoftmax_elements_per_cycle * d.ptsoftmax_lane_um2 / kUm2PerMm2;
  a.bspn_mm2 = s.bspn_elements_per_cycle * d.bspn_lane_um2 / kUm2PerMm2;
  return a;
}

} // namespace granita::energy
