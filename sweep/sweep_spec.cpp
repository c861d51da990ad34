// SPDX-License-Identifier: Apache-2.0
// Sweep specs (docs/sweeps.md): the YAML read and checked into a SweepSpec; its points are
// expanded in sweep_points.cpp.
#include "sweep/sweep_spec.h"

#include "src/config/hw_config.h"
#include "src/config/yaml_reader.h"
#include "src/glue/glue_task.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace granita::sweep {

namespace {

using config::YamlMap;

std::string scalar_value(const YAML::Node &n, const YamlMap &ctx, const std::string &what) {
  if (!n.IsScalar())
    throw InputError(ctx.location(n), what, "expected a scalar value");
  const std::string v = n.Scalar();
  if (v.empty() || v.find_first_of("\n\r") != std::string::npos)
    throw InputError(ctx.location(n), what, "expected a non-empty one-line value");
  return v;
}

std::vector<std::string> scalar_list(const YAML::Node &n, const YamlMap &ctx,
                                     const std::string &what) {
  if (!n.IsSequence() || n.size() == 0)
    throw InputError(ctx.location(n), what, "expected a non-empty list of values");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string where = what + "[" + std::to_string(i) + "]";
    std::string v = scalar_value(n[i], ctx, where);
    if (!seen.insert(v).second)
      throw InputError(ctx.location(n[i]), where, "duplicate value '" + v + "'");
    out.push_back(std::move(v));
  }
  return out;
}

} // namespace

const std::vector<std::string> &sweep_metric_names() {
  static const std::vector<std::string> kNames = {
      "metrics", "cycles",   "latency", "energy", "energy_by_component", "energy_by_op",
      "power",   "cores",    "events"};
  return kNames;
}

SweepSpec parse_sweep_spec(const std::string &text, const std::string &file) {
  const YAML::Node root = config::load_yaml_document(text, file);
  if (!root.IsMap())
    throw InputError(SourceLocation{file, root.Mark().line + 1, root.Mark().column + 1}, "",
                     "expected a YAML mapping of key: value at the top level");
  YamlMap top(root, file, "");
  SweepSpec s;
  s.file = file;
  const int64_t version = top.get_int("version", 0, 1 << 30);
  if (version != kSweepSpecVersion)
    top.fail("version", "unsupported sweep spec version " + std::to_string(version) +
                            " (this Granita reads " + std::to_string(kSweepSpecVersion) + ")");
  s.name = top.get_string("name");
  if (s.name.empty() || s.name.find_first_of("/\n") != std::string::npos)
    top.fail("name", "expected a non-empty name without '/'");
  const YAML::Node model = top.get_node("model");
  s.models = model.IsSequence() ? scalar_list(model, top, "model")
                                : std::vector<std::string>{scalar_value(model, top, "model")};
  s.hw = top.get_string("hw");
  if (s.hw.empty())
    top.fail("hw", "expected the path of the base hardware config");

  const YAML::Node sent = top.get_node("sentences");
  if (sent.IsScalar() && sent.Scalar() == "all") {
    s.all_sentences = true;
  } else if (sent.IsMap()) {
    YamlMap sm(sent, file, "sentences");
    s.sentence_count = sm.get_int("count", 1, 10000000);
    s.sentence_seed = uint64_t(sm.get_int("seed", 0, std::numeric_limits<int64_t>::max(), 1));
    sm.finish();
  } else {
    throw InputError(top.location(sent), "sentences",
                     "expected 'all' or a mapping {count: N, seed: S}");
  }

  // Axes, in file order. `model` as a top-level list is the slowest axis.
  if (s.models.size() > 1)
    s.axes.push_back({"model", s.models, top.location(model).line});
  const YAML::Node axes = top.get_node("axes");
  if (!axes.IsMap())
    throw InputError(top.location(axes), "axes",
                     "expected a mapping from a hardware-config key path to a list of values");
  std::vector<std::string> valid = {"model", "task"};
  for (const std::string &k : config::hw_config_key_paths())
    if (k != "version" && k != "name")
      valid.push_back(k);
  std::set<std::string> seen;
  for (auto it = axes.begin(); it != axes.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    const SourceLocation loc = top.location(it->first);
    if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
      const std::string hint = config::closest_match(key, valid);
      throw InputError(loc, "axes." + key,
                       "unknown axis: not a hardware-config key path, 'model', 'task' or "
                       "'energy_table'" +
                           (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    if (!seen.insert(key).second)
      throw InputError(loc, "axes." + key, "duplicate axis");
    if (key == "model" && s.models.size() > 1)
      throw InputError(loc, "axes.model", "model is already a list at the top level");
    s.axes.push_back({key, scalar_list(it->second, top, "axes." + key), loc.line});
    if (key == "task") {
      // Canonical task names, so that "sst-2" and "SST-2" are one point.
      const YAML::Node list = it->second;
      std::set<std::string> names;
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "axes.task[" + std::to_string(i) + "]";
        try {
          s.axes.back().values[i] = glue::task_info(s.axes.back().values[i]).name;
        } catch (const InputError &e) {
          throw InputError(top.location(list[i]), where, e.message());
        }
        if (!names.insert(s.axes.back().values[i]).second)
          throw InputError(top.location(list[i]), where,
                           "duplicate task '" + s.axes.back().values[i] + "'");
      }
    }
  }
  // The task: one for the whole sweep, or an axis (then there is no top-level task).
  if (seen.count("task")) {
    if (top.has("task"))
      top.fail("task", "task is also an axis; keep one of them");
  } else {
    s.task = top.get_string("task");
    try {
      s.task = glue::task_info(s.task).name;
    } catch (const InputError &e) {
      top.fail("task", e.message());
    }
  }

  const std::string mode = top.has("mode") ? top.get_enum("mode", {"grid", "zip", "random"})
                                           : std::string("grid");
  s.mode = mode == "zip" ? SweepMode::zip : mode == "random" ? SweepMode::random : SweepMode::grid;
  if (s.mode == SweepMode::random) {
    s.samples = top.get_int("samples", 1, int64_t(kMaxSweepPoints));
    s.seed = uint64_t(top.get_int("seed", 0, std::numeric_limits<int64_t>::max(), 1));
  } else if (top.has("samples") || top.has("seed")) {
    top.fail(top.has("samples") ? "samples" : "seed", "only used with mode: random");
  }
  // Dimensions: zip groups (`zip: [[a, b], ...]`, or every axis in mode zip), else one per axis.
  std::vector<int> group_of(s.axes.size(), -1);
  if (s.mode == SweepMode::zip && !s.axes.empty()) {
    s.dims.emplace_back();
    for (size_t a = 0; a < s.axes.size(); ++a)
      s.dims.back().push_back(a);
  } else if (top.has("zip")) {
    if (s.mode == SweepMode::zip)
      top.fail("zip", "not used with mode: zip (all axes are zipped)");
    const YAML::Node groups = top.get_node("zip");
    if (!groups.IsSequence())
      throw InputError(top.location(groups), "zip", "expected a list of lists of axis keys");
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string where = "zip[" + std::to_string(g) + "]";
      const std::vector<std::string> keys = scalar_list(groups[g], top, where);
      if (keys.size() < 2)
        throw InputError(top.location(groups[g]), where, "a zip group needs at least two axes");
      for (const std::string &k : keys) {
        auto it = std::find_if(s.axes.begin(), s.axes.end(),
                               [&](const SweepAxis &a) { return a.key == k; });
        if (it == s.axes.end())
          throw InputError(top.location(groups[g]), where, "'" + k + "' is not an axis");
        const size_t a = size_t(it - s.axes.begin());
        if (group_of[a] >= 0)
          throw InputError(top.location(groups[g]), where, "'" + k + "' is in two zip groups");
        group_of[a] = int(g);
      }
    }
  }
  if (s.dims.empty()) {
    std::map<int, size_t> dim_of_group;
    for (size_t a = 0; a < s.axes.size(); ++a) {
      if (group_of[a] < 0) {
        s.dims.push_back({a});
      } else if (auto it = dim_of_group.find(group_of[a]); it != dim_of_group.end()) {
        s.dims[it->second].push_back(a);
      } else {
        dim_of_group[group_of[a]] = s.dims.size();
        s.dims.push_back({a});
      }
    }
  }
  for (const auto &dim : s.dims)
    for (size_t a : dim) {
      const SweepAxis &first = s.axes[dim.front()], &ax = s.axes[a];
      if (ax.values.size() != first.values.size())
        throw InputError(SourceLocation{file, ax.line, 0}, "axes." + ax.key,
                         "zipped axes need lists of equal length: '" + first.key + "' has " +
                             std::to_string(first.values.size()) + " values, '" + ax.key +
                             "' has " + std::to_string(ax.values.size()));
    }
  if (s.mode == SweepMode::grid && sweep_grid_size(s, kMaxSweepPoints) > kMaxSweepPoints)
    top.fail("axes", "the grid has more than " + std::to_string(kMaxSweepPoints) +
                         " points; use mode: random with samples");

  if (top.has("metrics")) {
    s.metrics = top.get_string_list("metrics");
    const auto &names = sweep_metric_names();
    for (const std::string &m : s.metrics)
      if (std::find(names.begin(), names.end(), m) == names.end()) {
        const std::string hint = config::closest_match(m, names);
        top.fail("metrics", "unknown metric '" + m + "'" +
                                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
  } else {
    for (const std::string &m : sweep_metric_names())
      if (m != "events")
        s.metrics.push_back(m);
  }
  top.finish();

  std::set<std::string> hashes;
  for (const SweepPoint &p : expand_sweep(s))
    if (!hashes.insert(p.hash).second)
      top.fail("axes", "point " + std::to_string(p.index) + " repeats an earlier point (" +
                           p.canonical_text.substr(0, p.canonical_text.size() - 1) + ")");
  return s;
}

SweepSpec load_sweep_spec(const std::filesystem::path &path) {
  return parse_sweep_spec(read_file(path, config::kMaxYamlBytes), path.string());
}

} // namespace granita::sweep
