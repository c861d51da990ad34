// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/core/program.h"
#include "sim/chip/chip.h"
#include "src/config/hw_config.h"
#include "src/energy/event_registry.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace granita::sim {

/// One sentence through the cycle-accurate chip.
struct SentenceRun {
  std::vector<int64_t> logits;
  int prediction = 0;
  uint64_t cycles = 0;
  std::vector<energy::EnergyCounters> task_events; // per mapping task
  energy::EnergyCounters chip_events;              // leakage
  uint64_t busy_cycles[4] = {0, 0, 0, 0};          // accumulate, neuron, ptsoftmax, bspn (all cores)
  uint64_t drain_cycles = 0; // from the logits' arrival until the chip is idle again
  /// Per mapping task: first job start and last job end, in cycles from the sentence's start
  /// ({UINT64_MAX, 0} for tasks that ran no job: the host's, or tokens that never reach them).
  std::vector<std::pair<uint64_t, uint64_t>> task_spans;
  /// Per powered core: its mesh index and busy cycles per unit.
  std::vector<std::pair<int, std::array<uint64_t, 4>>> core_busy;
  /// Per mesh router: flits sent out of each port (local, north, east, south, west) during this
  /// sentence.
  std::vector<std::array<uint64_t, 5>> router_flits;
};

/// Builds the chip (SystemC elaboration, once per process) and runs sentences on it one after
/// another. Contract: at most one Simulator per process (a SystemC kernel elaborates once);
/// model, hw and mapping outlive it; the mapping has been verified against both.
class Simulator {
public:
  Simulator(const model::SorbetModel &model, const config::HwConfig &hw,
            const mapping::Mapping &mapping, uint64_t watchdog_cycles = 200000,
            const std::string &vcd_path = "");
  ~Simulator();

  /// Runs one sentence. Throws SimulationStalled (an InputError naming the blocked routers,
  /// their buffers and the waiting tasks) if the chip makes no progress for watchdog_cycles.
  SentenceRun run(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                  bool capture = false);

  /// After a run with capture: the first task output that differs from the reference's op
  /// output for the same sentence ("" if none).
  std::string first_mismatch(const std::vector<int32_t> &ids,
                             const std::vector<int32_t> &type_ids);

  Chip &chip() { return *m_chip; }
  /// Writes the trace recorded so far as Chrome/Perfetto trace-event JSON: per core and unit
  /// the busy intervals (named by task), per router its flits per 100 cycles. Times in us from
  /// `start_cycle`.
  std::string trace_json(uint64_t start_cycle) const;
  /// Puts the --vcd file of a complete run in place.
  void commit_vcd();
  const hw::Program &program() const { return m_prog; }

private:
  const model::SorbetModel &m_model;
  const config::HwConfig &m_hw;
  hw::Program m_prog;
  std::unique_ptr<Chip> m_chip;
  std::vector<std::array<uint64_t, 5>> m_router_flits_before; // counters at the sentence's start
};

} // namespace granita::sim
