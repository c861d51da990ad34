// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/util/error.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace granita::config {

constexpr int kHwConfigVersion = 1;

// Upper bounds of the sizes a config may ask for. They keep a typo (an extra digit) from making
// the simulator allocate per-core state for millions of cores or gigabit crossbars.
constexpr int kMaxMeshSide = 256;          // mesh.x, mesh.y: at most 65536 cores
constexpr int kMaxCrossbarSide = 4096;     // core.crossbar.rows, .cols
constexpr int kMaxCrossbarsPerCore = 1024; // core.crossbar.count
constexpr int kMaxScratchKib = 1 << 16;    // core.scratch_sram_kib: 64 MiB per core
constexpr int kMaxTickHz = 1000000;        // tick_hz: a 1 us tick

/// A neuromorphic chip configuration (docs/hw-config.md). Plain data, read once.
struct HwConfig {
  std::string name;
  int clock_mhz = 500;
  int tick_hz = 0; // real-time tick (one time step per tick); 0: none, the chip runs on its clock
  int mesh_x = 8, mesh_y = 8;
  int crossbar_rows = 256, crossbar_cols = 256, crossbars_per_core = 4;
  int accumulate_lanes = 64;
  int neuron_updates_per_cycle = 16;
  int ptsoftmax_elements_per_cycle = 8, ptsoftmax_latency_cycles = 4;
  int bspn_elements_per_cycle = 8, bspn_latency_cycles = 4;
  int scratch_sram_kib = 64;
  int router_buffer_depth_flits = 4;
  int router_virtual_channels = 2;
  std::string routing = "xy";
  int hop_latency_cycles = 2;
  int flit_bits = 64;
  std::string encoding = "rate";
  std::string energy_table = "45nm-horowitz";
  SourceLocation energy_table_at; // where energy_table is written (or the -p override naming it)
  std::string placement = "metis"; // compiler.placement: greedy | metis (docs/placement.md)

  int cores() const { return mesh_x * mesh_y; }
};

/// Loads a hardware config; `overrides` are "key.path=value" strings (the CLI's -p) applied
/// before validation. Unknown keys or key paths, wrong types and out-of-range values throw
/// InputError with file:line:col (or the override) and the key path, with a did-you-mean hint.
/// Where hardware config `name_or_path` lives: the path itself if it contains '/' or ends in
/// ".yaml", otherwise `configs_dir`/hw/<name>.yaml (a shipped preset such as "default"); an
/// unknown preset name is an InputError listing the presets with a did-you-mean hint.
std::filesystem::path resolve_hw_config(const std::string &name_or_path,
                                        const std::filesystem::path &configs_dir);

HwConfig load_hw_config(const std::filesystem::path &path,
                        const std::vector<std::string> &overrides = {});

/// The same from YAML text in memory; `file` names it in messages.
HwConfig parse_hw_config(const std::string &text, const std::string &file,
                         const std::vector<std::string> &overrides = {});

/// Every valid key path of a hardware config, e.g. "core.crossbar.rows".
const std::vector<std::string> &hw_config_key_paths();

} // namespace granita::config
