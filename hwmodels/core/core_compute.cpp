// SPDX-License-Identifier: Apache-2.0
// The core's jobs under the hardware numerics profile: each task kind's values from the reference
// kernels (src/ref) and its cycles and events from the unit formulas (hwmodels/units). The
// official profile's jobs are in core_official.cpp.
#include "hwmodels/core/core.h"

#include "hwmodels/core/job_data.h"
#include "hwmodels/units/accumulate.h"
#include "hwmodels/units/bspn.h"
#include "hwmodels/units/crossbar.h"
#include "hwmodels/units/neuron.h"
#include "hwmodels/units/ptsoftmax.h"
#include "src/ref/kernels.h"
#include "src/util/error.h"

#include <algorithm>

namespace granita::hw {

using mapping::Task;
using mapping::TaskKind;
using job::row_matrix;
using job::slice;

std::vector<int64_t> Core::compute(TaskState &ts, int token, int64_t &cycles) {
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  const model::SorbetModel &m = m_prog.model;
  const model::Op &op = m.ops[size_t(t.op)];
  const UnitParams &up = m_p.units;
  energy::EnergyCounters &ev = m_ledger.task(ts.id);
  TokenInputs &in = ts.tokens[size_t(token)];
  auto producer = [&](size_t i) -> const model::Op & { return m.ops[size_t(op.inputs[i])]; };
  std::vector<int64_t> out;
  if (m.profile == model::Profile::Official && t.kind != TaskKind::XbarTile &&
      t.kind != TaskKind::SelectCls) {
    out = compute_official(ts, token, cycles);
    in = TokenInputs{};
    return out;
  }
  switch (t.kind) {
  case TaskKind::XbarTile: {
    const auto &x = in.slots[0];
    out = ref::binary_linear_block(x.data(), op.in_offset, m.arch.bits, op.bits, t.row0, t.row1,
                                   t.col0, t.col1);
    const int o = up.signed_spikes ? op.in_offset : 0;
    cycles = xbar_job(up, spike_events(x.data(), int(x.size()), up.rate, o), t.col1 - t.col0,
                      o == 0, ev);
    break;
  }
  case TaskKind::PsumReduce: {
    out.assign(size_t(t.hi - t.lo), 0);
    for (const auto &s : in.slots)
      for (size_t i = 0; i < out.size(); ++i)
        out[i] += s[i];
    cycles = reduce_job(up, t.row_blocks, t.hi - t.lo, ev);
    break;
  }
  case TaskKind::Fire: {
    out = ref::fire(row_matrix(in.slots[0]), slice(op.bias, t.lo, t.hi), op.shift, op.offset,
                    m.arch.levels())
              .v;
    cycles = fire_job(up, t.hi - t.lo,
                      spike_events(out.data(), int(out.size()), true, spike_offset(op)), ev);
    break;
  }
  case TaskKind::Bspn: {
    out = ref::bspn(row_matrix(in.slots[0]), op.in_exp, op.group, slice(op.gamma_sign, t.lo, t.hi),
                    slice(op.gamma_exp, t.lo, t.hi), slice(op.bias, t.lo, t.hi), op.beta_exp,
                    op.out_exp)
              .v;
    cycles = bspn_job(up, t.hi - t.lo, ev);
    break;
  }
  case TaskKind::ResidualAdd: {
    out = ref::residual_add(row_matrix(in.slots[0]), producer(0).out_exp,
                            slice(op.bias, t.lo, t.hi), row_matrix(in.slots[1]),
                            producer(1).out_exp, op.out_exp)
              .v;
    cycles = residual_job(up, t.hi - t.lo, ev);
    break;
  }
  case TaskKind::SelectCls:
    out = in.slots[0];
    cycles = 1;
    break;
  case TaskKind::QkMatmul: {
    const int dh = int(in.slots[0].size());
    ref::IntMatrix k(m_n, dh);
    std::copy(ts.stored.begin(), ts.stored.end(), k.v.begin());
    out = ref::qk_scores(row_matrix(in.slots[0]), k, 1, op.score_shift, producer(0).offset).v;
    cycles = qk_job(up, spike_events(in.slots[0].data(), dh, up.rate, spike_offset(producer(0))),
                    m_n, ev);
    break;
  }
  case TaskKind::PtSoftmax: {
    out = ref::ptsoftmax(row_matrix(in.slots[0]), op.frac_bits, op.out_exp, m.arch.levels()).v;
    cycles = ptsoftmax_job(up, m_n, spike_events(out.data(), int(out.size()), true), ev);
    break;
  }
  case TaskKind::PvMatmul: {
    const int dh = t.hi - t.lo;
    ref::IntMatrix v(m_n, dh);
    std::copy(ts.stored.begin(), ts.stored.end(), v.v.begin());
    out = ref::pv_matmul(row_matrix(in.slots[0]), v, 1, producer(1).offset).v;
    cycles = pv_job(up, spike_events(in.slots[0].data(), m_n, up.rate), m_n, dh, ev);
    break;
  }
  case TaskKind::IntLinear: {
    const auto &x = in.slots[0];
    out = ref::int_linear(row_matrix(x), op.in_offset, op.weight_i8, op.bias, op.features).v;
    cycles =
        int_linear_job(up, spike_events(x.data(), int(x.size()), up.rate, spike_offset(op, true)),
                       op.features, ev);
    break;
  }
  default:
    GRANITA_ASSERT(false, "task kind " << mapping::task_kind_name(t.kind) << " on a core");
  }
  in = TokenInputs{}; // inputs consumed: free them
  return out;
}


} // namespace granita::hw
