// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/noc/wake_calendar.h"

#include <algorithm>

namespace granita::hw {

WakeCalendar::WakeCalendar(sc_core::sc_module_name name, sc_core::sc_time period)
    : sc_core::sc_module(name), m_period(period), m_wheel(kWheel), m_nonempty(kWheel / 64, 0) {
  SC_METHOD(run);
  dont_initialize();
  sensitive << m_event;
}

int WakeCalendar::add(IWakeable *client) {
  m_clients.push_back(client);
  m_pending.push_back(UINT64_MAX);
  return int(m_clients.size()) - 1;
}

void WakeCalendar::notify(int client, uint64_t delay_cycles) {
  const uint64_t t = now(), at = t + delay_cycles;
  uint64_t &pending = m_pending[size_t(client)];
  if (at >= pending)
    return; // an earlier (or the same) wake-up is already pending
  pending = at;
  if (delay_cycles < kWheel) {
    const uint64_t b = at % kWheel;
    m_wheel[size_t(b)].push_back(client);
    m_nonempty[size_t(b / 64)] |= uint64_t(1) << (b % 64);
  } else {
    m_heap.push({at, client});
  }
  if (!m_running)
    arm(at, t);
}

void WakeCalendar::arm(uint64_t cycle, uint64_t now) {
  if (cycle >= m_armed)
    return;
  m_armed = cycle;
  if (cycle == now)
    m_event.notify(sc_core::SC_ZERO_TIME);
  else
    m_event.notify(m_period * double(cycle - now));
}

void WakeCalendar::run_client(int client, uint64_t at) {
  uint64_t &pending = m_pending[size_t(client)];
  if (pending != at)
    return; // replaced by an earlier wake-up that has run, or already run in this cycle
  pending = UINT64_MAX;
  m_clients[size_t(client)]->on_wake();
}

uint64_t WakeCalendar::next_cycle(uint64_t from) const {
  uint64_t best = m_heap.empty() ? UINT64_MAX : m_heap.top().first;
  // Scan the wheel's bitmap from the bucket after `from`, wrapping once.
  const uint64_t start = (from + 1) % kWheel;
  for (uint64_t k = 0; k <= kWheel / 64; ++k) {
    const uint64_t word_index = (start / 64 + k) % (kWheel / 64);
    uint64_t w = m_nonempty[size_t(word_index)];
    if (k == 0)
      w &= ~uint64_t(0) << (start % 64);
    else if (k == kWheel / 64)
      w &= (start % 64) ? ~(~uint64_t(0) << (start % 64)) : 0;
    if (w) {
      const uint64_t b = word_index * 64 + uint64_t(__builtin_ctzll(w));
      const uint64_t at = from + 1 + (b + kWheel - start) % kWheel;
      return std::min(best, at);
    }
  }
  return best;
}

void WakeCalendar::run() {
  m_now = uint64_t(sc_core::sc_time_stamp() / m_period);
  m_armed = UINT64_MAX;
  m_running = true;
  // Clients due now, including those notified with zero delay while this runs.
  const uint64_t b = m_now % kWheel;
  std::vector<int> &bucket = m_wheel[size_t(b)];
  for (;;) {
    for (size_t i = 0; i < bucket.size(); ++i)
      run_client(bucket[i], m_now);
    bucket.clear();
    m_nonempty[size_t(b / 64)] &= ~(uint64_t(1) << (b % 64));
    if (m_heap.empty() || m_heap.top().first > m_now)
      break;
    while (!m_heap.empty() && m_heap.top().first <= m_now) {
      const Entry e = m_heap.top();
      m_heap.pop();
      run_client(e.second, e.first);
    }
    if (bucket.empty())
      break;
  }
  m_running = false;
  while (!m_heap.empty() && m_pending[size_t(m_heap.top().second)] != m_heap.top().first)
    m_heap.pop(); // stale
  const uint64_t next = next_cycle(m_now);
  if (next != UINT64_MAX)
    arm(next, m_now);
}

} // namespace granita::hw
