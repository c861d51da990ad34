// SPDX-License-Identifier: Apache-2.0
#pragma once

// The append-only JSONL result store of a sweep (DIR/results.jsonl): one JSON object per line,
// one line per finished point. A line is appended with one write() and fsync'd, so a crash can
// leave at most a partial last line, which loading drops.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace granita::sweep {

/// What a store file holds: its complete rows, and what was skipped while reading it.
struct StoreContents {
  std::vector<nlohmann::json> rows;   // in file order
  size_t complete_bytes = 0;          // length of the file up to the last complete line
  size_t partial_bytes = 0;           // bytes of a trailing line without '\n' (dropped)
  std::vector<std::string> warnings;  // e.g. "results.jsonl:7: not a JSON object; ignored"
};

/// Parses store text; never throws on damaged lines (they are reported in `warnings`).
StoreContents parse_store(const std::string &text, const std::string &file);

/// The last row of every config hash, in order of first appearance.
std::vector<nlohmann::json> latest_rows(const std::vector<nlohmann::json> &rows);

/// An open store. Opening cuts a trailing partial line so that later appends start on a fresh
/// line. One writer at a time: the store is locked (flock) while open, and a second
/// writer gets an InputError.
class ResultStore {
public:
  explicit ResultStore(std::filesystem::path path);
  ~ResultStore();
  ResultStore(const ResultStore &) = delete;
  ResultStore &operator=(const ResultStore &) = delete;

  const StoreContents &contents() const { return m_contents; }
  /// Appends one row as a single line (one write() of the whole line, then fsync).
  void append(const nlohmann::json &row);

private:
  std::filesystem::path m_path;
  int m_fd = -1;
  StoreContents m_contents;
};

/// results.csv text of the rows: identity, axis values, status, the scalar results and the
/// energy by component. `axis_keys` fixes the order of the axis columns.
std::string rows_to_csv(const std::vector<nlohmann::json> &rows,
                        const std::vector<std::string> &axis_keys);

} // namespace granita::sweep
