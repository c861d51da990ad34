// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/host/host_interface.h"

#include "src/ref/kernels.h"
#include "src/ref/official_kernels.h"
#include "src/util/error.h"

#include <algorithm>

namespace granita::hw {

using mapping::TaskKind;

HostInterface::HostInterface(sc_core::sc_module_name name, const Params &p, const Program &prog,
                             PacketPool &pool, EnergyLedger &ledger)
    : sc_core::sc_module(name), m_p(p), m_prog(prog),
      m_ni(prog, pool, ledger, p.flit_bits, p.virtual_channels, p.mesh_x) {
  for (const mapping::Task &t : prog.mapping.tasks) {
    if (t.kind == TaskKind::HostEmbed)
      m_embed = t.id;
    if (t.kind == TaskKind::HostOut)
      m_out = t.id;
  }
  GRANITA_ASSERT(m_embed >= 0 && m_out >= 0, "a verified mapping has host tasks");
  SC_METHOD(step);
  dont_initialize();
  sensitive << m_wake;
}

void HostInterface::start(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids) {
  const model::SorbetModel &m = m_prog.model;
  const mapping::Task &embed_task = m_prog.mapping.tasks[size_t(m_embed)];
  const model::Op &op = m.ops[size_t(embed_task.op)];
  const ref::IntMatrix h =
      m.profile == model::Profile::Official
          ? ref::official::embedding(ids, type_ids, op.bits, op.word_scale, op.pos32, op.type32,
                                     op.ln_gamma, op.ln_beta, m.arch.hidden,
                                     op.out_exp - op.ln_exp)
          : ref::embedding(ids, type_ids, op.bits, op.word_exp, op.pos, op.pos_exp, op.type_emb,
                           op.type_exp, m.arch.hidden, op.out_exp);
  m_start = cycle();
  // Token by token, so the first layers can start on token 0 while later tokens stream in.
  for (int tok = 0; tok < h.rows; ++tok)
    for (int fid : m_prog.out_flows[size_t(m_embed)]) {
      const mapping::Flow &f = m_prog.mapping.flows[size_t(fid)];
      if (m_prog.mapping.tasks[size_t(f.dst)].kind == TaskKind::SelectCls && tok != 0)
        continue;
      m_ni.send(fid, tok, h.row(tok) + f.lo, f.hi - f.lo, m_start);
    }
  const int outs = m_prog.mapping.tasks[size_t(m_out)].inputs[0].hi;
  m_logits.assign(size_t(outs), 0);
  m_arrived = 0;
  m_done = false;
  m_wake.notify(sc_core::SC_ZERO_TIME);
}

void HostInterface::step() {
  const uint64_t now = cycle();
  m_ni.eject(*from_router[0], now, [&](const Message &msg) {
    const mapping::Flow &f = m_prog.mapping.flows[size_t(msg.flow)];
    std::copy(msg.values.begin(), msg.values.end(), m_logits.begin() + f.lo);
    if (++m_arrived == m_prog.slot_flows[size_t(m_out)][0]) {
      m_done = true;
      m_done_cycle = now;
      m_done_event.notify(sc_core::SC_ZERO_TIME);
    }
  });
  uint64_t next = m_ni.inject(*to_router[0], now) ? now + 1 : UINT64_MAX;
  const uint64_t arrival = from_router[0]->next_arrival();
  if (arrival != UINT64_MAX && arrival > now)
    next = std::min(next, arrival);
  if (next != UINT64_MAX)
    m_wake.notify(m_p.period * double(next - now));
}

} // namespace granita::hw
