// SPDX-License-Identifier: Apache-2.0
#pragma once

// The fewest cycles one message of a task can occupy its core's unit: the unit formulas of this
// folder with no spike arriving (the data-independent part of the work), composed per task kind
// exactly as the core composes them (hwmodels/core/core.cpp, core_official.cpp). The compiler's
// schedule pass builds its cycle lower bound from these.

#include "hwmodels/units/unit_params.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

namespace granita::hw {

/// Which unit of a core serves a task kind (the schedule's busy-unit accounting).
enum class CoreUnit { Accumulate, Neuron, PtSoftmax, Bspn };
CoreUnit unit_of(mapping::TaskKind kind);

/// Minimum cycles of one message of `t` (0 for host tasks), `n` the model's max_seq_len.
int64_t min_task_cycles(const UnitParams &p, const mapping::Task &t, const model::SorbetModel &m,
                        int n);

} // namespace granita::hw
