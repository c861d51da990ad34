// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/sync/reduction_network.h"

#include "src/util/error.h"

#include <algorithm>

namespace granita::hw {

namespace {

/// Ops whose jobs need their tensor-wide minimum before they can quantize.
bool needs_reduction(const model::SorbetModel &m, const model::Op &op) {
  if (m.profile != model::Profile::Official)
    return false;
  return (op.type == model::OpType::Fire && op.min_rule == model::MinRule::Official) ||
         op.type == model::OpType::PtSoftmax;
}

} // namespace

ReductionNetwork::ReductionNetwork(const Program &prog, int mesh_cores, sc_core::sc_time period,
                                   EnergyLedger &ledger)
    : m_expected_per_token(prog.model.ops.size(), 0),
      m_expected_fixed(prog.model.ops.size(), 0), m_ops(prog.model.ops.size()),
      m_period(period), m_ledger(ledger) {
  for (const mapping::Task &t : prog.mapping.tasks) {
    if (t.op < 0 || !needs_reduction(prog.model, prog.model.ops[size_t(t.op)]))
      continue;
    if (t.per_token)
      ++m_expected_per_token[size_t(t.op)];
    else
      ++m_expected_fixed[size_t(t.op)];
  }
  int depth = 0;
  while ((1 << depth) < mesh_cores)
    ++depth;
  m_latency = 2 * depth + 1; // up the tree, combine, back down
}

void ReductionNetwork::begin_sentence(int n) {
  for (size_t op = 0; op < m_ops.size(); ++op) {
    OpState &s = m_ops[op];
    s = OpState{};
    s.expected = m_expected_per_token[op] * n + m_expected_fixed[op];
  }
}

void ReductionNetwork::contribute(int op, int task, const Value &partial, uint64_t now) {
  OpState &s = m_ops[size_t(op)];
  GRANITA_ASSERT(s.arrived < s.expected, "more partials than jobs for op " << op);
  s.value.min = std::min(s.value.min, partial.min);
  s.value.e_max = std::max(s.value.e_max, partial.e_max);
  s.value.underflow = s.value.underflow || partial.underflow;
  m_ledger.task(task).add(energy::Event::SyncReduce);
  if (++s.arrived < s.expected)
    return;
  s.ready_at = now + uint64_t(m_latency);
  for (const Wake &w : s.subscribers)
    w.notify(uint64_t(m_latency));
  s.subscribers.clear();
}

void ReductionNetwork::subscribe(int op, const Wake &wake) {
  OpState &s = m_ops[size_t(op)];
  if (std::find(s.subscribers.begin(), s.subscribers.end(), wake) == s.subscribers.end())
    s.subscribers.push_back(wake);
}

} // namespace granita::hw
