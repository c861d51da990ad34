// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/core/core.h"

#include "hwmodels/core/job_data.h"
#include "hwmodels/units/task_cycles.h"
#include "src/ref/official_kernels.h"
#include "src/util/error.h"

#include <algorithm>
#include <sstream>

namespace granita::hw {

using energy::Event;
using mapping::Task;
using mapping::TaskKind;
using job::row_matrix;
using job::slice;

namespace {

/// Slot 1 of Q·Kᵀ and P·V is the operand held in scratch SRAM (K or V rows of every token).
bool holds_operand(const Task &t, size_t slot) {
  return slot == 1 && (t.kind == TaskKind::QkMatmul || t.kind == TaskKind::PvMatmul);
}

} // namespace

Core::Core(sc_core::sc_module_name name, const Params &p, const Program &prog, PacketPool &pool,
           EnergyLedger &ledger, ReductionNetwork &sync)
    : sc_core::sc_module(name), m_p(p), m_prog(prog), m_ledger(ledger), m_sync(sync),
      m_ni(prog, pool, ledger, p.flit_bits, p.virtual_channels, p.mesh_x),
      m_waker(m_wake, p.period), m_local_of(prog.mapping.tasks.size(), -1) {
  for (const Task &t : prog.mapping.tasks)
    if (t.core == p.index) {
      m_local_of[size_t(t.id)] = int(m_task_ids.size());
      m_task_ids.push_back(t.id);
      TaskState ts;
      ts.id = t.id;
      ts.unit = Unit(int(unit_of(t.kind))); // the same unit the compiler's schedule charges
      ts.reduced = m_sync.reduced(t.op) && t.kind != TaskKind::HostOut;
      m_state.push_back(std::move(ts));
    }
  SC_METHOD(step);
  dont_initialize();
  sensitive << m_wake;
}

void Core::begin_sentence(int n) {
  GRANITA_ASSERT(idle(), "core " << m_p.index << " still busy when a new sentence starts");
  m_n = n;
  for (TaskState &ts : m_state) {
    const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
    ts.tokens.assign(size_t(n_for(t)), TokenInputs{});
    ts.stored.clear();
    ts.stored_rows = 0;
    ts.waiting.assign(size_t(n_for(t)), false);
    ts.done = 0;
  }
  m_busy.fill(0);
  m_span.assign(m_state.size(), Span{});
  m_captured.assign(m_capture ? m_state.size() : 0, {});
  for (size_t i = 0; i < m_captured.size(); ++i)
    m_captured[i].assign(size_t(n_for(m_prog.mapping.tasks[size_t(m_state[i].id)])), {});
}

bool Core::idle() const {
  if (!m_ni.idle() || !m_local.empty() || !m_parked.empty())
    return false;
  for (int u = 0; u < kNumUnits; ++u)
    if (m_running[size_t(u)].active || !m_queue[size_t(u)].empty())
      return false;
  return true;
}

void Core::deliver(const Message &msg, uint64_t) {
  const mapping::Flow &f = m_prog.mapping.flows[size_t(msg.flow)];
  const int local = m_local_of[size_t(f.dst)];
  GRANITA_ASSERT(local >= 0, "message for task " << f.dst << " reached core " << m_p.index);
  TaskState &ts = m_state[size_t(local)];
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  const mapping::TaskInput &in = t.inputs[size_t(f.slot)];
  const int per_unit = f.seq_elements ? m_n : 1;
  const int offset = (f.lo - in.lo) * per_unit, width = (in.hi - in.lo) * per_unit;
  energy::EnergyCounters &ev = m_ledger.task(ts.id);
  TokenInputs &tk = ts.tokens[size_t(msg.token)];
  if (tk.arrived.empty()) {
    tk.arrived.assign(t.inputs.size(), 0);
    tk.slots.resize(t.inputs.size());
  }
  if (holds_operand(t, size_t(f.slot))) {
    // K or V row of one token: written to scratch SRAM (K also stores its offset sum).
    if (ts.stored.empty())
      ts.stored.assign(size_t(m_n) * size_t(width), 0);
    std::copy(msg.values.begin(), msg.values.end(),
              ts.stored.begin() + int64_t(msg.token) * width + offset);
    ev.add(Event::SramWriteBit, uint64_t(msg.values.size()) * uint64_t(m_prog.bits));
    if (t.kind == TaskKind::QkMatmul) {
      ev.add(Event::AccumulateAdd, uint64_t(msg.values.size()));
      ev.add(Event::SramWriteBit, uint64_t(mapping::kValueBits));
    }
    if (++tk.arrived[1] == m_prog.slot_flows[size_t(ts.id)][1] && ++ts.stored_rows == m_n)
      for (int q = 0; q < m_n; ++q)
        if (ts.waiting[size_t(q)]) {
          ts.waiting[size_t(q)] = false;
          token_ready(local, q);
        }
    return;
  }
  auto &buf = tk.slots[size_t(f.slot)];
  if (buf.empty())
    buf.assign(size_t(width), 0);
  std::copy(msg.values.begin(), msg.values.end(), buf.begin() + offset);
  if (t.kind == TaskKind::ResidualAdd && f.slot == 1)
    ev.add(Event::SramWriteBit, uint64_t(msg.values.size()) * mapping::kValueBits);
  ++tk.arrived[size_t(f.slot)];
  for (size_t s = 0; s < t.inputs.size(); ++s)
    if (!holds_operand(t, s) && tk.arrived[s] != m_prog.slot_flows[size_t(ts.id)][s])
      return;
  if (holds_operand(t, 1) && ts.stored_rows < m_n) {
    ts.waiting[size_t(msg.token)] = true; // needs every key / value first
    return;
  }
  token_ready(local, msg.token);
}

void Core::token_ready(int local, int token) {
  TaskState &ts = m_state[size_t(local)];
  if (!ts.reduced) {
    m_queue[size_t(ts.unit)].push_back({local, token});
    return;
  }
  // Official profile: the job's partial goes into the reduction network; the job waits (its
  // inputs stay in the unit's buffer) until the op's tensor-wide minimum comes back.
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  const model::Op &op = m_prog.model.ops[size_t(t.op)];
  const auto &x = ts.tokens[size_t(token)].slots[0];
  ReductionNetwork::Value partial;
  if (op.type == model::OpType::PtSoftmax) {
    const ref::official::ProbMin pm = ref::official::ptsoftmax_min(row_matrix(x), op.frac_bits);
    partial.e_max = pm.e_max;
    partial.underflow = pm.underflow;
  } else if (!x.empty()) {
    partial.min = *std::min_element(x.begin(), x.end());
  }
  m_parked.push_back({local, token});
  m_sync.subscribe(t.op, m_waker);
  m_sync.contribute(t.op, ts.id, partial, cycle());
}

void Core::release_parked(uint64_t now) {
  for (auto it = m_parked.begin(); it != m_parked.end();) {
    const TaskState &ts = m_state[size_t(it->local)];
    if (m_sync.ready_cycle(m_prog.mapping.tasks[size_t(ts.id)].op) <= now) {
      m_queue[size_t(ts.unit)].push_back(*it);
      it = m_parked.erase(it);
    } else {
      ++it;
    }
  }
}

void Core::start(Unit u, uint64_t now) {
  Running &r = m_running[size_t(u)];
  if (r.active || m_queue[size_t(u)].empty())
    return;
  r.job = m_queue[size_t(u)].front();
  m_queue[size_t(u)].pop_front();
  TaskState &ts = m_state[size_t(r.job.local)];
  JobActivity act;
  r.out = compute(ts, r.job.token, act);
  const int64_t cycles = std::max<int64_t>(
      task_cycles(m_p.units, m_prog.mapping.tasks[size_t(ts.id)], m_prog.model, m_n, act,
                  m_ledger.task(ts.id)),
      1);
  if (m_capture)
    m_captured[size_t(r.job.local)][size_t(r.job.token)] = r.out;
  r.end = now + uint64_t(cycles);
  r.active = true;
  Span &sp = m_span[size_t(r.job.local)];
  sp.first = std::min(sp.first, now);
  sp.last = std::max(sp.last, r.end);
  m_busy[size_t(u)] += uint64_t(cycles);
  m_unit_busy[size_t(u)] = true;
  if (m_trace)
    m_trace->busy(m_p.index, int(u), ts.id, now, r.end);
}

void Core::finish(Unit u, uint64_t now) {
  Running &r = m_running[size_t(u)];
  TaskState &ts = m_state[size_t(r.job.local)];
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  for (int fid : m_prog.out_flows[size_t(ts.id)]) {
    const mapping::Flow &f = m_prog.mapping.flows[size_t(fid)];
    const Task &dst = m_prog.mapping.tasks[size_t(f.dst)];
    if (dst.kind == TaskKind::SelectCls && r.job.token != 0)
      continue; // only [CLS] goes on to the pooler
    const int per_unit = f.seq_elements ? m_n : 1;
    const int64_t *v = r.out.data() + (f.lo - t.lo) * per_unit;
    const int count = (f.hi - f.lo) * per_unit;
    if (dst.core == m_p.index) {
      Message msg{fid, r.job.token, std::vector<int64_t>(v, v + count)};
      m_local.push_back({now + 1, std::move(msg)});
    } else {
      m_ni.send(fid, r.job.token, v, count, now);
    }
  }
  ++ts.done;
  ++m_jobs_done;
  r.active = false;
  m_unit_busy[size_t(u)] = false;
  r.out.clear();
}

void Core::end_of_elaboration() {
  m_tx = dynamic_cast<FlitChannel *>(to_router.get_interface(0));
  m_rx = dynamic_cast<FlitChannel *>(from_router.get_interface(0));
}

void Core::step() {
  const uint64_t now = cycle();
  while (!m_local.empty() && m_local.front().at <= now) {
    const LocalMessage lm = std::move(m_local.front());
    m_local.pop_front();
    deliver(lm.msg, now);
  }
  const std::function<void(const Message &)> on_message = [&](const Message &msg) {
    deliver(msg, now);
  };
  if (m_rx)
    m_ni.eject(*m_rx, now, on_message);
  else
    m_ni.eject(*from_router[0], now, on_message);
  release_parked(now);
  for (int u = 0; u < kNumUnits; ++u) {
    Running &r = m_running[size_t(u)];
    if (r.active && r.end <= now)
      finish(Unit(u), now);
    start(Unit(u), now);
  }
  const bool more_tx = m_tx ? m_ni.inject(*m_tx, now) : m_ni.inject(*to_router[0], now);
  uint64_t next = UINT64_MAX;
  if (more_tx)
    next = now + 1;
  const uint64_t arrival = m_rx ? m_rx->next_arrival() : from_router[0]->next_arrival();
  if (arrival != UINT64_MAX && arrival > now)
    next = std::min(next, arrival);
  if (!m_local.empty())
    next = std::min(next, m_local.front().at);
  for (const Running &r : m_running)
    if (r.active)
      next = std::min(next, r.end);
  for (const Job &j : m_parked) {
    const uint64_t ready =
        m_sync.ready_cycle(m_prog.mapping.tasks[size_t(m_state[size_t(j.local)].id)].op);
    if (ready != UINT64_MAX)
      next = std::min(next, std::max(ready, now + 1));
  }
  if (next != UINT64_MAX)
    m_waker.notify(next - now);
}

std::string Core::waiting_state() const {
  std::ostringstream os;
  for (const TaskState &ts : m_state) {
    const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
    if (ts.done < n_for(t))
      os << " '" << t.name << "' done " << ts.done << "/" << n_for(t) << " (stored "
         << ts.stored_rows << ")";
  }
  if (!m_parked.empty())
    os << " " << m_parked.size() << " job(s) waiting for a sentence-wide reduction";
  return os.str();
}

} // namespace granita::hw
