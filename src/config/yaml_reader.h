// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/package_limits.h" // generated from src/model/package_limits.json
#include "src/util/error.h"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace granita::config {

/// Largest YAML file read. Configs are about 1 KB and model.yaml about 3 KB per layer (400 KB at
/// the 128-layer limit); yaml-cpp needs up to ~250 bytes of memory per input byte, so this also
/// bounds the memory a hostile file can make the parser take (~250 MB).
/// The number lives in src/model/package_limits.json (model.yaml is the largest YAML read).
constexpr size_t kMaxYamlBytes = size_t(model::limits::kMaxYamlBytes); // 1 MiB

/// Parses a YAML file of at most kMaxYamlBytes; see load_yaml_document.
YAML::Node load_yaml_file(const std::filesystem::path &path);
/// Parses YAML text that must hold exactly one non-empty document; `file` is only used in
/// messages. Syntax errors, NUL bytes, an empty text and a second document are InputError with
/// file:line:col.
YAML::Node load_yaml_document(const std::string &text, const std::string &file);
/// Parses YAML text (its first document; may be empty); syntax errors become InputError with
/// file:line:col. `file` is only used in messages.
YAML::Node load_yaml_string(const std::string &text, const std::string &file);

/// A YAML file named either by a path (containing '/' or ending in ".yaml") or by a preset name
/// looked up as `dir`/<name>.yaml. An unknown name is an InputError at `key` ("no <noun> named
/// 'x' in DIR (did you mean 'y'?); <list label>: a, b, c").
std::filesystem::path resolve_named_yaml(const std::string &name_or_path,
                                         const std::filesystem::path &dir, const std::string &key,
                                         const std::string &noun, const std::string &list_label);

/// The candidate closest to `key` by edit distance, or "" if none is reasonably close.
std::string closest_match(const std::string &key, const std::vector<std::string> &candidates);

/// The file:line:col of a yaml-cpp mark (1-based; no line when the mark has none).
SourceLocation mark_location(const std::string &file, const YAML::Mark &m);

/// A YAML mapping read with checks. Every getter validates type and range and names
/// `file:line:col: key.path` in its error. finish() rejects keys that were never asked for (with a
/// did-you-mean suggestion) and duplicate keys. Contract: the node must outlive this object.
class YamlMap {
public:
  YamlMap(const YAML::Node &node, std::string file, std::string path);

  bool has(const std::string &key) const;
  int64_t get_int(const std::string &key, int64_t lo, int64_t hi);
  int64_t get_int(const std::string &key, int64_t lo, int64_t hi, int64_t fallback);
  double get_double(const std::string &key, double lo, double hi);
  double get_double(const std::string &key, double lo, double hi, double fallback);
  bool get_bool(const std::string &key, bool fallback);
  std::string get_string(const std::string &key);
  std::string get_string(const std::string &key, const std::string &fallback);
  std::string get_enum(const std::string &key, const std::vector<std::string> &allowed);
  std::vector<std::string> get_string_list(const std::string &key);
  YamlMap get_map(const std::string &key);
  /// The raw node for `key` (marks the key as used); throws if missing.
  YAML::Node get_node(const std::string &key);
  /// Rejects unknown and duplicate keys. Call after all getters.
  void finish() const;

  const std::string &file() const { return m_file; }
  const std::string &path() const { return m_path; }
  std::string key_path(const std::string &key) const;
  SourceLocation location(const YAML::Node &n) const;
  SourceLocation location() const { return location(m_node); }
  [[noreturn]] void fail(const std::string &key, const std::string &message) const;

private:
  YAML::Node require(const std::string &key);
  YAML::Node m_node;
  std::string m_file;
  std::string m_path;
  std::set<std::string> m_used;
};

/// A scalar node read as a finite number; nullopt for a non-scalar, a non-number, inf or nan
/// (each reader words its own error).
std::optional<double> finite_scalar(const YAML::Node &n);

/// What a bad number node was, for error messages: 'TEXT' or "a non-scalar".
std::string scalar_text(const YAML::Node &n);

/// Checks a scalar node as an integer in [lo, hi]; `what` names it in the error.
int64_t scalar_int(const YAML::Node &n, const YamlMap &ctx, const std::string &what, int64_t lo,
                   int64_t hi);

} // namespace granita::config
