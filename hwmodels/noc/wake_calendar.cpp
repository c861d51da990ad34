// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/noc/wake_calendar.h"

namespace granita::hw {

WakeCalendar::WakeCalendar(sc_core::sc_module_name name, sc_core::sc_time period)
    : sc_core::sc_module(name), m_period(period) {
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
  m_heap.push({at, client});
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

void WakeCalendar::run() {
  m_now = uint64_t(sc_core::sc_time_stamp() / m_period);
  m_armed = UINT64_MAX;
  m_running = true;
  // Clients due now, including those notified with zero delay while this loop runs.
  while (!m_heap.empty() && m_heap.top().first <= m_now) {
    const auto [at, client] = m_heap.top();
    m_heap.pop();
    uint64_t &pending = m_pending[size_t(client)];
    if (pending != at)
      continue; // replaced by an earlier wake-up that has run
    pending = UINT64_MAX;
    m_clients[size_t(client)]->on_wake();
  }
  m_running = false;
  while (!m_heap.empty() && m_pending[size_t(m_heap.top().second)] != m_heap.top().first)
    m_heap.pop(); // stale
  if (!m_heap.empty())
    arm(m_heap.top().first, m_now);
}

} // namespace granita::hw
