// SPDX-License-Identifier: Apache-2.0
#include "src/config/hw_params.h"

namespace granita::config {

const std::vector<HwParam> &hw_params() {
  using K = HwParam::Kind;
  static const std::vector<HwParam> kParams = {
      {"version", "chip", K::Int, kHwConfigVersion, kHwConfigVersion, "", "-",
       "format version; others are rejected"},
      {"name", "chip", K::String, 0, 0, "", "-", "name used in reports", nullptr, &HwConfig::name},
      {"clock_mhz", "chip", K::Int, 1, 100000, "", "MHz", "core and router clock",
       &HwConfig::clock_mhz},
      {"tick_hz", "chip", K::Int, 1, kMaxTickHz, "", "Hz",
       "real-time tick, one time step per tick: wall time = max((cycles + drain) / clock, "
       "ticks / tick_hz); absent: no tick, wall time = (cycles + drain) / clock",
       &HwConfig::tick_hz, nullptr, "none"},
      {"mesh.x", "chip", K::Int, 1, kMaxMeshSide, "", "cores", "mesh width", &HwConfig::mesh_x},
      {"mesh.y", "chip", K::Int, 1, kMaxMeshSide, "", "cores", "mesh height", &HwConfig::mesh_y},
      {"core.crossbar.rows", "crossbar", K::Int, 1, kMaxCrossbarSide, "", "cells",
       "word lines (inputs) per crossbar", &HwConfig::crossbar_rows},
      {"core.crossbar.cols", "crossbar", K::Int, 1, kMaxCrossbarSide, "", "cells",
       "bit lines (outputs) per crossbar", &HwConfig::crossbar_cols},
      {"core.crossbar.count", "crossbar", K::Int, 1, kMaxCrossbarsPerCore, "", "arrays",
       "crossbars per core", &HwConfig::crossbars_per_core},
      {"core.accumulate.lanes", "accumulate", K::Int, 1, 1 << 16, "", "adds/cycle",
       "accumulates per cycle", &HwConfig::accumulate_lanes},
      {"core.neuron.updates_per_cycle", "neuron", K::Int, 1, 1 << 16, "", "neurons/cycle",
       "neuron updates (and fixed-point multiplies) per cycle",
       &HwConfig::neuron_updates_per_cycle},
      {"core.ptsoftmax.elements_per_cycle", "ptsoftmax", K::Int, 1, 1 << 16, "", "elements/cycle",
       "throughput", &HwConfig::ptsoftmax_elements_per_cycle},
      {"core.ptsoftmax.latency_cycles", "ptsoftmax", K::Int, 0, 1 << 16, "", "cycles",
       "pipeline latency", &HwConfig::ptsoftmax_latency_cycles},
      {"core.bspn.elements_per_cycle", "bspn", K::Int, 1, 1 << 16, "", "elements/cycle",
       "throughput", &HwConfig::bspn_elements_per_cycle},
      {"core.bspn.latency_cycles", "bspn", K::Int, 0, 1 << 16, "", "cycles", "pipeline latency",
       &HwConfig::bspn_latency_cycles},
      {"core.scratch_sram_kib", "sram", K::Int, 1, kMaxScratchKib, "", "KiB",
       "scratch SRAM per core (K, V, held operands, partial sums)", &HwConfig::scratch_sram_kib},
      {"router.buffer_depth_flits", "router", K::Int, 1, 1024, "", "flits",
       "input buffer depth per virtual channel", &HwConfig::router_buffer_depth_flits},
      {"router.virtual_channels", "router", K::Int, 1, 16, "", "VCs", "virtual channels per port",
       &HwConfig::router_virtual_channels},
      {"router.routing", "router", K::Enum, 0, 0, "xy|yx|west_first", "-",
       "routing algorithm (west_first: minimal adaptive)", nullptr, &HwConfig::routing},
      {"router.hop_latency_cycles", "router", K::Int, 1, 64, "", "cycles",
       "router pipeline + link traversal per hop", &HwConfig::hop_latency_cycles},
      {"router.flit_bits", "router", K::Int, 8, 1024, "", "bits", "flit (and link) width",
       &HwConfig::flit_bits},
      {"encoding", "chip", K::Enum, 0, 0, "rate|bitserial|signed_rate", "-",
       "spikes over T time steps, k bit planes, or T steps with signed sites sent as "
       "abs(level - offset) spikes plus a sign line",
       nullptr, &HwConfig::encoding},
      {"energy_table", "chip", K::String, 0, 0, "", "-",
       "pJ table: a name in configs/energy/ or a path", nullptr, &HwConfig::energy_table},
      {"compiler.placement", "compiler", K::Enum, 0, 0, "greedy|metis", "-",
       "placement algorithm of `granita compile` (docs/placement.md)", nullptr,
       &HwConfig::placement, "metis"},
  };
  return kParams;
}

std::string hw_param_type(const HwParam &p) {
  switch (p.kind) {
  case HwParam::Kind::Int: {
    const std::string range = p.lo == p.hi
                                  ? std::to_string(p.lo)
                                  : "int " + std::to_string(p.lo) + ".." + std::to_string(p.hi);
    return p.fallback ? range + " (default " + p.fallback + ")" : range;
  }
  case HwParam::Kind::Enum: {
    std::string s;
    for (const char *c = p.choices; *c; ++c)
      s += *c == '|' ? std::string(" | ") : std::string(1, *c);
    return p.fallback ? s + " (default " + p.fallback + ")" : s;
  }
  case HwParam::Kind::String:
    return "string";
  }
  return "?";
}

std::string hw_params_markdown() {
  std::string s = "| key path | type, range | unit | block | meaning |\n|---|---|---|---|---|\n";
  for (const HwParam &p : hw_params()) {
    std::string type; // a '|' would end the Markdown cell
    for (char c : hw_param_type(p))
      type += c == '|' ? std::string("\\|") : std::string(1, c);
    s += std::string("| `") + p.key + "` | " + type + " | " + p.unit + " | " + p.block + " | " +
         p.doc + " |\n";
  }
  return s;
}

} // namespace granita::config
