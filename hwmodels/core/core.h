// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/noc/network_interface.h"
#include "hwmodels/core/program.h"
#include "hwmodels/units/task_cycles.h"
#include "hwmodels/units/unit_params.h"
#include "hwmodels/describe.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"
#include "hwmodels/sync/reduction_network.h"

#include <systemc>

#include <array>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace granita::hw {

/// A neuromorphic core: crossbar arrays (R x C 1-bit synapses each), an accumulate unit, a
/// neuron unit, a PTsoftmax unit, a BSPN unit and scratch SRAM, behind a network interface.
/// It runs the mapping's tasks placed on it, data-driven: a task's work for a token starts when
/// all its inputs for that token have arrived (and, for attention, all keys / values are
/// stored), on the unit that task kind uses, in arrival order; a unit does one job at a time
/// and is busy for the job's cycle count (task_cycles.h). Values come from the reference kernels.
/// Contract: sleeps while nothing is queued; the Program, pool and ledger outlive it.
class Core : public sc_core::sc_module, public IWakeable {
public:
  SC_HAS_PROCESS(Core);
  struct Params {
    int index = 0, mesh_x = 1;
    int flit_bits = 64, virtual_channels = 1;
    UnitParams units;
    sc_core::sc_time period;
  };
  static std::vector<UnitDescription> describe();

  // Ports: flits to the router's Local input, flits from the router's Local output.
  sc_core::sc_port<IFlitTx> to_router;
  sc_core::sc_port<IFlitRx> from_router;

  Core(sc_core::sc_module_name name, const Params &p, const Program &prog, PacketPool &pool,
       EnergyLedger &ledger, ReductionNetwork &sync);

  /// Resets per-sentence state for a sentence of n tokens (called between sentences).
  void begin_sentence(int n);
  const Wake &wake() const { return m_waker; }
  /// Runs the core from `calendar` instead of its own process (before any binding).
  void use_calendar(WakeCalendar &calendar) {
    m_waker = Wake(calendar, calendar.add(this));
    m_clock = &calendar;
  }
  void on_wake() override { step(); }
  bool idle() const;
  /// A unit is in the middle of a job.
  bool computing() const {
    for (const Running &r : m_running)
      if (r.active)
        return true;
    return false;
  }
  uint64_t jobs_done() const { return m_jobs_done; }
  /// Busy cycles per unit in this sentence (accumulate, neuron, ptsoftmax, bspn).
  const std::array<uint64_t, 4> &busy_cycles() const { return m_busy; }
  /// Per local task in this sentence: the cycle its first job started and its last job ended
  /// (UINT64_MAX / 0 when it ran no job).
  struct Span {
    uint64_t first = UINT64_MAX, last = 0;
  };
  const std::vector<Span> &task_spans() const { return m_span; }
  int index() const { return m_p.index; }
  /// Tasks still waiting for inputs, for the watchdog's report.
  std::string waiting_state() const;
  const std::vector<int> &tasks() const { return m_task_ids; }
  /// When on, every job's output is kept (task id -> token -> values) for bit-exact diagnosis.
  void set_capture(bool on) { m_capture = on; }
  const std::vector<std::vector<std::vector<int64_t>>> &captured() const { return m_captured; }
  /// Optional trace sink (not owned).
  void set_trace(TraceRecorder *t) { m_trace = t; }
  /// Per unit: 1 while a job runs (for VCD tracing with sc_trace).
  const bool &unit_busy(int u) const { return m_unit_busy[size_t(u)]; }

private:
  // In the order of hw::CoreUnit (hwmodels/units/task_cycles.h).
  enum Unit { kAccumulate = 0, kNeuron = 1, kSoftmax = 2, kBspn = 3, kNumUnits = 4 };
  static_assert(kAccumulate == int(CoreUnit::Accumulate) && kNeuron == int(CoreUnit::Neuron) &&
                kSoftmax == int(CoreUnit::PtSoftmax) && kBspn == int(CoreUnit::Bspn));
  struct TokenInputs {
    std::vector<std::vector<int64_t>> slots;
    std::vector<int> arrived;
  };
  struct TaskState {
    int id = -1;
    Unit unit = kAccumulate;
    std::vector<TokenInputs> tokens; // per token
    std::vector<int64_t> stored;     // K or V rows (attention), n x width
    int stored_rows = 0;
    std::vector<bool> waiting;       // query token complete but keys/values not yet all stored
    int done = 0;
    bool reduced = false;            // jobs wait for the op's sentence-wide minimum
  };
  struct Job {
    int local = -1, token = 0;
  };
  struct Running {
    Job job;
    uint64_t end = 0;
    std::vector<int64_t> out;
    bool active = false;
  };
  struct LocalMessage {
    uint64_t at;
    Message msg;
  };

  void end_of_elaboration() override;
  void step();
  void deliver(const Message &m, uint64_t now);
  void token_ready(int local, int token);
  void release_parked(uint64_t now);
  std::vector<int64_t> compute_official(TaskState &ts, int token, JobActivity &act);
  void start(Unit u, uint64_t now);
  void finish(Unit u, uint64_t now);
  /// A job's values from the reference kernels, and what its cycles depend on in `act` (the
  /// cycles themselves are task_cycles() of hwmodels/units).
  std::vector<int64_t> compute(TaskState &ts, int token, JobActivity &act);
  int n_for(const mapping::Task &t) const { return t.per_token ? m_n : 1; }
  /// The signed offset whose spikes carry a sign (signed_rate coding): the offset of a spiking
  /// op's output (`input` false) or of its input (`input` true, binary / int linear); 0 when
  /// the encoding is not signed_rate.
  int spike_offset(const model::Op &op, bool input = false) const {
    return m_p.units.signed_spikes ? (input ? op.in_offset : op.offset) : 0;
  }
  uint64_t cycle() const {
    return m_clock ? m_clock->now() : uint64_t(sc_core::sc_time_stamp() / m_p.period);
  }

  Params m_p;
  const Program &m_prog;
  EnergyLedger &m_ledger;
  ReductionNetwork &m_sync;
  NetworkInterface m_ni;
  sc_core::sc_event m_wake;
  Wake m_waker;
  const WakeCalendar *m_clock = nullptr;
  // The channels bound to to_router / from_router when they are FlitChannels (called directly).
  FlitChannel *m_tx = nullptr, *m_rx = nullptr;
  std::vector<int> m_task_ids;        // tasks on this core
  std::vector<int> m_local_of;        // task id -> local index or -1
  std::vector<TaskState> m_state;
  std::array<std::deque<Job>, kNumUnits> m_queue;
  std::array<Running, kNumUnits> m_running;
  std::array<uint64_t, kNumUnits> m_busy{};
  std::vector<Span> m_span; // per local task
  std::deque<LocalMessage> m_local;   // messages between tasks of this core (1 cycle)
  std::deque<Job> m_parked;           // jobs waiting for their op's sentence-wide reduction
  int m_n = 0;
  uint64_t m_jobs_done = 0;
  bool m_capture = false;
  TraceRecorder *m_trace = nullptr;
  std::array<bool, kNumUnits> m_unit_busy{};
  std::vector<std::vector<std::vector<int64_t>>> m_captured; // [local task][token]
};

} // namespace granita::hw
