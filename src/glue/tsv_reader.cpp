// SPDX-License-Identifier: Apache-2.0
#include "src/glue/tsv_reader.h"

#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/strings.h"
#include "src/util/utf8.h"

#include <algorithm>
#include <charconv>
#include <system_error>

namespace granita::glue {

namespace {

struct Layout {
  bool header = true;
  std::string a, b, label;                                 // header names ("" = none)
  int a_col = -1, b_col = -1, label_col = -1, columns = 0; // for header-less files
};

Layout layout_for(const TaskInfo &t) {
  const std::string &n = t.name;
  if (n == "CoLA")
    return {false, "", "", "", 3, -1, 1, 4};
  if (n == "SST-2")
    return {true, "sentence", "", "label"};
  if (n == "MRPC")
    return {true, "#1 String", "#2 String", "Quality"};
  if (n == "STS-B")
    return {true, "sentence1", "sentence2", "score"};
  if (n == "QQP")
    return {true, "question1", "question2", "is_duplicate"};
  if (n == "MNLI")
    return {true, "sentence1", "sentence2", "gold_label"};
  if (n == "QNLI")
    return {true, "question", "sentence", "label"};
  return {true, "sentence1", "sentence2", "label"}; // RTE, WNLI
}

} // namespace

std::vector<Example> parse_glue_tsv(const std::string &text, const std::string &file,
                                    const TaskInfo &task) {
  if (text.empty())
    throw InputError({file}, "", "file is empty; expected a GLUE " + task.name + " TSV");
  const Layout lay = layout_for(task);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    const size_t len = (nl == std::string::npos ? text.size() : nl) - start;
    if (len > kMaxLineBytes)
      throw InputError({file, int(lines.size() + 1)}, "",
                       "line is " + std::to_string(len) + " bytes long, more than the limit of " +
                           std::to_string(kMaxLineBytes) + ": not a GLUE TSV file?");
    std::string line = text.substr(start, len);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string::npos)
      break;
    start = nl + 1;
  }
  if (lines[0].rfind("\xEF\xBB\xBF", 0) == 0) // UTF-8 byte order mark (MRPC has one)
    lines[0].erase(0, 3);

  if (size_t bad = first_invalid_utf8(lines[0]); bad != std::string::npos)
    throw InputError({file, 1, int(bad) + 1}, "", "invalid UTF-8 at byte " + std::to_string(bad));

  int a_col = lay.a_col, b_col = lay.b_col, label_col = lay.label_col, columns = lay.columns;
  size_t first = 0;
  if (!lay.header && lines[0] == "index\tsentence") {
    // The CoLA test file is the one CoLA file with a header, and it has no labels.
    a_col = 1;
    label_col = -1;
    columns = 2;
    first = 1;
  } else if (lay.header) {
    const std::vector<std::string> head = split(lines[0], '\t');
    auto find = [&](const std::string &name) {
      auto it = std::find(head.begin(), head.end(), name);
      if (it == head.end())
        return -1;
      if (auto again = std::find(it + 1, head.end(), name); again != head.end())
        throw InputError({file, 1}, "header",
                         "column '" + name + "' appears twice (columns " +
                             std::to_string(it - head.begin() + 1) + " and " +
                             std::to_string(again - head.begin() + 1) + ")");
      return int(it - head.begin());
    };
    a_col = find(lay.a);
    b_col = lay.b.empty() ? -1 : find(lay.b);
    label_col = find(lay.label);
    if (a_col < 0 || (!lay.b.empty() && b_col < 0)) {
      std::string want = "'" + lay.a + "'" + (lay.b.empty() ? "" : ", '" + lay.b + "'") +
                         " and (except in test files) '" + lay.label + "'";
      throw InputError({file, 1}, "header",
                       "not a GLUE " + task.name + " header: expected columns " + want + ", got '" +
                           lines[0].substr(0, 200) + "'");
    }
    columns = int(head.size());
    first = 1;
  }

  std::vector<Example> out;
  for (size_t i = first; i < lines.size(); ++i) {
    const int line_no = int(i) + 1;
    const std::string &line = lines[i];
    if (line.empty() && i + 1 == lines.size())
      break; // final newline
    if (size_t bad = first_invalid_utf8(line); bad != std::string::npos)
      throw InputError({file, line_no, int(bad) + 1}, "",
                       "invalid UTF-8 at byte " + std::to_string(bad));
    const std::vector<std::string> f = split(line, '\t');
    if (int(f.size()) != columns)
      throw InputError({file, line_no}, "",
                       "expected " + std::to_string(columns) + " tab-separated columns, got " +
                           std::to_string(f.size()));
    Example ex;
    ex.line = line_no;
    ex.text_a = f[size_t(a_col)];
    if (b_col >= 0)
      ex.text_b = f[size_t(b_col)];
    if (label_col >= 0) {
      const std::string &l = f[size_t(label_col)];
      const std::string col = lay.header ? lay.label : "column " + std::to_string(label_col + 1);
      if (task.num_labels == 1) {
        // from_chars is locale-independent and takes no blanks, "+" or hex; nan/inf fail the range.
        double v = -1;
        const auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), v);
        if (l.empty() || ec != std::errc() || end != l.data() + l.size() || !(v >= 0.0 && v <= 5.0))
          throw InputError({file, line_no}, col, "expected a score in [0, 5], got '" + l + "'");
        ex.score = v;
      } else {
        auto it = std::find(task.label_names.begin(), task.label_names.end(), l);
        if (task.name != "MNLI" && task.name != "QNLI" && task.name != "RTE") {
          // Numeric labels 0..num_labels-1.
          if (l.size() == 1 && l[0] >= '0' && l[0] < char('0' + task.num_labels))
            ex.label = l[0] - '0';
        } else if (it != task.label_names.end()) {
          ex.label = int(it - task.label_names.begin());
        }
        if (ex.label < 0) {
          std::string allowed;
          if (task.name == "MNLI" || task.name == "QNLI" || task.name == "RTE")
            for (const auto &n : task.label_names)
              allowed += (allowed.empty() ? "" : ", ") + n;
          else
            allowed = "0.." + std::to_string(task.num_labels - 1);
          throw InputError({file, line_no}, col,
                           "expected a label in {" + allowed + "}, got '" + l + "'");
        }
      }
    }
    out.push_back(std::move(ex));
  }
  return out;
}

std::vector<Example> read_glue_tsv(const std::filesystem::path &path, const TaskInfo &task) {
  return parse_glue_tsv(read_file(path, size_t(1) << 30), path.string(), task);
}

} // namespace granita::glue
