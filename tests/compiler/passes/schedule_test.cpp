// SPDX-License-Identifier: Apache-2.0
// schedule: stages (longest path from the host), per-core use and the summary, checked by hand
// on small cases.
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

using mapping::Task;
using mapping::TaskKind;

TEST(SchedulePass, StagesAreLongestPathDepths) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "schedule");
  EXPECT_EQ(c.ir.level, IrLevel::Scheduled);
  const auto ts = c.tasks();
  // embed 0 -> embed.norm 1 -> attn.in 2 -> q tile 3 -> q reduce 4 -> q.fire 5 -> qk 6 ->
  // softmax 7 -> pv 8 (V arrives at 5) -> out.in 9 -> out tile 10 -> reduce 11 -> residual 12
  // (the skip from embed.norm is shorter) -> attn.norm 13 -> ffn.in 14 -> up tiles 15 ->
  // reduces 16 -> act 17 -> down tiles 18 -> reduce 19 -> residual 20 -> ffn.norm 21 ->
  // pool.cls 22 -> pool.in 23 -> dense tile 24 -> reduce 25 -> pool.act 26 -> classifier 27 ->
  // host.logits 28.
  const std::vector<std::pair<std::string, int>> want = {
      {"embed", 0},
      {"embed.norm", 1},
      {"layers.0.attn.in", 2},
      {"layers.0.attn.v.tile.r0c0", 3},
      {"layers.0.attn.k.reduce.c0", 4},
      {"layers.0.attn.v.fire", 5},
      {"layers.0.attn.scores.h1", 6},
      {"layers.0.attn.softmax.h0", 7},
      {"layers.0.attn.context.h1", 8},
      {"layers.0.attn.residual", 12},
      {"layers.0.ffn.up.tile.r0c2", 15},
      {"layers.0.ffn.act.c3", 17},
      {"layers.0.ffn.down.reduce.c0", 19},
      {"pool.cls", 22},
      {"classifier", 27},
      {"host.logits", 28},
  };
  for (const auto &w : want)
    EXPECT_EQ(test::named(ts, w.first).stage, w.second) << w.first;
}

TEST(SchedulePass, SummaryOfAOneCoreChip) {
  // 1x1 mesh, sixteen 8x8 crossbars, 1 KiB SRAM, accumulate unit of one lane.
  const auto m = test::tiny_model(); // hidden 8, heads 2, ffn 32, n = 4, 4-bit counts
  auto hw = test::tiny_hw(1, 1, 8, 8, 16, 1);
  hw.accumulate_lanes = 1;
  test::Compiled c(m, hw, "schedule");
  const mapping::Summary &s = c.ir.summary;
  EXPECT_EQ(s.cores_available, 1);
  EXPECT_EQ(s.cores_used, 1);
  EXPECT_EQ(s.tiles, 13);
  EXPECT_DOUBLE_EQ(s.crossbar_utilization, 1.0); // every tile is a full 8x8
  // SRAM of all tasks on the one core: bspn 3 x 256, select_cls 256, reduces 5 x 256 +
  // 4 x 256 + 1024, qk 2 x (64 + 128), ptsoftmax 2 x 128, pv 2 x 64, residual 2 x 1024,
  // classifier 128: 768 + 256 + 3328 + 384 + 256 + 128 + 2048 + 128 = 7296.
  EXPECT_EQ(s.max_sram_bits, 7296);
  ASSERT_EQ(c.ir.cores.size(), 1u);
  EXPECT_EQ(c.ir.cores[0].sram_bits, 7296);
  EXPECT_EQ(c.ir.cores[0].crossbars_used, 13);
  EXPECT_EQ(c.ir.cores[0].tasks, 48); // 50 tasks minus the two host tasks
  EXPECT_EQ(s.max_link_bits, 1024);
  EXPECT_EQ(s.traffic_bit_hops, 1088);
  EXPECT_EQ(s.traffic_lower_bound, 1088);
  // Dense synops: 832 weights (5 x 64 + 256 + 256) x 4 tokens x 15 levels.
  EXPECT_EQ(s.dense_synops, 832 * 4 * 15);
  // Cycles: the accumulate unit is the bottleneck. With one lane and no spike arriving (the unit
  // formulas of hwmodels/units): a tile runs only its offset pass, its width; a reduce
  // row_blocks x width; qk n; pv n + head size; a residual both operands, 2 x width; the int8
  // classifier its offset and bias, 2 x outputs. Per token: 12 tiles x 8 = 96; reduces of q, k,
  // v, out (4 x 8), ffn.up (4 x 8) and ffn.down (4 row blocks x 8) = 96; qk 2 x 4 = 8; pv
  // 2 x (4 + 4) = 16; residual 2 x 16 = 32: 248, x 4 tokens = 992. Once per sentence: pool.dense
  // tile 8 + reduce 8 + select_cls 1 + classifier 2 x 2 = 21. Busy 1013 cycles. The longest path
  // is shorter: at most the sum of every task's one-message time (under 400 cycles) plus two host
  // hops.
  EXPECT_EQ(s.cycles_lower_bound, 1013);
}

TEST(SchedulePass, UtilizationOfRaggedTiles) {
  // 6x5 crossbars: 46 tiles holding the 832 weights (see TilePass.UnevenCrossbars...), each
  // tile a 30-synapse crossbar: 832 / (46 x 30) = 832 / 1380.
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(1, 1, 6, 5, 64, 64);
  test::Compiled c(m, hw, "schedule");
  EXPECT_EQ(c.ir.summary.tiles, 46);
  EXPECT_DOUBLE_EQ(c.ir.summary.crossbar_utilization, 832.0 / 1380.0);
  EXPECT_EQ(c.ir.summary.dense_synops, 832 * 4 * 15);
}

TEST(SchedulePass, CoreUseAddsUp) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "schedule");
  int tasks = 0, crossbars = 0;
  int64_t sram = 0;
  for (const auto &u : c.ir.cores) {
    tasks += u.tasks;
    crossbars += u.crossbars_used;
    sram += u.sram_bits;
    EXPECT_LE(u.crossbars_used, 2);
  }
  EXPECT_EQ(tasks, 48);
  EXPECT_EQ(crossbars, 13);
  EXPECT_EQ(sram, 7296);
  EXPECT_EQ(c.ir.summary.cores_used, int(c.ir.cores.size()));
  // 13 tiles need at least 7 of the 9 cores.
  EXPECT_GE(c.ir.summary.cores_used, 7);
}

} // namespace
} // namespace granita::compiler
