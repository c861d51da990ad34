// SPDX-License-Identifier: Apache-2.0
// The core's jobs under the hardware numerics profile: each task kind's values from the reference
// kernels (src/ref) and the spikes its cycles depend on; the cycles and events themselves are
// task_cycles() of hwmodels/units. The official profile's jobs are in core_official.cpp.
#include "hwmodels/core/core.h"

#include "hwmodels/core/job_data.h"
#include "hwmodels/units/crossbar.h"
#include "src/ref/kernels.h"
#include "src/util/error.h"

#include <algorithm>

namespace granita::hw {

using mapping::Task;
using mapping::TaskKind;
using job::row_matrix;
using job::slice;

std::vector<int64_t> Core::compute(TaskState &ts, int token, JobActivity &act) {
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  const model::SorbetModel &m = m_prog.model;
  const model::Op &op = m.ops[size_t(t.op)];
  const UnitParams &up = m_p.units;
  TokenInputs &in = ts.tokens[size_t(token)];
  auto producer = [&](size_t i) -> const model::Op & { return m.ops[size_t(op.inputs[i])]; };
  std::vector<int64_t> out;
  if (m.profile == model::Profile::Official && t.kind != TaskKind::XbarTile &&
      t.kind != TaskKind::SelectCls) {
    out = compute_official(ts, token, act);
    in = TokenInputs{};
    return out;
  }
  switch (t.kind) {
  case TaskKind::XbarTile: {
    const auto &x = in.slots[0];
    out = ref::binary_linear_block(x.data(), op.in_offset, m.arch.bits, op.bits, t.row0, t.row1,
                                   t.col0, t.col1);
    act.in_spikes =
        spike_events(x.data(), int(x.size()), up.rate, up.signed_spikes ? op.in_offset : 0);
    break;
  }
  case TaskKind::PsumReduce: {
    out.assign(size_t(t.hi - t.lo), 0);
    for (const auto &s : in.slots)
      for (size_t i = 0; i < out.size(); ++i)
        out[i] += s[i];
    break;
  }
  case TaskKind::Fire: {
    out = ref::fire(row_matrix(in.slots[0]), slice(op.bias, t.lo, t.hi), op.shift, op.offset,
                    m.arch.levels())
              .v;
    act.out_spikes = spike_events(out.data(), int(out.size()), true, spike_offset(op));
    break;
  }
  case TaskKind::Bspn: {
    out = ref::bspn(row_matrix(in.slots[0]), op.in_exp, op.group, slice(op.gamma_sign, t.lo, t.hi),
                    slice(op.gamma_exp, t.lo, t.hi), slice(op.bias, t.lo, t.hi), op.beta_exp,
                    op.out_exp)
              .v;
    break;
  }
  case TaskKind::ResidualAdd: {
    out = ref::residual_add(row_matrix(in.slots[0]), producer(0).out_exp,
                            slice(op.bias, t.lo, t.hi), row_matrix(in.slots[1]),
                            producer(1).out_exp, op.out_exp)
              .v;
    break;
  }
  case TaskKind::SelectCls:
    out = in.slots[0];
    break;
  case TaskKind::QkMatmul: {
    const int dh = int(in.slots[0].size());
    ref::IntMatrix k(m_n, dh);
    std::copy(ts.stored.begin(), ts.stored.end(), k.v.begin());
    out = ref::qk_scores(row_matrix(in.slots[0]), k, 1, op.score_shift, producer(0).offset).v;
    act.in_spikes = spike_events(in.slots[0].data(), dh, up.rate, spike_offset(producer(0)));
    break;
  }
  case TaskKind::PtSoftmax: {
    out = ref::ptsoftmax(row_matrix(in.slots[0]), op.frac_bits, op.out_exp, m.arch.levels()).v;
    act.out_spikes = spike_events(out.data(), int(out.size()), true);
    break;
  }
  case TaskKind::PvMatmul: {
    const int dh = t.hi - t.lo;
    ref::IntMatrix v(m_n, dh);
    std::copy(ts.stored.begin(), ts.stored.end(), v.v.begin());
    out = ref::pv_matmul(row_matrix(in.slots[0]), v, 1, producer(1).offset).v;
    act.in_spikes = spike_events(in.slots[0].data(), m_n, up.rate);
    break;
  }
  case TaskKind::IntLinear: {
    const auto &x = in.slots[0];
    out = ref::int_linear(row_matrix(x), op.in_offset, op.weight_i8, op.bias, op.features).v;
    act.in_spikes = spike_events(x.data(), int(x.size()), up.rate, spike_offset(op, true));
    break;
  }
  default:
    GRANITA_ASSERT(false, "task kind " << mapping::task_kind_name(t.kind) << " on a core");
  }
  in = TokenInputs{}; // inputs consumed: free them
  return out;
}


} // namespace granita::hw
