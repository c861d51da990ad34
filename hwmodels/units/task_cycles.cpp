// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/min_cycles.h"

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

int64_t min_task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                        int n) {
  if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut)
    return 0;
  const model::Op &op = m.ops[size_t(t.op)];
  const bool official = m.profile == model::Profile::Official;
  const int width = t.hi - t.lo;
  energy::EnergyCounters scratch; // the events are not wanted here
  int64_t c = 0;
  switch (t.kind) {
  case TaskKind::XbarTile: {
    const bool offset_pass = !(p.signed_spikes && op.in_offset != 0);
    c = xbar_job(p, 0, t.col1 - t.col0, offset_pass, scratch);
    break;
  }
  case TaskKind::PsumReduce:
    c = reduce_job(p, t.row_blocks, width, scratch);
    if (official && op.in_step != 1) // the step rescale; the offset term depends on the data
      c += multiply_job(p, 2 * int64_t(width), scratch);
    break;
  case TaskKind::Fire:
    c = fire_job(p, width, 0, scratch) + (official ? multiply_job(p, width, scratch) : 0);
    break;
  case TaskKind::Bspn: c = bspn_job(p, width, scratch); break;
  case TaskKind::ResidualAdd:
    c = residual_job(p, width, scratch) + (official ? multiply_job(p, width, scratch) : 0);
    break;
  case TaskKind::SelectCls: c = 1; break;
  case TaskKind::QkMatmul:
    c = qk_job(p, 0, n, scratch) + (official ? multiply_job(p, n, scratch) : 0);
    break;
  case TaskKind::PtSoftmax:
    c = ptsoftmax_job(p, n, 0, scratch) + (official ? multiply_job(p, n, scratch) : 0);
    break;
  case TaskKind::PvMatmul:
    c = pv_job(p, 0, n, width, scratch) + (official ? multiply_job(p, width, scratch) : 0);
    break;
  case TaskKind::IntLinear:
    c = official ? dense_linear_job(p, mapping::op_output_units(m, op.inputs[0]), op.features,
                                    scratch)
                 : int_linear_job(p, 0, op.features, scratch);
    break;
  default: break;
  }
  return std::max<int64_t>(c, 1); // the core charges every job at least one cycle
}

} // namespace granita::hw
