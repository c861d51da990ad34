// SPDX-License-Identifier: Apache-2.0
#pragma once

// Design-space sweep specs (docs/sweeps.md): a YAML file naming a base chip, a model and axes of
// hardware-config values, expanded into a deterministic list of points.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace granita::sweep {

constexpr int kSweepSpecVersion = 1;
/// Most points a spec may expand to (a typo in a list should not queue a million runs).
constexpr size_t kMaxSweepPoints = 100000;

enum class SweepMode { grid, zip, random };

/// One axis: a hardware-config key path, or the special keys `model`, `task` and `energy_table`.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
  int line = 0; // where the axis is written, for messages
};

/// A parsed sweep spec. Plain data; paths are kept as written.
struct SweepSpec {
  std::string file;
  std::string name;
  std::vector<std::string> models; // one entry, or several (then `model` is also an axis)
  std::string hw;
  std::string task; // empty when `task` is an axis
  bool all_sentences = false;
  int64_t sentence_count = 0;
  uint64_t sentence_seed = 1;
  std::vector<SweepAxis> axes; // in file order; the first axis varies slowest in a grid
  /// Grid dimensions: each is a group of axes (indices into `axes`) whose values move together.
  /// One axis per dimension unless `zip:` groups some; mode zip is one dimension of all axes.
  std::vector<std::vector<size_t>> dims;
  SweepMode mode = SweepMode::grid;
  int64_t samples = 0; // random mode
  uint64_t seed = 1;   // random mode
  std::vector<std::string> metrics;
};

/// One configuration to simulate: the value of every axis plus the fixed inputs.
struct SweepPoint {
  size_t index = 0;
  std::string model;
  std::string task;                                         // GLUE task (canonical name)
  std::string energy_table;                                 // empty: the config's own
  std::vector<std::pair<std::string, std::string>> values;  // axis key -> value, axis order
  std::vector<std::string> hw_params;                       // "key.path=value" for -p
  std::string hash;                                         // sha256 of canonical_text()
  std::string canonical_text;                               // sorted "key=value\n" lines
};

/// The metric groups a spec may ask to record (`metrics:`); all of them by default.
const std::vector<std::string> &sweep_metric_names();

/// Parses and checks a sweep spec; every error is an InputError with file:line:col and key.
SweepSpec parse_sweep_spec(const std::string &text, const std::string &file);
SweepSpec load_sweep_spec(const std::filesystem::path &path);

/// Number of grid points of `spec`, saturated at max + 1 so that huge products cannot overflow.
uint64_t sweep_grid_size(const SweepSpec &spec, uint64_t max);

/// Expands a spec into points in a deterministic order (grid: nested loops over `dims`, first
/// slowest; zip: i-th values together; random: `samples` distinct grid points chosen with
/// `seed`, in grid order).
std::vector<SweepPoint> expand_sweep(const SweepSpec &spec);

} // namespace granita::sweep
