// SPDX-License-Identifier: Apache-2.0
// YamlMap: typed, range-checked reads of one YAML mapping, with errors naming
// file:line:col: key.path, and the check that no unknown key is left (finish()).
#include "src/config/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace granita::config {

std::string YamlMap::key_path(const std::string &key) const {
  return m_path.empty() ? key : m_path + "." + key;
}


SourceLocation YamlMap::location(const YAML::Node &n) const {
  return mark_location(m_file, n.Mark());
}


void YamlMap::fail(const std::string &key, const std::string &message) const {
  YAML::Node n = m_node[key];
  SourceLocation loc = (n && n.IsDefined()) ? location(n) : location(m_node);
  throw InputError(loc, key.empty() ? m_path : key_path(key), message);
}


bool YamlMap::has(const std::string &key) const {
  YAML::Node n = m_node[key];
  return n.IsDefined() && !n.IsNull();
}


YAML::Node YamlMap::require(const std::string &key) {
  m_used.insert(key);
  YAML::Node n = m_node[key];
  if (!n.IsDefined() || n.IsNull()) {
    // A misspelt key is the usual cause: point at it rather than at the mapping.
    std::vector<std::string> present;
    std::vector<YAML::Node> key_nodes;
    for (auto it = m_node.begin(); it != m_node.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() != key && !m_used.count(it->first.Scalar())) {
        present.push_back(it->first.Scalar());
        key_nodes.push_back(it->first);
      }
    const std::string typo = closest_match(key, present);
    if (!typo.empty()) {
      const size_t i = size_t(std::find(present.begin(), present.end(), typo) - present.begin());
      throw InputError(location(key_nodes[i]), key_path(key),
                       "missing required key (is '" + typo + "' a misspelling of '" + key +
                           "'?)");
    }
    throw InputError(location(m_node), key_path(key), "missing required key");
  }
  return n;
}


std::optional<double> finite_scalar(const YAML::Node &n) {
  if (!n.IsScalar())
    return std::nullopt;
  try {
    const double v = n.as<double>();
    if (std::isfinite(v))
      return v;
  } catch (const YAML::Exception &) {
  }
  return std::nullopt;
}

std::string scalar_text(const YAML::Node &n) {
  return n.IsScalar() ? "'" + n.Scalar() + "'" : std::string("a non-scalar");
}

int64_t scalar_int(const YAML::Node &n, const YamlMap &ctx, const std::string &what, int64_t lo,
                   int64_t hi) {
  std::string got = n.IsScalar() ? "'" + n.Scalar() + "'" : "a non-scalar value";
  int64_t v = 0;
  bool ok = false;
  if (n.IsScalar()) {
    try {
      v = n.as<int64_t>();
      ok = true;
    } catch (const YAML::Exception &) {
    }
  }
  if (!ok)
    throw InputError(ctx.location(n), what, "expected an integer, got " + got);
  if (v < lo || v > hi)
    throw InputError(ctx.location(n), what,
                     "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                         "], got " + std::to_string(v));
  return v;
}


int64_t YamlMap::get_int(const std::string &key, int64_t lo, int64_t hi) {
  return scalar_int(require(key), *this, key_path(key), lo, hi);
}


int64_t YamlMap::get_int(const std::string &key, int64_t lo, int64_t hi, int64_t fallback) {
  m_used.insert(key);
  return has(key) ? get_int(key, lo, hi) : fallback;
}


double YamlMap::get_double(const std::string &key, double lo, double hi) {
  YAML::Node n = require(key);
  const std::optional<double> parsed = finite_scalar(n);
  if (!parsed)
    throw InputError(location(n), key_path(key), "expected a finite number, got " + scalar_text(n));
  const double v = *parsed;
  if (v < lo || v > hi)
    throw InputError(location(n), key_path(key),
                     "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                         "], got " + n.Scalar());
  return v;
}


double YamlMap::get_double(const std::string &key, double lo, double hi, double fallback) {
  m_used.insert(key);
  return has(key) ? get_double(key, lo, hi) : fallback;
}


bool YamlMap::get_bool(const std::string &key, bool fallback) {
  m_used.insert(key);
  if (!has(key))
    return fallback;
  YAML::Node n = m_node[key];
  if (n.IsScalar()) {
    const std::string &s = n.Scalar();
    if (s == "true")
      return true;
    if (s == "false")
      return false;
  }
  throw InputError(location(n), key_path(key), "expected true or false");
}


std::string YamlMap::get_string(const std::string &key) {
  YAML::Node n = require(key);
  if (!n.IsScalar())
    throw InputError(location(n), key_path(key), "expected a string");
  return n.Scalar();
}


std::string YamlMap::get_string(const std::string &key, const std::string &fallback) {
  m_used.insert(key);
  return has(key) ? get_string(key) : fallback;
}


std::string YamlMap::get_enum(const std::string &key, const std::vector<std::string> &allowed) {
  std::string v = get_string(key);
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end())
    return v;
  std::string list;
  for (const auto &a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  std::string hint = closest_match(v, allowed);
  throw InputError(location(m_node[key]), key_path(key),
                   "expected one of " + list + ", got '" + v + "'" +
                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}


std::vector<std::string> YamlMap::get_string_list(const std::string &key) {
  YAML::Node n = require(key);
  if (!n.IsSequence())
    throw InputError(location(n), key_path(key), "expected a list of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar())
      throw InputError(location(n[i]), key_path(key) + "[" + std::to_string(i) + "]",
                       "expected a string");
    out.push_back(n[i].Scalar());
  }
  return out;
}


YamlMap YamlMap::get_map(const std::string &key) {
  return YamlMap(require(key), m_file, key_path(key));
}


void YamlMap::finish() const {
  std::set<std::string> seen;
  std::vector<std::string> known(m_used.begin(), m_used.end());
  for (auto it = m_node.begin(); it != m_node.end(); ++it) {
    // A copy: it->first is a temporary of the iterator's proxy value.
    const YAML::Node k = it->first;
    if (!k.IsScalar()) {
      const char *kind = k.IsSequence() ? "list" : k.IsMap() ? "mapping" : "null";
      throw InputError(location(k), m_path.empty() ? "(top level)" : m_path,
                       std::string("keys must be plain names, found a ") + kind + " used as a key");
    }
    const std::string &name = k.Scalar();
    if (!seen.insert(name).second)
      throw InputError(location(k), key_path(name), "duplicate key");
    if (!m_used.count(name)) {
      std::string hint = closest_match(name, known);
      throw InputError(location(k), key_path(name),
                       "unknown key" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
}

} // namespace granita::config
