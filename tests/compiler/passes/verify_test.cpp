// SPDX-License-Identifier: Apache-2.0
// verify (the model pass): what the chip family cannot run is an error at the op's location.
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

/// The diagnostics of compiling `m` on a chip big enough for anything tiny.
std::string verify_errors(const model::SorbetModel &m) {
  const auto hw = test::tiny_hw(6, 6, 64, 64, 4, 64);
  const CompileResult r = compile(m, hw);
  EXPECT_FALSE(r.mapping.has_value());
  // The model pass stops the pipeline: no pass after it ran.
  EXPECT_EQ(r.timings.size(), 2u);
  return test::errors(r);
}

TEST(VerifyPass, AcceptsASyntheticModel) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  IrGraph ir;
  ir.model = &m;
  ir.hw = &hw;
  PassContext ctx;
  EXPECT_TRUE(test::run_through(ir, ctx, "verify"));
  EXPECT_TRUE(ctx.diagnostics.empty());
}

TEST(VerifyPass, CountWidthAndTimeSteps) {
  auto m = test::tiny_model();
  m.arch.bits = 9;
  m.arch.time_steps = 1024;
  EXPECT_NE(verify_errors(m).find(
                "'embed': error: spike counts of 9 bits: the neuron unit emits 1..8-bit counts"),
            std::string::npos);
  m = test::tiny_model();
  m.arch.time_steps = 8; // 4-bit counts have 15 levels
  EXPECT_NE(verify_errors(m).find("error: rate coding needs at least 15 time steps for 4-bit "
                                  "counts, the model has 8"),
            std::string::npos);
}

TEST(VerifyPass, ShapesAndOperandKinds) {
  auto m = test::tiny_model();
  m.ops[3].in_features = 7; // attn.q reads the 8 features of attn.in
  EXPECT_NE(verify_errors(m).find("'layers.0.attn.q': error: in_features 7 but the input has 8"),
            std::string::npos);

  m = test::tiny_model();
  m.ops[3].inputs = {1}; // attn.q reading embed.norm's values instead of attn.in's counts
  EXPECT_NE(verify_errors(m).find("'layers.0.attn.q': error: a crossbar/classifier input must be "
                                  "spike counts (a fire op)"),
            std::string::npos);

  m = test::tiny_model();
  m.ops[11].heads = 3; // context: 8 features of V in 3 heads
  EXPECT_NE(
      verify_errors(m).find("'layers.0.attn.context': error: features 8 do not split into 3 heads"),
      std::string::npos);

  m = test::tiny_model();
  m.ops[9].inputs = {6, 4}; // scores holding K as attn.k's values (not counts)
  EXPECT_NE(verify_errors(m).find("'layers.0.attn.scores': error: the operand held in scratch "
                                  "SRAM must be spike counts"),
            std::string::npos);

  m = test::tiny_model();
  m.ops[14].inputs = {13, 9}; // attn.residual of out (8 features) and scores (2 heads)
  EXPECT_NE(
      verify_errors(m).find("'layers.0.attn.residual': error: residual operands differ in width"),
      std::string::npos);
}

} // namespace
} // namespace granita::compiler
