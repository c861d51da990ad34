// SPDX-License-Identifier: Apache-2.0
// PassManager: the IR verifier after every pass catches a pass that breaks the IR, names the pass
// and dumps the IR; with the verifier off the broken IR goes through.
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

/// Puts the first tile on crossbar 99 (the chip has 2 per core): a compiler bug.
class BreakerPass : public IPass {
public:
  const char *name() const override { return "breaker"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g)))
      if (ir.g[v].task.kind == mapping::TaskKind::XbarTile) {
        ir.g[v].task.crossbar = 99;
        break;
      }
    return PassResult::success();
  }
};

/// Fails with one diagnostic.
class FailingPass : public IPass {
public:
  const char *name() const override { return "failing"; }
  PassResult run(IrGraph &, PassContext &ctx) override {
    ctx.error("somewhere", "went wrong", {"a note"});
    return PassResult::failure();
  }
};

TEST(PassManager, VerifierNamesThePassThatBrokeTheIr) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  for (bool verify : {true, false}) {
    SCOPED_TRACE(verify);
    IrGraph ir;
    ir.model = &m;
    ir.hw = &hw;
    Options o;
    o.verify_each = verify;
    PassManager pm(o);
    for (auto &p : test::pipeline())
      if (std::string(p->name()) != "route" && std::string(p->name()) != "schedule")
        pm.add(std::move(p));
    pm.add(std::make_unique<BreakerPass>());
    std::vector<std::string> dumped;
    pm.dump_after("none",
                  [&](const std::string &pass, const IrGraph &) { dumped.push_back(pass); });
    EXPECT_EQ(pm.pass_names(),
              (std::vector<std::string>{"import", "verify", "lower", "tile", "place", "breaker"}));
    PassContext ctx;
    const bool ok = pm.run(ir, ctx);
    EXPECT_EQ(pm.timings().size(), 6u);
    if (!verify) {
      EXPECT_TRUE(ok);
      EXPECT_TRUE(dumped.empty());
      continue;
    }
    EXPECT_FALSE(ok);
    EXPECT_EQ(format_diagnostics(ctx.diagnostics),
              "'layers.0.attn.q.tile.r0c0': error: crossbar slot is invalid or already taken\n"
              "pass breaker: note: the IR verifier failed after this pass (a compiler bug)\n");
    EXPECT_EQ(dumped, std::vector<std::string>{"breaker"});
  }
}

TEST(PassManager, StopsAtTheFirstFailure) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  IrGraph ir;
  ir.model = &m;
  ir.hw = &hw;
  PassManager pm(Options{});
  pm.add(create_import_pass({}));
  pm.add(std::make_unique<FailingPass>());
  pm.add(create_lower_pass({}));
  PassContext ctx;
  EXPECT_FALSE(pm.run(ir, ctx));
  EXPECT_EQ(pm.timings().size(), 2u);
  EXPECT_EQ(format_diagnostics(ctx.diagnostics), "somewhere: error: went wrong\n  note: a note\n");
  EXPECT_EQ(ir.level, IrLevel::Ops);
}

} // namespace
} // namespace granita::compiler
