// SPDX-License-Identifier: Apache-2.0
#include "src/config/hw_config.h"

#include "src/config/yaml_reader.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/strings.h"

#include <algorithm>

namespace granita::config {

namespace {

HwConfig parse_checked(YAML::Node root, const std::string &file);

void apply_override(YAML::Node root, const std::string &ov) {
  const size_t eq = ov.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError({}, "-p " + ov, "expected key.path=value");
  const std::string path = ov.substr(0, eq), value = ov.substr(eq + 1);
  const auto &valid = hw_config_key_paths();
  if (std::find(valid.begin(), valid.end(), path) == valid.end()) {
    const std::string hint = closest_match(path, valid);
    throw InputError({}, "-p " + path,
                     "unknown key path" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  const std::vector<std::string> parts = split(path, '.');
  // Node::reset rebinds a handle; Node::operator= would overwrite the node it refers to.
  YAML::Node n;
  n.reset(root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node child = n[parts[i]];
    if (!child.IsMap()) {
      child.reset(YAML::Node(YAML::NodeType::Map));
      n[parts[i]] = child;
    }
    n.reset(child);
  }
  n[parts.back()] = value;
}

} // namespace

const std::vector<std::string> &hw_config_key_paths() {
  static const std::vector<std::string> kPaths = {
      "version", "name", "clock_mhz", "mesh.x", "mesh.y",
      "core.crossbar.rows", "core.crossbar.cols", "core.crossbar.count",
      "core.accumulate.lanes", "core.neuron.updates_per_cycle",
      "core.ptsoftmax.elements_per_cycle", "core.ptsoftmax.latency_cycles",
      "core.bspn.elements_per_cycle", "core.bspn.latency_cycles", "core.scratch_sram_kib",
      "router.buffer_depth_flits", "router.virtual_channels", "router.routing",
      "router.hop_latency_cycles", "router.flit_bits", "encoding", "energy_table"};
  return kPaths;
}

HwConfig load_hw_config(const std::filesystem::path &path,
                        const std::vector<std::string> &overrides) {
  return parse_hw_config(read_file(path, kMaxYamlBytes), path.string(), overrides);
}

HwConfig parse_hw_config(const std::string &text, const std::string &file,
                         const std::vector<std::string> &overrides) {
  YAML::Node root = load_yaml_document(text, file);
  if (!root.IsMap())
    throw InputError(SourceLocation{file, root.Mark().line + 1, root.Mark().column + 1}, "",
                     "expected a YAML mapping of key: value at the top level");
  std::vector<std::pair<std::string, std::string>> overridden; // key path, whole override
  for (const auto &ov : overrides) {
    apply_override(root, ov);
    overridden.emplace_back(ov.substr(0, ov.find('=')), ov);
  }
  try {
    HwConfig c = parse_checked(root, file);
    for (const auto &[path, ov] : overridden)
      if (path == "energy_table")
        c.energy_table_at = SourceLocation{"-p " + ov, 0, 0};
    return c;
  } catch (const InputError &e) {
    // An error in a value the user gave with -p names the override, not the file's line.
    for (const auto &[path, ov] : overridden)
      if (e.key_path() == path)
        throw InputError({}, "-p " + ov, e.message());
    throw;
  }
}

namespace {

HwConfig parse_checked(YAML::Node root, const std::string &file) {
  YamlMap top(root, file, "");
  const int64_t version = top.get_int("version", 0, 1 << 30);
  if (version != kHwConfigVersion)
    top.fail("version", "unsupported hardware config version " + std::to_string(version) +
                            " (this Granita reads " + std::to_string(kHwConfigVersion) + ")");
  HwConfig c;
  c.name = top.get_string("name");
  c.clock_mhz = int(top.get_int("clock_mhz", 1, 100000));
  YamlMap mesh = top.get_map("mesh");
  c.mesh_x = int(mesh.get_int("x", 1, kMaxMeshSide));
  c.mesh_y = int(mesh.get_int("y", 1, kMaxMeshSide));
  mesh.finish();
  YamlMap core = top.get_map("core");
  YamlMap xbar = core.get_map("crossbar");
  c.crossbar_rows = int(xbar.get_int("rows", 1, kMaxCrossbarSide));
  c.crossbar_cols = int(xbar.get_int("cols", 1, kMaxCrossbarSide));
  c.crossbars_per_core = int(xbar.get_int("count", 1, kMaxCrossbarsPerCore));
  xbar.finish();
  YamlMap acc = core.get_map("accumulate");
  c.accumulate_lanes = int(acc.get_int("lanes", 1, 1 << 16));
  acc.finish();
  YamlMap neuron = core.get_map("neuron");
  c.neuron_updates_per_cycle = int(neuron.get_int("updates_per_cycle", 1, 1 << 16));
  neuron.finish();
  YamlMap pts = core.get_map("ptsoftmax");
  c.ptsoftmax_elements_per_cycle = int(pts.get_int("elements_per_cycle", 1, 1 << 16));
  c.ptsoftmax_latency_cycles = int(pts.get_int("latency_cycles", 0, 1 << 16));
  pts.finish();
  YamlMap bspn = core.get_map("bspn");
  c.bspn_elements_per_cycle = int(bspn.get_int("elements_per_cycle", 1, 1 << 16));
  c.bspn_latency_cycles = int(bspn.get_int("latency_cycles", 0, 1 << 16));
  bspn.finish();
  c.scratch_sram_kib = int(core.get_int("scratch_sram_kib", 1, kMaxScratchKib));
  core.finish();
  YamlMap router = top.get_map("router");
  c.router_buffer_depth_flits = int(router.get_int("buffer_depth_flits", 1, 1024));
  c.router_virtual_channels = int(router.get_int("virtual_channels", 1, 16));
  c.routing = router.get_enum("routing", {"xy", "yx", "west_first"});
  c.hop_latency_cycles = int(router.get_int("hop_latency_cycles", 1, 64));
  c.flit_bits = int(router.get_int("flit_bits", 8, 1024));
  router.finish();
  c.encoding = top.get_enum("encoding", {"rate", "bitserial"});
  c.energy_table = top.get_string("energy_table");
  c.energy_table_at = top.location(root["energy_table"]);
  if (c.energy_table.empty())
    top.fail("energy_table", "expected the name of an energy table, got an empty string");
  top.finish();
  return c;
}

} // namespace

std::filesystem::path resolve_hw_config(const std::string &name_or_path,
                                        const std::filesystem::path &configs_dir) {
  const std::string suffix = ".yaml";
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() >= suffix.size() &&
       name_or_path.compare(name_or_path.size() - suffix.size(), suffix.size(), suffix) == 0);
  if (is_path)
    return name_or_path;
  const std::filesystem::path dir = configs_dir / "hw";
  const std::filesystem::path p = dir / (name_or_path + suffix);
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec))
    return p;
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == suffix)
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  const std::string hint = closest_match(name_or_path, names);
  throw InputError({}, "--hw",
                   "no hardware config named '" + name_or_path + "' in " + dir.string() +
                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                       (names.empty() ? "" : "; presets: " + join(names, ", ") +
                                                 "; or give a path to a .yaml file"));
}

} // namespace granita::config
