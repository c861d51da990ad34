// SPDX-License-Identifier: Apache-2.0
// verify: the model is one this chip family can run (the package reader has already checked
// the numerics; this checks what the hardware needs).
#include "compiler/passes/passes.h"

namespace granita::compiler {

namespace {

class VerifyPass : public IPass {
public:
  const char *name() const override { return "verify"; }
  PassResult run(IrGraph &ir, PassContext &ctx) override {
    const model::SorbetModel &m = *ir.model;
    bool ok = true;
    auto fail = [&](Vertex v, const std::string &msg) {
      ctx.error(vertex_location(ir, v), msg);
      ok = false;
    };
    if (m.arch.bits < 1 || m.arch.bits > 8)
      fail(0, "spike counts of " + std::to_string(m.arch.bits) +
                  " bits: the neuron unit emits 1..8-bit counts");
    if (m.arch.time_steps < m.arch.levels())
      fail(0, "rate coding needs at least " + std::to_string(m.arch.levels()) +
                  " time steps for " + std::to_string(m.arch.bits) + "-bit counts, the model has " +
                  std::to_string(m.arch.time_steps));
    for (size_t i = 0; i < m.ops.size(); ++i) {
      const model::Op &op = m.ops[i];
      const Vertex v = Vertex(i);
      auto units = [&](int in) { return mapping::op_output_units(m, in); };
      switch (op.type) {
      case model::OpType::BinaryLinear:
      case model::OpType::IntLinear:
        // The official profile's classifier is a dense layer over the pooler's integer values.
        if (!m.ops[size_t(op.inputs[0])].counts &&
            !(op.type == model::OpType::IntLinear && m.profile == model::Profile::Official))
          fail(v, "a crossbar/classifier input must be spike counts (a fire op)");
        if (units(op.inputs[0]) != op.in_features)
          fail(v, "in_features " + std::to_string(op.in_features) + " but the input has " +
                      std::to_string(units(op.inputs[0])));
        break;
      case model::OpType::QkScores:
      case model::OpType::PvMatmul: {
        const int f = units(op.inputs[1]);
        if (op.heads <= 0 || f % op.heads != 0)
          fail(v, "features " + std::to_string(f) + " do not split into " +
                      std::to_string(op.heads) + " heads");
        if (!m.ops[size_t(op.inputs[1])].counts)
          fail(v, "the operand held in scratch SRAM must be spike counts");
        break;
      }
      case model::OpType::ResidualAdd:
        if (units(op.inputs[0]) != units(op.inputs[1]))
          fail(v, "residual operands differ in width");
        break;
      default:
        break;
      }
    }
    return ok ? PassResult::success() : PassResult::failure();
  }
};

} // namespace

std::unique_ptr<IPass> create_verify_pass(const Options &) {
  return std::make_unique<VerifyPass>();
}

} // namespace granita::compiler
