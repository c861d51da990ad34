// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace granita::hw {

/// A module that a WakeCalendar runs instead of the SystemC kernel.
class IWakeable {
public:
  virtual ~IWakeable() = default;
  /// Runs the module's process once, at the current cycle.
  virtual void on_wake() = 0;
};

/// One SystemC process that runs many clock-driven modules: each client has at most one pending
/// wake-up cycle, with exactly the semantics of an sc_event with timed notifications (an earlier
/// notification replaces a later pending one, a later one is dropped), and the calendar wakes
/// only at cycles where some client is due, with one kernel notification per such cycle instead
/// of one per client and hop. Contract: clients' processes must not depend on their order
/// within a cycle (everything they exchange takes at least one cycle, as flits, credits and
/// local messages do); a client registered here must not also be run by its own sc_event.
class WakeCalendar : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(WakeCalendar);
  WakeCalendar(sc_core::sc_module_name name, sc_core::sc_time period);

  /// Registers a client; returns its id.
  int add(IWakeable *client);
  /// Runs `client` `delay_cycles` from now (0: later in this cycle, like a delta notification).
  void notify(int client, uint64_t delay_cycles);
  /// The current cycle (cheap while the calendar runs its clients).
  uint64_t now() const { return m_running ? m_now : uint64_t(sc_core::sc_time_stamp() / m_period); }

private:
  void run();
  void arm(uint64_t cycle, uint64_t now);
  void run_client(int client, uint64_t at);
  /// The earliest cycle after `from` with a wake-up queued (some may be stale), or UINT64_MAX.
  uint64_t next_cycle(uint64_t from) const;

  // Wake-ups less than kWheel cycles ahead go into a timing wheel (bucket = cycle % kWheel, so a
  // bucket only holds wake-ups for one cycle); later ones into a heap.
  static constexpr uint64_t kWheel = 4096;
  using Entry = std::pair<uint64_t, int>; // cycle, client
  sc_core::sc_time m_period;
  sc_core::sc_event m_event;
  std::vector<IWakeable *> m_clients;
  std::vector<uint64_t> m_pending; // per client: its pending wake-up cycle, UINT64_MAX if none
  std::vector<std::vector<int>> m_wheel; // [cycle % kWheel] -> clients
  std::vector<uint64_t> m_nonempty;      // bit per wheel bucket
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
  uint64_t m_armed = UINT64_MAX; // cycle m_event is notified for
  uint64_t m_now = 0;
  bool m_running = false;
};

/// Where a module's wake-ups go: its own sc_event or its slot in a WakeCalendar. Copyable; the
/// event or calendar must outlive it.
class Wake {
public:
  Wake() = default;
  Wake(sc_core::sc_event &event, sc_core::sc_time period) : m_event(&event), m_period(period) {}
  Wake(WakeCalendar &calendar, int client) : m_calendar(&calendar), m_client(client) {}
  /// Wakes the module `delay_cycles` from now.
  void notify(uint64_t delay_cycles) const {
    if (m_calendar)
      m_calendar->notify(m_client, delay_cycles);
    else if (m_event)
      m_event->notify(m_period * double(delay_cycles));
  }
  bool operator==(const Wake &o) const {
    return m_event == o.m_event && m_calendar == o.m_calendar && m_client == o.m_client;
  }

private:
  sc_core::sc_event *m_event = nullptr;
  sc_core::sc_time m_period;
  WakeCalendar *m_calendar = nullptr;
  int m_client = -1;
};

} // namespace granita::hw
