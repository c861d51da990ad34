// SPDX-License-Identifier: Apache-2.0
// lower: Sorbet ops -> hardware primitives, still whole (the tile pass splits them).
#include "compiler/passes/passes.h"

namespace granita::compiler {

namespace {

using mapping::Task;
using mapping::TaskKind;

class LowerPass : public IPass {
public:
  const char *name() const override { return "lower"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    const model::SorbetModel &m = *ir.model;
    std::vector<Task> tasks;
    std::vector<int> lines;
    std::vector<bool> per_token(m.ops.size(), true);
    auto emit = [&](Task t, int line) {
      t.inputs = mapping::expected_inputs(t, m);
      tasks.push_back(std::move(t));
      lines.push_back(line);
    };
    for (size_t i = 0; i < m.ops.size(); ++i) {
      const model::Op &op = m.ops[i];
      for (int in : op.inputs)
        if (in >= 0 && !per_token[size_t(in)])
          per_token[i] = false;
      if (op.type == model::OpType::SelectCls)
        per_token[i] = false;
      Task t;
      t.op = int(i);
      t.name = op.name;
      t.core = kUnplaced;
      t.per_token = per_token[i];
      t.lo = 0;
      t.hi = mapping::op_output_units(m, int(i));
      switch (op.type) {
      case model::OpType::Embedding:
        t.kind = TaskKind::HostEmbed;
        t.core = mapping::kHostCore;
        emit(t, op.yaml_line);
        break;
      case model::OpType::BinaryLinear: {
        Task tile = t;
        tile.kind = TaskKind::XbarTile;
        tile.name = op.name + ".mvm";
        tile.row0 = 0;
        tile.row1 = op.in_features;
        tile.col0 = 0;
        tile.col1 = op.features;
        emit(tile, op.yaml_line);
        t.kind = TaskKind::PsumReduce;
        t.name = op.name + ".reduce";
        t.row_blocks = 1;
        emit(t, op.yaml_line);
        break;
      }
      case model::OpType::QkScores:
      case model::OpType::PtSoftmax:
      case model::OpType::PvMatmul: {
        const TaskKind k = op.type == model::OpType::QkScores ? TaskKind::QkMatmul
                           : op.type == model::OpType::PtSoftmax ? TaskKind::PtSoftmax
                                                                 : TaskKind::PvMatmul;
        const int heads = k == TaskKind::PvMatmul ? op.heads : t.hi;
        const int width = t.hi / heads;
        for (int h = 0; h < heads; ++h) {
          Task ht = t;
          ht.kind = k;
          ht.head = h;
          ht.lo = h * width;
          ht.hi = (h + 1) * width;
          ht.name = op.name + ".h" + std::to_string(h);
          emit(ht, op.yaml_line);
        }
        break;
      }
      default:
        t.kind = op.type == model::OpType::Bspn          ? TaskKind::Bspn
                 : op.type == model::OpType::Fire        ? TaskKind::Fire
                 : op.type == model::OpType::Requant     ? TaskKind::Fire // neuron unit
                 : op.type == model::OpType::ResidualAdd ? TaskKind::ResidualAdd
                 : op.type == model::OpType::SelectCls   ? TaskKind::SelectCls
                                                         : TaskKind::IntLinear;
        emit(t, op.yaml_line);
      }
    }
    Task out;
    out.kind = TaskKind::HostOut;
    out.name = "host.logits";
    out.core = mapping::kHostCore;
    out.per_token = false;
    emit(out, 0);
    ir.set_tasks(std::move(tasks), lines);
    ir.level = IrLevel::Primitives;
    return PassResult::success();
  }
};

} // namespace

std::unique_ptr<IPass> create_lower_pass(const Options &) { return std::make_unique<LowerPass>(); }

} // namespace granita::compiler
