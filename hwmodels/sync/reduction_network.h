// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/core/program.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"

#include <systemc>

#include <cstdint>
#include <limits>
#include <vector>

namespace granita::hw {

/// The chip's sentence-wide reduction network (official numerics profile, docs/chip.md): a
/// combining tree over the mesh, beside the spike NoC, that folds one partial value per (task,
/// token) job of an op into the op's tensor-wide minimum and broadcasts the result back to every
/// core. The official unsigned quantizers need it: the FFN-down input's minimum over all tokens and
/// channels, and the attention probabilities' minimum over all heads and rows.
/// Timing: the result is usable `latency_cycles()` after the last partial arrives (up the tree and
/// back down, one cycle per level, plus one to combine). Energy: one sync.reduce per partial,
/// counted on the contributing task. Contract: begin_sentence() before each sentence; a core parks
/// the jobs of a reduced op until ready() and subscribes its wake-up event.
class ReductionNetwork {
public:
  struct Value {
    int64_t min = std::numeric_limits<int64_t>::max(); // fire: minimum of the inputs
    int64_t e_max = 0;                                  // ptsoftmax: largest exponent
    bool underflow = false;                             // ptsoftmax: some p underflowed
  };

  ReductionNetwork(const Program &prog, int mesh_cores, sc_core::sc_time period,
                   EnergyLedger &ledger);

  /// Whether jobs of `op` wait for a sentence-wide reduction.
  bool reduced(int op) const {
    return m_expected_per_token[size_t(op)] + m_expected_fixed[size_t(op)] > 0;
  }
  void begin_sentence(int n);
  /// One job's partial of `op`; when it is the last, wakes every subscriber at the ready cycle.
  void contribute(int op, int task, const Value &partial, uint64_t now);
  void subscribe(int op, const Wake &wake);
  /// The cycle from which the result of `op` is usable (UINT64_MAX while partials are missing).
  uint64_t ready_cycle(int op) const { return m_ops[size_t(op)].ready_at; }
  const Value &value(int op) const { return m_ops[size_t(op)].value; }
  int latency_cycles() const { return m_latency; }

private:
  struct OpState {
    int expected = 0, arrived = 0;
    Value value;
    uint64_t ready_at = UINT64_MAX;
    std::vector<Wake> subscribers;
  };
  std::vector<int> m_expected_per_token; // per op: jobs per token (tasks), 0 if not reduced
  std::vector<int> m_expected_fixed;     // per op: jobs that are not per token
  std::vector<OpState> m_ops;
  int m_latency = 1;
  sc_core::sc_time m_period;
  EnergyLedger &m_ledger;
};

} // namespace granita::hw
