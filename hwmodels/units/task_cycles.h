// SPDX-License-Identifier: Apache-2.0
#pragma once

// How each task kind composes the unit formulas of this folder into one job: which unit serves
// it, which unit jobs it runs and how their cycles add up (a fire and, under the official
// profile, its rescale multiplies; a partial-sum reduction and its step rescale; ...). Written
// once for both users: the SystemC core charges every job with task_cycles()
// (hwmodels/core/core.cpp), and the compiler's schedule takes its cycle lower bound from
// min_task_cycles(), the same composition with no spike arriving.

#include "hwmodels/units/unit_params.h"
#include "src/energy/event_registry.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

namespace granita::hw {

/// Which unit of a core serves a task kind (the schedule's busy-unit accounting).
enum class CoreUnit { Accumulate, Neuron, PtSoftmax, Bspn };
CoreUnit unit_of(mapping::TaskKind kind);

/// What a job's cycles depend on besides its task: the data, as the core counts it from the
/// job's values. All zero (no spike arriving) for the schedule's lower bound.
struct JobActivity {
  /// Spike events into the unit: the input of xbar_tile, qk_matmul, pv_matmul and (hardware
  /// profile) int_linear.
  int64_t in_spikes = 0;
  /// Spike events out of the unit: what a fire (0 for a requant) or a ptsoftmax emits.
  int64_t out_spikes = 0;
  /// Official profile psum_reduce: its input carries a dequantization offset, which costs the
  /// same rescale multiplies as an in_step other than 1.
  bool psum_offset = false;
};

/// Cycles one job (one message) of `t` occupies its unit, its events added to `ev`; `n` is the
/// sentence length the attention jobs run over. 0 for host tasks; the core charges at least 1.
int64_t task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                    int n, const JobActivity &a, energy::EnergyCounters &ev);

/// Minimum cycles of one message of `t` (0 for host tasks, else at least 1 as the core charges),
/// `n` the model's max_seq_len: task_cycles() with no spike arriving.
int64_t min_task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                        int n);

} // namespace granita::hw
