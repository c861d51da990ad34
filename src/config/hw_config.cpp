// SPDX-License-Identifier: Apache-2.0
#include "src/config/hw_config.h"

#include "src/config/hw_params.h"
#include "src/config/yaml_reader.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/strings.h"

#include <algorithm>
#include <functional>
#include <map>

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
  static const std::vector<std::string> kPaths = [] {
    std::vector<std::string> v;
    for (const HwParam &p : hw_params())
      v.push_back(p.key);
    return v;
  }();
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

/// Whether the dotted key path exists in the document (without inserting anything).
bool has_path(const YAML::Node &root, const std::string &path) {
  YAML::Node n;
  n.reset(root);
  for (const std::string &part : split(path, '.')) {
    if (!n.IsMap())
      return false;
    const YAML::Node &cn = n;
    const YAML::Node child = cn[part];
    if (!child.IsDefined() || child.IsNull())
      return false;
    n.reset(child);
  }
  return true;
}

HwConfig parse_checked(YAML::Node root, const std::string &file) {
  // Every key of the parameter table (src/config/hw_params.cpp), section by section; a section's
  // unknown keys are rejected when it is complete.
  std::map<std::string, YamlMap> maps;
  maps.emplace("", YamlMap(root, file, ""));
  std::function<YamlMap &(const std::string &)> section = [&](const std::string &path) -> YamlMap & {
    auto it = maps.find(path);
    if (it != maps.end())
      return it->second;
    const size_t dot = path.rfind('.');
    YamlMap &parent = section(dot == std::string::npos ? "" : path.substr(0, dot));
    return maps.emplace(path, parent.get_map(path.substr(dot == std::string::npos ? 0 : dot + 1)))
        .first->second;
  };
  HwConfig c;
  for (const HwParam &p : hw_params()) {
    const std::string key = p.key;
    const size_t dot = key.rfind('.');
    if (p.fallback && !has_path(root, key)) { // optional: absent means the fallback
      if (p.string_field)
        c.*p.string_field = p.fallback;
      else
        c.*p.int_field = 0; // an optional Int's "none"
      // A present section is still checked for unknown (misspelt) keys, and knows this one (a
      // lookup with a fallback marks it), so that a misspelling of it gets it as the hint.
      const std::string parent = dot == std::string::npos ? "" : key.substr(0, dot);
      if (parent.empty() || has_path(root, parent))
        section(parent).get_string(dot == std::string::npos ? key : key.substr(dot + 1), "");
      continue;
    }
    YamlMap &m = section(dot == std::string::npos ? "" : key.substr(0, dot));
    const std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
    switch (p.kind) {
    case HwParam::Kind::Int: {
      if (key == "version") {
        const int64_t v = m.get_int(leaf, 0, 1 << 30);
        if (v != kHwConfigVersion)
          m.fail(leaf, "unsupported hardware config version " + std::to_string(v) +
                           " (this Granita reads " + std::to_string(kHwConfigVersion) + ")");
        break;
      }
      c.*p.int_field = int(m.get_int(leaf, p.lo, p.hi));
      break;
    }
    case HwParam::Kind::Enum:
      c.*p.string_field = m.get_enum(leaf, split(p.choices, '|'));
      break;
    case HwParam::Kind::String:
      c.*p.string_field = m.get_string(leaf);
      break;
    }
  }
  if (c.energy_table.empty())
    maps.at("").fail("energy_table", "expected the name of an energy table, got an empty string");
  c.energy_table_at = maps.at("").location(root["energy_table"]);
  // Deepest sections first, so an unknown key is reported where it is.
  for (auto it = maps.rbegin(); it != maps.rend(); ++it)
    it->second.finish();
  return c;
}

} // namespace

std::filesystem::path resolve_hw_config(const std::string &name_or_path,
                                        const std::filesystem::path &configs_dir) {
  return resolve_named_yaml(name_or_path, configs_dir / "hw", "--hw", "hardware config",
                            "presets (or give a path to a .yaml file)");
}

} // namespace granita::config
