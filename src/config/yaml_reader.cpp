// SPDX-License-Identifier: Apache-2.0
#include "src/config/yaml_reader.h"

#include "src/util/file_io.h"
#include "src/util/utf8.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace granita::config {

namespace {

SourceLocation mark_location(const std::string &file, const YAML::Mark &m) {
  SourceLocation loc{file};
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return loc;
}

size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// Runs a yaml-cpp parse, turning its exceptions into InputError.
template <class Parse> auto parse_yaml(const std::string &file, Parse &&parse) {
  try {
    return parse();
  } catch (const YAML::DeepRecursion &e) {
    throw InputError(mark_location(file, e.mark), "",
                     "YAML nesting deeper than " + std::to_string(e.depth()) + " levels");
  } catch (const YAML::ParserException &e) {
    throw InputError(mark_location(file, e.mark), "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception &e) {
    throw InputError(mark_location(file, e.mark), "", "invalid YAML: " + e.msg);
  }
}

/// Counts the documents of a stream (and where the second starts) without building nodes.
class DocumentCounter : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark &mark) override {
    if (++m_count == 2)
      m_second = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  int count() const { return m_count; }
  const YAML::Mark &second() const { return m_second; }

private:
  int m_count = 0;
  YAML::Mark m_second;
};

} // namespace

YAML::Node load_yaml_string(const std::string &text, const std::string &file) {
  return parse_yaml(file, [&] { return YAML::Load(text); });
}

YAML::Node load_yaml_document(const std::string &text, const std::string &file) {
  if (size_t nul = text.find('\0'); nul != std::string::npos)
    throw InputError({file}, "",
                     "not a YAML text file (NUL byte at offset " + std::to_string(nul) + ")");
  // YAML text is Unicode; yaml-cpp passes invalid UTF-8 through into strings (names that then
  // break JSON reports), so it is rejected here.
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    const size_t nl = bad == 0 ? std::string::npos : text.rfind('\n', bad - 1);
    const size_t column = nl == std::string::npos ? bad + 1 : bad - nl;
    const int line = 1 + int(std::count(text.begin(), text.begin() + int64_t(bad), '\n'));
    throw InputError({file, line, int(column)}, "",
                     "invalid UTF-8 (byte offset " + std::to_string(bad) + ")");
  }
  // At most two documents are parsed: YAML::LoadAll never returns on some malformed streams
  // (yaml-cpp 0.7 yields empty documents forever for ",z,"; found by fuzz_hw_config).
  DocumentCounter counter;
  parse_yaml(file, [&] {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (counter.count() < 2 && parser.HandleNextDocument(counter)) {
    }
  });
  if (counter.count() > 1)
    throw InputError(mark_location(file, counter.second()), "",
                     "expected one YAML document, found a second one (remove the '---' "
                     "separator)");
  const YAML::Node doc = load_yaml_string(text, file);
  if (!doc.IsDefined() || doc.IsNull())
    throw InputError({file}, "", "file is empty; expected a YAML mapping");
  return doc;
}

YAML::Node load_yaml_file(const std::filesystem::path &path) {
  return load_yaml_document(read_file(path, kMaxYamlBytes), path.string());
}

std::string closest_match(const std::string &key, const std::vector<std::string> &candidates) {
  std::string best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const auto &c : candidates) {
    size_t d = edit_distance(key, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best.empty() || best_d > std::max<size_t>(2, key.size() / 3))
    return "";
  return best;
}

YamlMap::YamlMap(const YAML::Node &node, std::string file, std::string path)
    : m_node(node), m_file(std::move(file)), m_path(std::move(path)) {
  if (!m_node.IsMap())
    throw InputError(location(m_node), m_path.empty() ? "(top level)" : m_path,
                     "expected a mapping of key: value");
}

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
  double v = 0;
  bool ok = false;
  if (n.IsScalar()) {
    try {
      v = n.as<double>();
      ok = std::isfinite(v);
    } catch (const YAML::Exception &) {
    }
  }
  if (!ok)
    throw InputError(location(n), key_path(key),
                     "expected a finite number, got " +
                         (n.IsScalar() ? "'" + n.Scalar() + "'" : std::string("a non-scalar")));
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

YAML::Node YamlMap::get_node(const std::string &key) { return require(key); }

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

std::filesystem::path resolve_named_yaml(const std::string &name_or_path,
                                         const std::filesystem::path &dir, const std::string &key,
                                         const std::string &noun, const std::string &list_label) {
  const std::string suffix = ".yaml";
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() >= suffix.size() &&
       name_or_path.compare(name_or_path.size() - suffix.size(), suffix.size(), suffix) == 0);
  if (is_path)
    return name_or_path;
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
  std::string list;
  for (const std::string &n : names)
    list += (list.empty() ? "" : ", ") + n;
  throw InputError({}, key,
                   "no " + noun + " named '" + name_or_path + "' in " + dir.string() +
                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                       (names.empty() ? "" : "; " + list_label + ": " + list));
}

} // namespace granita::config
