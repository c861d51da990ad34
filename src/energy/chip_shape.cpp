// SPDX-License-Identifier: Apache-2.0
#include "src/energy/chip_shape.h"

#include "src/config/hw_config.h"
#include "src/util/error.h"

#include <string>
#include <utility>
#include <vector>

namespace granita::energy {

namespace {

/// Every field with its JSON key, in one place so that to_json, from_json and == cannot drift.
std::vector<std::pair<const char *, int ChipShape::*>> fields() {
  return {{"mesh_x", &ChipShape::mesh_x},
          {"mesh_y", &ChipShape::mesh_y},
          {"clock_mhz", &ChipShape::clock_mhz},
          {"crossbar_rows", &ChipShape::crossbar_rows},
          {"crossbar_cols", &ChipShape::crossbar_cols},
          {"crossbars_per_core", &ChipShape::crossbars_per_core},
          {"accumulate_lanes", &ChipShape::accumulate_lanes},
          {"neuron_updates_per_cycle", &ChipShape::neuron_updates_per_cycle},
          {"ptsoftmax_elements_per_cycle", &ChipShape::ptsoftmax_elements_per_cycle},
          {"bspn_elements_per_cycle", &ChipShape::bspn_elements_per_cycle},
          {"scratch_sram_kib", &ChipShape::scratch_sram_kib},
          {"router_buffer_depth_flits", &ChipShape::router_buffer_depth_flits},
          {"router_virtual_channels", &ChipShape::router_virtual_channels},
          {"flit_bits", &ChipShape::flit_bits}};
}

} // namespace

bool ChipShape::operator==(const ChipShape &o) const {
  for (const auto &[key, member] : fields())
    if (this->*member != o.*member)
      return false;
  return tick_hz == o.tick_hz;
}

nlohmann::json ChipShape::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto &[key, member] : fields())
    j[key] = this->*member;
  if (tick_hz > 0)
    j["tick_hz"] = tick_hz;
  return j;
}

ChipShape ChipShape::from_json(const nlohmann::json &j, const std::string &file) {
  if (!j.is_object())
    throw InputError({file}, "chip", "expected an object of the chip's widths and sizes");
  ChipShape s;
  for (const auto &[key, member] : fields()) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() <= 0 ||
        it->get<int64_t>() > (int64_t(1) << 30))
      throw InputError({file}, std::string("chip.") + key,
                       it == j.end() ? "missing (every chip width and size is needed to price "
                                       "and size the run)"
                                     : "expected a positive integer");
    s.*member = it->get<int>();
  }
  if (const auto it = j.find("tick_hz"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0 ||
        it->get<int64_t>() > config::kMaxTickHz)
      throw InputError({file}, "chip.tick_hz",
                       "expected a tick rate in Hz (an integer in [1, " +
                           std::to_string(config::kMaxTickHz) +
                           "]), or no key for a chip without a real-time tick");
    s.tick_hz = it->get<int>();
  }
  return s;
}

ChipShape chip_shape(const config::HwConfig &hw) {
  ChipShape s;
  s.mesh_x = hw.mesh_x;
  s.mesh_y = hw.mesh_y;
  s.clock_mhz = hw.clock_mhz;
  s.crossbar_rows = hw.crossbar_rows;
  s.crossbar_cols = hw.crossbar_cols;
  s.crossbars_per_core = hw.crossbars_per_core;
  s.accumulate_lanes = hw.accumulate_lanes;
  s.neuron_updates_per_cycle = hw.neuron_updates_per_cycle;
  s.ptsoftmax_elements_per_cycle = hw.ptsoftmax_elements_per_cycle;
  s.bspn_elements_per_cycle = hw.bspn_elements_per_cycle;
  s.scratch_sram_kib = hw.scratch_sram_kib;
  s.router_buffer_depth_flits = hw.router_buffer_depth_flits;
  s.router_virtual_channels = hw.router_virtual_channels;
  s.flit_bits = hw.flit_bits;
  s.tick_hz = hw.tick_hz;
  return s;
}

} // namespace granita::energy
