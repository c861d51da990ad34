// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the chip's modules record besides doing their work: the energy ledger (event counts per
// task) and the trace recorder (unit busy intervals, router activity).

#include "src/energy/event_registry.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace granita::hw {

/// Energy counts of a run: one EnergyCounters per task (compute and the traffic it sends) and
/// one for the chip (leakage, traffic not owned by a task). Contract: modules only add.
class EnergyLedger {
public:
  explicit EnergyLedger(size_t tasks = 0) : m_tasks(tasks) {}
  energy::EnergyCounters &task(int t) { return t >= 0 ? m_tasks[size_t(t)] : m_chip; }
  energy::EnergyCounters &chip() { return m_chip; }
  const std::vector<energy::EnergyCounters> &tasks() const { return m_tasks; }
  const energy::EnergyCounters &chip() const { return m_chip; }
  void clear() {
    for (auto &c : m_tasks)
      c.clear();
    m_chip.clear();
  }

private:
  std::vector<energy::EnergyCounters> m_tasks;
  energy::EnergyCounters m_chip;
};

/// Records unit busy intervals and router activity for Perfetto/Chrome traces. Modules call it
/// only when one is installed (a null pointer costs one branch). Contract: owned by the chip.
class TraceRecorder {
public:
  struct Busy {
    int core, unit, task;
    uint64_t start, end;
  };
  void busy(int core, int unit, int task, uint64_t start, uint64_t end) {
    if (m_on)
      m_busy.push_back({core, unit, task, start, end});
  }
  void flit(int router, uint64_t cycle) {
    if (m_on)
      m_flits.push_back({router, cycle});
  }
  void set_on(bool on) { m_on = on; }
  const std::vector<Busy> &busy_intervals() const { return m_busy; }
  const std::vector<std::pair<int, uint64_t>> &flits() const { return m_flits; }

private:
  bool m_on = false;
  std::vector<Busy> m_busy;
  std::vector<std::pair<int, uint64_t>> m_flits;
};

} // namespace granita::hw
