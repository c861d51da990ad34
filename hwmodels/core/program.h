// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

#include <vector>

namespace granita::hw {

/// What the chip executes: the model's parameters and the mapping, with per-task indexes the
/// hardware looks up at run time. Read-only after construction; shared by every core (it is the
/// configuration loaded into the chip, not a channel between modules).
struct Program {
  Program(const model::SorbetModel &m, const mapping::Mapping &mp);

  const model::SorbetModel &model;
  const mapping::Mapping &mapping;
  std::vector<std::vector<int>> out_flows;  // per task: flows it sends
  std::vector<std::vector<int>> slot_flows; // per task and slot: number of flows filling it
  std::vector<int> slot_base;               // index of a task's slot 0 in slot_flows_flat
  bool rate = true;                         // spike encoding: T time-step planes or bit planes
  bool signed_spikes = false;               // signed_rate: signed sites send |c − o| + a sign
  std::vector<int> flow_offset;             // per flow: o of the signed spikes it carries, or 0
  int bits = 4, time_steps = 16, levels = 15;
};

} // namespace granita::hw
