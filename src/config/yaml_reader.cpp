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

SourceLocation mark_location(const std::string &file, const YAML::Mark &m) {
  SourceLocation loc{file};
  if (m.line >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return loc;
}


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

YAML::Node YamlMap::get_node(const std::string &key) { return require(key); }

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
