// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/core/program.h"

namespace granita::hw {

Program::Program(const model::SorbetModel &m, const mapping::Mapping &mp)
    : model(m), mapping(mp), out_flows(mp.tasks.size()), slot_flows(mp.tasks.size()) {
  for (const mapping::Task &t : mp.tasks)
    slot_flows[size_t(t.id)].assign(t.inputs.size(), 0);
  for (const mapping::Flow &f : mp.flows) {
    out_flows[size_t(f.src)].push_back(f.id);
    ++slot_flows[size_t(f.dst)][size_t(f.slot)];
  }
  rate = mp.encoding != "bitserial";
  signed_spikes = mp.encoding == "signed_rate";
  // Under signed_rate, a flow of a signed spiking op (a fire op with an offset) carries each
  // level as |c − o| spikes and a sign; every other flow keeps plain rate coding.
  flow_offset.assign(mp.flows.size(), 0);
  if (signed_spikes)
    for (const mapping::Flow &f : mp.flows) {
      const mapping::Task &src = mp.tasks[size_t(f.src)];
      if (f.payload != mapping::Payload::Spikes || src.op < 0)
        continue;
      const model::Op &op = m.ops[size_t(src.op)];
      if (op.counts)
        flow_offset[size_t(f.id)] = op.offset;
    }
  bits = m.arch.bits;
  time_steps = m.arch.time_steps;
  levels = m.arch.levels();
}

} // namespace granita::hw
