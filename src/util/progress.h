// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace granita {

/// A one-line progress bar with rate and ETA on stderr. Draws only when stderr is a terminal
/// (or when forced), at most ten times a second, so it costs nothing in pipelines and CI logs.
class ProgressBar {
public:
  ProgressBar(std::string label, size_t total, bool force = false);
  ~ProgressBar();
  void update(size_t done);
  void finish();

private:
  std::string m_label;
  size_t m_total;
  bool m_enabled;
  bool m_finished = false;
  size_t m_done = 0;
  std::chrono::steady_clock::time_point m_start, m_last_draw;
  void draw();
};

} // namespace granita
