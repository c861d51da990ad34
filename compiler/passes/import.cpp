// SPDX-License-Identifier: Apache-2.0
// import: one vertex per Sorbet op (plus the host's logit sink), one edge per tensor.
#include "compiler/passes/passes.h"

namespace granita::compiler {

namespace {

mapping::TaskKind op_level_kind(model::OpType t) {
  using K = mapping::TaskKind;
  switch (t) {
  case model::OpType::Embedding: return K::HostEmbed;
  case model::OpType::Bspn: return K::Bspn;
  case model::OpType::Fire: return K::Fire;
  case model::OpType::BinaryLinear: return K::XbarTile;
  case model::OpType::QkScores: return K::QkMatmul;
  case model::OpType::PtSoftmax: return K::PtSoftmax;
  case model::OpType::PvMatmul: return K::PvMatmul;
  case model::OpType::ResidualAdd: return K::ResidualAdd;
  case model::OpType::SelectCls: return K::SelectCls;
  case model::OpType::IntLinear: return K::IntLinear;
  case model::OpType::Requant: return K::Fire; // the neuron unit rescales it
  }
  return K::Fire;
}

class ImportPass : public IPass {
public:
  const char *name() const override { return "import"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    const model::SorbetModel &m = *ir.model;
    ir.g = BoostGraph();
    for (size_t i = 0; i < m.ops.size(); ++i) {
      const model::Op &op = m.ops[i];
      IrVertex v;
      v.task.id = int(i);
      v.task.name = op.name;
      v.task.kind = op_level_kind(op.type);
      v.task.op = int(i);
      v.task.core = kUnplaced;
      v.task.lo = 0;
      v.task.hi = mapping::op_output_units(m, int(i));
      for (int in : op.inputs)
        if (in >= 0)
          v.task.inputs.push_back({in, 0, mapping::op_output_units(m, in)});
      v.model_line = op.yaml_line;
      boost::add_vertex(std::move(v), ir.g);
    }
    IrVertex out;
    out.task.id = int(m.ops.size());
    out.task.name = "host.logits";
    out.task.kind = mapping::TaskKind::HostOut;
    out.task.core = kUnplaced;
    out.task.inputs.push_back({m.output, 0, mapping::op_output_units(m, m.output)});
    const Vertex sink = boost::add_vertex(std::move(out), ir.g);
    for (size_t i = 0; i < m.ops.size(); ++i)
      for (size_t s = 0; s < m.ops[i].inputs.size(); ++s) {
        const int in = m.ops[i].inputs[s];
        if (in < 0)
          continue;
        mapping::Flow f;
        f.src = in;
        f.dst = int(i);
        f.slot = int(s);
        f.lo = 0;
        f.hi = mapping::op_output_units(m, in);
        boost::add_edge(Vertex(in), Vertex(i), IrEdge{f}, ir.g);
      }
    mapping::Flow f;
    f.src = m.output;
    f.dst = int(sink);
    f.hi = mapping::op_output_units(m, m.output);
    boost::add_edge(Vertex(m.output), sink, IrEdge{f}, ir.g);
    ir.level = IrLevel::Ops;
    return PassResult::success();
  }
};

} // namespace

std::unique_ptr<IPass> create_import_pass(const Options &) {
  return std::make_unique<ImportPass>();
}

} // namespace granita::compiler
