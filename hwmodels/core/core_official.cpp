// SPDX-License-Identifier: Apache-2.0
// The core's jobs under the official numerics profile (docs/numerics.md §10): the same units as
// the hardware profile, with fixed-point multipliers (neuron.multiply) and the sentence-wide
// minima delivered by the reduction network.
#include "hwmodels/core/core.h"

#include "hwmodels/core/job_data.h"
#include "hwmodels/units/crossbar.h"
#include "src/ref/official_kernels.h"
#include "src/util/error.h"

namespace granita::hw {

using job::row_matrix;
using job::slice;
using mapping::Task;
using mapping::TaskKind;
namespace of = ref::official;

std::vector<int64_t> Core::compute_official(TaskState &ts, int token, JobActivity &act) {
  const Task &t = m_prog.mapping.tasks[size_t(ts.id)];
  const model::SorbetModel &m = m_prog.model;
  const model::Op &op = m.ops[size_t(t.op)];
  const UnitParams &up = m_p.units;
  const TokenInputs &in = ts.tokens[size_t(token)];
  auto producer = [&](size_t i) -> const model::Op & { return m.ops[size_t(op.inputs[i])]; };
  const int width = t.hi - t.lo;
  // The dequantization offset an op's output carries (the reduction network's result).
  auto offset_of = [&](int op_index) -> int64_t {
    if (!m_sync.reduced(op_index))
      return 0;
    const model::Op &p = m.ops[size_t(op_index)];
    const ReductionNetwork::Value &v = m_sync.value(op_index);
    if (p.type == model::OpType::PtSoftmax)
      return of::prob_offset({v.e_max, v.underflow}, p.prob_frac);
    return of::min_move(v.min).offset;
  };
  std::vector<int64_t> out;
  switch (t.kind) {
  case TaskKind::Fire: {
    const ref::IntMatrix x = row_matrix(in.slots[0]);
    if (op.type == model::OpType::Requant) {
      out = of::requant(x, slice(op.bias64, t.lo, t.hi), op.multiplier, op.rq_shift, op.rounding,
                        op.relu, slice(op.move64, t.lo, t.hi))
                .v;
      break; // a requant emits values, not spikes
    }
    const int64_t tensor_min = m_sync.reduced(t.op) ? m_sync.value(t.op).min : 0;
    out = of::fire(x, slice(op.bias64, t.lo, t.hi), op.multiplier, op.shift, op.rounding,
                   op.offset, m.arch.levels(), op.min_rule,
                   m_sync.reduced(t.op) ? &tensor_min : nullptr)
              .v;
    act.out_spikes = spike_events(out.data(), int(out.size()), true, spike_offset(op));
    break;
  }
  case TaskKind::PsumReduce: {
    out.assign(size_t(width), 0);
    for (const auto &s : in.slots)
      for (size_t i = 0; i < out.size(); ++i)
        out[i] += s[i];
    const int64_t offset = offset_of(op.inputs[0]);
    act.psum_offset = offset != 0;
    if (op.in_step != 1 || offset != 0) {
      // acc·in_step + offset·Σ_f w_jf (§10.4): a multiply for each, per output.
      for (int j = t.lo; j < t.hi; ++j) {
        const int64_t rowsum = 2 * int64_t(op.bits.row_ones[size_t(j)]) - op.bits.cols;
        out[size_t(j - t.lo)] = out[size_t(j - t.lo)] * op.in_step + offset * rowsum;
      }
    }
    break;
  }
  case TaskKind::Bspn:
    out = of::bspn(row_matrix(in.slots[0]), op.in_exp, op.group, slice(op.gamma_sign, t.lo, t.hi),
                   slice(op.gamma_exp, t.lo, t.hi), slice(op.bias, t.lo, t.hi), op.beta_exp,
                   op.out_exp)
              .v;
    break;
  case TaskKind::ResidualAdd:
    out = of::residual_add(row_matrix(in.slots[0]), slice(op.bias64, t.lo, t.hi), op.multiplier,
                           op.rq_shift, op.rounding, row_matrix(in.slots[1]),
                           producer(1).out_exp - op.out_exp)
              .v;
    break;
  case TaskKind::QkMatmul: {
    const int dh = int(in.slots[0].size());
    ref::IntMatrix k(m_n, dh);
    std::copy(ts.stored.begin(), ts.stored.end(), k.v.begin());
    out = of::qk_scores(row_matrix(in.slots[0]), k, 1, op.multiplier, op.score_shift,
                        producer(0).offset)
              .v;
    act.in_spikes = spike_events(in.slots[0].data(), dh, up.rate, spike_offset(producer(0)));
    break;
  }
  case TaskKind::PtSoftmax: {
    const ReductionNetwork::Value &v = m_sync.value(t.op);
    const of::ProbMin pm{v.e_max, v.underflow};
    out = of::ptsoftmax(row_matrix(in.slots[0]), op.frac_bits, op.prob_frac, op.multiplier,
                        op.rq_shift, m.arch.levels(), &pm)
              .v;
    act.out_spikes = spike_events(out.data(), int(out.size()), true);
    break;
  }
  case TaskKind::PvMatmul: {
    ref::IntMatrix v(m_n, width);
    std::copy(ts.stored.begin(), ts.stored.end(), v.v.begin());
    out = of::pv_matmul(row_matrix(in.slots[0], offset_of(op.inputs[0])), v, 1,
                        producer(1).offset, op.prob_step)
              .v;
    act.in_spikes = spike_events(in.slots[0].data(), m_n, up.rate);
    break;
  }
  case TaskKind::IntLinear:
    out = of::int_linear(row_matrix(in.slots[0]), op.weight_i32, op.bias64, op.features).v;
    break;
  default:
    GRANITA_ASSERT(false, "task kind " << mapping::task_kind_name(t.kind)
                                       << " has no official-profile job");
  }
  return out;
}

} // namespace granita::hw
