// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/glue/glue_task.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace granita::glue {

/// One GLUE example.
struct Example {
  std::string text_a;
  std::optional<std::string> text_b;
  int label = -1;   // class index; -1 if the file has no labels (test sets)
  double score = 0; // STS-B similarity in [0, 5]
  int line = 0;     // 1-based line in the file
};

/// Longest line accepted (GLUE's longest are a few KiB); a longer one means a wrong or corrupt file.
constexpr size_t kMaxLineBytes = size_t(1) << 20;

/// Reads a GLUE TSV in the layout of GLUE's download_glue_data.py for `task` (columns found by
/// header name where the file has a header; CoLA has none). Fields are split on tabs only: GLUE
/// files are not CSV-quoted. Throws InputError naming file, line and column on any fault,
/// including a line longer than kMaxLineBytes and a header naming a used column twice.
std::vector<Example> read_glue_tsv(const std::filesystem::path &path, const TaskInfo &task);

/// Same, from text already in memory; `file_name` is used in messages.
std::vector<Example> parse_glue_tsv(const std::string &text, const std::string &file_name,
                                    const TaskInfo &task);

} // namespace granita::glue
