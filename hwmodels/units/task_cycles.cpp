// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/task_cycles.h"

#include "hwmodels/units/accumulate.h"
#include "hwmodels/units/bspn.h"
#include "hwmodels/units/crossbar.h"
#include "hwmodels/units/neuron.h"
#include "hwmodels/units/ptsoftmax.h"

#include <algorithm>

namespace granita::hw {

using mapping::TaskKind;

CoreUnit unit_of(TaskKind kind) {
  switch (kind) {
  case TaskKind::Fire: return CoreUnit::Neuron;
  case TaskKind::PtSoftmax: return CoreUnit::PtSoftmax;
  case TaskKind::Bspn: return CoreUnit::Bspn;
  default: return CoreUnit::Accumulate;
  }
}

int64_t task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                    int n, const JobActivity &a, energy::EnergyCounters &ev) {
  if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut)
    return 0;
  const model::Op &op = m.ops[size_t(t.op)];
  // Under the official profile the neuron lanes also rescale (docs/numerics.md §10): the jobs
  // below add those multiplies. Crossbar tiles and select_cls are the same in both profiles.
  const bool official = m.profile == model::Profile::Official;
  const int width = t.hi - t.lo;
  switch (t.kind) {
  case TaskKind::XbarTile: {
    // Signed spikes carry their sign, so the crossbar needs no pass for the offset term.
    const bool offset_pass = !(p.signed_spikes && op.in_offset != 0);
    return xbar_job(p, a.in_spikes, t.col1 - t.col0, offset_pass, ev);
  }
  case TaskKind::PsumReduce: {
    int64_t c = reduce_job(p, t.row_blocks, width, ev);
    if (official && (op.in_step != 1 || a.psum_offset)) // acc·in_step + offset·rowsum
      c += multiply_job(p, 2 * int64_t(width), ev);
    return c;
  }
  case TaskKind::Fire:
    return fire_job(p, width, a.out_spikes, ev) + (official ? multiply_job(p, width, ev) : 0);
  case TaskKind::Bspn: return bspn_job(p, width, ev);
  case TaskKind::ResidualAdd:
    return residual_job(p, width, ev) + (official ? multiply_job(p, width, ev) : 0);
  case TaskKind::SelectCls: return 1;
  case TaskKind::QkMatmul:
    return qk_job(p, a.in_spikes, n, ev) + (official ? multiply_job(p, n, ev) : 0);
  case TaskKind::PtSoftmax:
    return ptsoftmax_job(p, n, a.out_spikes, ev) + (official ? multiply_job(p, n, ev) : 0);
  case TaskKind::PvMatmul:
    return pv_job(p, a.in_spikes, n, width, ev) + (official ? multiply_job(p, width, ev) : 0);
  case TaskKind::IntLinear:
    return official ? dense_linear_job(p, mapping::op_output_units(m, op.inputs[0]), op.features,
                                       ev)
                    : int_linear_job(p, a.in_spikes, op.features, ev);
  default: return 0;
  }
}

int64_t min_task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                        int n) {
  if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut)
    return 0;
  energy::EnergyCounters scratch; // the events are not wanted here
  return std::max<int64_t>(task_cycles(p, t, m, n, JobActivity{}, scratch), 1);
}

} // namespace granita::hw
