// SPDX-License-Identifier: Apache-2.0
#include "src/util/progress.h"

#include <cstdio>
#include <unistd.h>

namespace granita {

ProgressBar::ProgressBar(std::string label, size_t total, bool force)
    : m_label(std::move(label)), m_total(total), m_enabled(force || ::isatty(2)),
      m_start(std::chrono::steady_clock::now()), m_last_draw(m_start) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(size_t done) {
  m_done = done;
  if (!m_enabled)
    return;
  auto now = std::chrono::steady_clock::now();
  if (done < m_total && now - m_last_draw < std::chrono::milliseconds(100))
    return;
  m_last_draw = now;
  draw();
}

void ProgressBar::draw() {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double frac = m_total ? double(m_done) / double(m_total) : 1.0;
  const int width = 30, filled = int(frac * width);
  std::string bar(size_t(filled), '#');
  bar.resize(size_t(width), '.');
  const double rate = secs > 0 ? double(m_done) / secs : 0;
  const double eta = rate > 0 ? double(m_total - m_done) / rate : 0;
  std::fprintf(stderr, "\r%s [%s] %zu/%zu %.1f/s ETA %.0fs ", m_label.c_str(), bar.c_str(),
               m_done, m_total, rate, eta);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (m_finished)
    return;
  m_finished = true;
  if (m_enabled && m_total > 0) {
    draw();
    std::fprintf(stderr, "\n");
  }
}

} // namespace granita
