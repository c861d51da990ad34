// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace granita::config {
struct HwConfig;
}

namespace granita::energy {

/// The hardware widths and sizes that prices and areas depend on: a copy of the fields of the
/// hardware config (src/config/hw_params.cpp) that the energy tables' scaling rules and the area
/// model read (docs/energy.md §2.1 and §5). Contract: plain data; every field is positive once
/// built from a checked HwConfig or a checked report.
struct ChipShape {
  int mesh_x = 8, mesh_y = 8;
  int clock_mhz = 500;
  int crossbar_rows = 256, crossbar_cols = 256, crossbars_per_core = 4;
  int accumulate_lanes = 64;
  int neuron_updates_per_cycle = 16;
  int ptsoftmax_elements_per_cycle = 8;
  int bspn_elements_per_cycle = 8;
  int scratch_sram_kib = 64;
  int router_buffer_depth_flits = 4;
  int router_virtual_channels = 2;
  int flit_bits = 64;

  int cores() const { return mesh_x * mesh_y; }
  bool operator==(const ChipShape &o) const;
  bool operator!=(const ChipShape &o) const { return !(*this == o); }

  /// The run report's "chip" object (docs/report-format.md).
  nlohmann::json to_json() const;
  /// Reads to_json()'s object; InputError naming `file` and `chip.<key>` for a missing or
  /// non-positive field.
  static ChipShape from_json(const nlohmann::json &j, const std::string &file);
};

/// The shape of a (checked) hardware config.
ChipShape chip_shape(const config::HwConfig &hw);

} // namespace granita::energy
