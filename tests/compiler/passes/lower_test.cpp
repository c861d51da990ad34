// SPDX-License-Identifier: Apache-2.0
// lower: ops -> whole hardware primitives (one crossbar MVM + reduce per binary linear, one task
// per head for attention, host tasks on the host).
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

using mapping::Task;
using mapping::TaskKind;

TEST(LowerPass, PrimitivesOfATinyModel) {
  const auto m = test::tiny_model(); // hidden 8, heads 2, ffn 32, max_seq_len 4
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "lower");
  EXPECT_EQ(c.ir.level, IrLevel::Primitives);
  const auto ts = c.tasks();
  // 27 ops; each of the 7 binary linears (q, k, v, out, ffn.up, ffn.down, pool.dense) becomes
  // a tile and a reduce (+7); scores, softmax and context one task per head (2 each: +3);
  // plus host.logits: 27 + 7 + 3 + 1 = 38.
  ASSERT_EQ(ts.size(), 38u);
  EXPECT_EQ(test::of_kind(ts, TaskKind::XbarTile).size(), 7u);
  EXPECT_EQ(test::of_kind(ts, TaskKind::PsumReduce).size(), 7u);
  EXPECT_EQ(test::of_kind(ts, TaskKind::QkMatmul).size(), 2u);
  EXPECT_EQ(test::of_kind(ts, TaskKind::PtSoftmax).size(), 2u);
  EXPECT_EQ(test::of_kind(ts, TaskKind::PvMatmul).size(), 2u);
  // attn.in, q/k/v.fire, out.in, ffn.in, ffn.act, pool.in, pool.act.
  EXPECT_EQ(test::of_kind(ts, TaskKind::Fire).size(), 9u);
  for (size_t i = 0; i < ts.size(); ++i)
    EXPECT_EQ(ts[i].id, int(i));

  // A binary linear is one tile over the whole matrix and a reduce of one row block.
  const Task up = test::named(ts, "layers.0.ffn.up.mvm");
  EXPECT_EQ(up.kind, TaskKind::XbarTile);
  EXPECT_EQ(up.row0, 0);
  EXPECT_EQ(up.row1, 8);
  EXPECT_EQ(up.col0, 0);
  EXPECT_EQ(up.col1, 32);
  const Task up_red = test::named(ts, "layers.0.ffn.up.reduce");
  EXPECT_EQ(up_red.row_blocks, 1);
  EXPECT_EQ(up_red.lo, 0);
  EXPECT_EQ(up_red.hi, 32);

  // One attention task per head: qk/ptsoftmax produce one row unit, pv head-size features.
  const Task qk1 = test::named(ts, "layers.0.attn.scores.h1");
  EXPECT_EQ(qk1.head, 1);
  EXPECT_EQ(qk1.lo, 1);
  EXPECT_EQ(qk1.hi, 2);
  EXPECT_EQ(qk1.inputs, (std::vector<mapping::TaskInput>{{6, 4, 8}, {7, 4, 8}}));
  const Task pv0 = test::named(ts, "layers.0.attn.context.h0");
  EXPECT_EQ(pv0.lo, 0);
  EXPECT_EQ(pv0.hi, 4);
  EXPECT_EQ(pv0.inputs, (std::vector<mapping::TaskInput>{{10, 0, 1}, {8, 0, 4}}));

  // Host tasks are placed already; everything from pool.cls on runs once per sentence.
  EXPECT_EQ(ts.front().core, mapping::kHostCore);
  EXPECT_EQ(ts.back().core, mapping::kHostCore);
  EXPECT_EQ(ts.back().kind, TaskKind::HostOut);
  for (const Task &t : ts) {
    const bool after_cls = t.op >= 22 || t.kind == TaskKind::HostOut;
    EXPECT_EQ(t.per_token, !after_cls) << t.name;
    if (t.kind != TaskKind::HostEmbed && t.kind != TaskKind::HostOut) {
      EXPECT_EQ(t.core, kUnplaced) << t.name;
    }
  }
}

TEST(LowerPass, EdgesOfATinyModel) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "lower");
  // One edge per (consumer slot, producer task) overlap. Counting per consumer:
  //   embed.norm 1, attn.in 1, q/k/v tiles 3, their reduces 3, their fires 3,
  //   qk heads 2 x 2, softmax heads 1 each (2), pv heads 2 x 2, out.in from both pv heads 2,
  //   out tile 1 + reduce 1, attn.residual 2, attn.norm 1, ffn.in 1, ffn.up tile 1 + reduce 1,
  //   ffn.act 1, ffn.down tile 1 + reduce 1, ffn.residual 2, ffn.norm 1, pool.cls 1, pool.in 1,
  //   pool.dense tile 1 + reduce 1, pool.act 1, classifier 1, host.logits 1
  //   = 2 + 9 + 4 + 2 + 4 + 2 + 2 + 2 + 1 + 1 + 2 + 1 + 2 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1 = 44.
  EXPECT_EQ(boost::num_edges(c.ir.g), 44u);
  // Spike counts travel as planes of T = 16 time steps (rate coding), values as 32 bits, one
  // message per token (n = 4): attn.in -> q tile carries 4 x 8 x 16 bits.
  for (const auto &f : c.flows()) {
    const Task &src = c.ir.g[Vertex(f.src)].task;
    const Task &dst = c.ir.g[Vertex(f.dst)].task;
    if (src.name == "layers.0.attn.in" && dst.name == "layers.0.attn.q.mvm") {
      EXPECT_EQ(f.payload, mapping::Payload::Spikes);
      EXPECT_EQ(f.elem_bits, 4);
      EXPECT_EQ(f.elements, 8);
      EXPECT_EQ(f.bits_per_sentence, 4 * 8 * 16);
    }
    if (src.name == "layers.0.attn.scores.h0") { // a score row: n elements per head
      EXPECT_TRUE(f.seq_elements);
      EXPECT_EQ(f.elements, 4);
      EXPECT_EQ(f.bits_per_sentence, 4 * 4 * 32);
    }
    if (src.name == "classifier") { // once per sentence, 2 logits of 32 bits
      EXPECT_EQ(f.bits_per_sentence, 2 * 32);
    }
  }
}

} // namespace
} // namespace granita::compiler
