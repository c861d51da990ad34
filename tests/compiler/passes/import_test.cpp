// SPDX-License-Identifier: Apache-2.0
// import: one vertex per op plus the host's logit sink, one edge per tensor.
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

using mapping::TaskKind;

TEST(ImportPass, OneVertexPerOpAndOneEdgePerTensor) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "import");
  EXPECT_EQ(c.ir.level, IrLevel::Ops);
  // 27 ops + host.logits. Edges: 26 ops read one tensor each (embed reads token ids, not an
  // op), scores, context and the two residual adds read a second one (+4), and the logits go
  // to the host (+1): 26 + 4 + 1 = 31.
  ASSERT_EQ(boost::num_vertices(c.ir.g), 28u);
  EXPECT_EQ(boost::num_edges(c.ir.g), 31u);
  const auto ts = c.tasks();
  const auto names = model::sorbet_op_names(1);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(ts[i].name, names[i]);
    EXPECT_EQ(ts[i].op, int(i));
    EXPECT_EQ(ts[i].core, kUnplaced);
  }
  EXPECT_EQ(ts[0].kind, TaskKind::HostEmbed);
  EXPECT_EQ(ts[3].kind, TaskKind::XbarTile); // a binary linear, still whole
  EXPECT_EQ(ts[9].kind, TaskKind::QkMatmul);
  EXPECT_EQ(ts[26].kind, TaskKind::IntLinear);
  EXPECT_EQ(ts[27].kind, TaskKind::HostOut);
  EXPECT_EQ(ts[27].name, "host.logits");
  // The score rows count heads: softmax reads units [0, 2) of scores.
  EXPECT_EQ(ts[10].inputs, (std::vector<mapping::TaskInput>{{9, 0, 2}}));
  // context reads the probabilities and V.
  EXPECT_EQ(ts[11].inputs, (std::vector<mapping::TaskInput>{{10, 0, 2}, {8, 0, 8}}));
  EXPECT_EQ(ts[27].inputs, (std::vector<mapping::TaskInput>{{26, 0, 2}}));
  bool context_reads_v = false;
  for (auto e : boost::make_iterator_range(boost::in_edges(Vertex(11), c.ir.g)))
    if (boost::source(e, c.ir.g) == 8) {
      context_reads_v = true;
      EXPECT_EQ(c.ir.g[e].flow.slot, 1);
      EXPECT_EQ(c.ir.g[e].flow.hi, 8);
    }
  EXPECT_TRUE(context_reads_v);
}

TEST(ImportPass, VertexOrderIsExecutionOrder) {
  const auto m = test::tiny_model(8, 2, 32, 4, 2);
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "import");
  // Two layers: 2 + 2 x 20 + 5 = 47 ops, + host.logits.
  EXPECT_EQ(boost::num_vertices(c.ir.g), 48u);
  for (auto e : boost::make_iterator_range(boost::edges(c.ir.g)))
    EXPECT_LT(boost::source(e, c.ir.g), boost::target(e, c.ir.g));
}

} // namespace
} // namespace granita::compiler
