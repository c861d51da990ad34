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
/// model read (docs/energy.md §2.1 and §5), and the tick that sets a run's wall time (§2.2).
/// Contract: plain data; every field except tick_hz is positive once built from a checked
/// HwConfig or a checked report, and tick_hz is 0 (no tick) or positive.
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
  /// The real-time tick (hardware config `tick_hz`), 0 for a chip without one. Optional: the
  /// report's `chip` object has it only when set, so reports of other chips are as before.
  int tick_hz = 0;

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
