// SPDX-License-Identifier: Apache-2.0
// tile: ceil(in / R) x ceil(out / C) crossbar tiles per binary linear, one reduce per column block
// over its row blocks, elementwise tasks in chunks of the column width (smaller if a held residual
// operand would take more than half a core's SRAM).
#include "tests/compiler/compiler_test_support.h"

namespace granita::compiler {
namespace {

using mapping::Task;
using mapping::TaskKind;

/// Tiles of a one-layer model: five hidden x hidden linears (q, k, v, out, pool.dense),
/// ffn.up hidden x ffn and ffn.down ffn x hidden.
int expected_tiles(int hidden, int ffn, int R, int C) {
  auto cdiv = [](int a, int b) { return (a + b - 1) / b; };
  return 5 * cdiv(hidden, R) * cdiv(hidden, C) + cdiv(hidden, R) * cdiv(ffn, C) +
         cdiv(ffn, R) * cdiv(hidden, C);
}

TEST(TilePass, EightByEightCrossbars) {
  const auto m = test::tiny_model(); // hidden 8, heads 2, ffn 32, max_seq_len 4
  const auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  test::Compiled c(m, hw, "tile");
  EXPECT_EQ(c.ir.level, IrLevel::Tiled);
  // Chunk: C = 8 and a residual chunk holds 4 x 8 x 32 = 1024 bits <= 64 KiB / 2.
  EXPECT_EQ(c.ir.elementwise_chunk, 8);
  const auto ts = c.tasks();
  // 8x8 linears: 1 tile each (5); ffn.up 8x32: 1 x 4 = 4; ffn.down 32x8: 4 x 1 = 4. Total 13.
  const auto tiles = test::of_kind(ts, TaskKind::XbarTile);
  EXPECT_EQ(tiles.size(), 13u);
  EXPECT_EQ(int(tiles.size()), expected_tiles(8, 32, 8, 8));
  // Reduces: one per column block: 5 + 4 (ffn.up) + 1 (ffn.down) = 10.
  const auto reduces = test::of_kind(ts, TaskKind::PsumReduce);
  EXPECT_EQ(reduces.size(), 10u);
  // 38 lowered tasks; ffn.up gains 3 tiles and 3 reduces, ffn.down 3 tiles, ffn.act 3 chunks:
  // 38 + 6 + 3 + 3 = 50.
  EXPECT_EQ(ts.size(), 50u);

  const Task down2 = test::named(ts, "layers.0.ffn.down.tile.r2c0");
  EXPECT_EQ(down2.row0, 16);
  EXPECT_EQ(down2.row1, 24);
  EXPECT_EQ(down2.col0, 0);
  EXPECT_EQ(down2.col1, 8);
  EXPECT_EQ(down2.row_block, 2);
  EXPECT_EQ(down2.col_block, 0);
  EXPECT_EQ(down2.inputs, (std::vector<mapping::TaskInput>{{18, 16, 24}}));
  const Task down_red = test::named(ts, "layers.0.ffn.down.reduce.c0");
  EXPECT_EQ(down_red.row_blocks, 4);
  EXPECT_EQ(down_red.inputs.size(), 4u);
  EXPECT_EQ(down_red.sram_bits, 4 * 8 * 32); // 4 row blocks x 8 wide x 32-bit partial sums
  const Task up3 = test::named(ts, "layers.0.ffn.up.tile.r0c3");
  EXPECT_EQ(up3.lo, 24);
  EXPECT_EQ(up3.hi, 32);
  const Task up_red3 = test::named(ts, "layers.0.ffn.up.reduce.c3");
  EXPECT_EQ(up_red3.row_blocks, 1);
  EXPECT_EQ(up_red3.lo, 24);
  EXPECT_EQ(up_red3.hi, 32);
  // ffn.act (32 features) in chunks of 8 aligned with ffn.up's column blocks.
  for (int k = 0; k < 4; ++k) {
    const Task a = test::named(ts, "layers.0.ffn.act.c" + std::to_string(k));
    EXPECT_EQ(a.lo, 8 * k);
    EXPECT_EQ(a.hi, 8 * k + 8);
  }
  // 8-feature ops stay whole and keep their op name.
  EXPECT_EQ(test::named(ts, "layers.0.attn.in").hi, 8);

  // Edges: 44 after lowering; ffn.up adds 3 tiles fed by ffn.in and 3 reduces fed by a tile (+6),
  // ffn.act's 3 extra chunks each read one reduce (+3), ffn.down's 3 extra tiles each read one
  // chunk (+3) and feed one more reduce slot (+3): 44 + 15 = 59.
  EXPECT_EQ(boost::num_edges(c.ir.g), 59u);
}

TEST(TilePass, FourByFourCrossbarsSplitEverything) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(3, 3, 4, 4, 2, 64);
  test::Compiled c(m, hw, "tile");
  const auto ts = c.tasks();
  // 5 x (2 x 2) + 2 x 8 + 8 x 2 = 52.
  EXPECT_EQ(test::of_kind(ts, TaskKind::XbarTile).size(), 52u);
  EXPECT_EQ(int(test::of_kind(ts, TaskKind::XbarTile).size()), expected_tiles(8, 32, 4, 4));
  EXPECT_EQ(test::named(ts, "layers.0.attn.q.reduce.c1").row_blocks, 2);
  EXPECT_EQ(test::named(ts, "layers.0.ffn.down.reduce.c0").row_blocks, 8);
  // Chunks of C = 4: attn.in in two, and BSPN in whole groups of 4 (the head size).
  EXPECT_EQ(c.ir.elementwise_chunk, 4);
  EXPECT_EQ(test::named(ts, "layers.0.attn.in.c1").lo, 4);
  EXPECT_EQ(test::named(ts, "layers.0.attn.norm.c1").lo, 4);
  EXPECT_EQ(test::named(ts, "layers.0.attn.residual.c0").hi, 4);
}

TEST(TilePass, UnevenCrossbarsLeaveRaggedEdgeTiles) {
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(1, 1, 6, 5, 64, 64);
  test::Compiled c(m, hw, "tile");
  const auto ts = c.tasks();
  // 8x8: 2 x 2 = 4 (x5 = 20); 8x32: 2 x 7 = 14; 32x8: 6 x 2 = 12. Total 46.
  EXPECT_EQ(test::of_kind(ts, TaskKind::XbarTile).size(), 46u);
  const Task q = test::named(ts, "layers.0.attn.q.tile.r1c1");
  EXPECT_EQ(q.row0, 6);
  EXPECT_EQ(q.row1, 8);
  EXPECT_EQ(q.col0, 5);
  EXPECT_EQ(q.col1, 8);
  const Task up = test::named(ts, "layers.0.ffn.up.tile.r0c6");
  EXPECT_EQ(up.col0, 30);
  EXPECT_EQ(up.col1, 32);
  EXPECT_EQ(test::named(ts, "layers.0.ffn.down.reduce.c1").row_blocks, 6);
}

TEST(TilePass, ResidualChunksShrinkToHalfTheSram) {
  // max_seq_len 64 on 1 KiB (8192 bits) cores: a residual chunk of c features holds
  // 64 x c x 32 bits; 8 -> 16384, 4 -> 8192 are over 4096, 2 -> 4096 is not: chunk 2.
  const auto m = test::tiny_model(8, 2, 32, 64);
  const auto hw = test::tiny_hw(4, 4, 8, 8, 4, 1);
  test::Compiled c(m, hw, "tile");
  EXPECT_EQ(c.ir.elementwise_chunk, 2);
  const auto ts = c.tasks();
  const auto res = test::of_kind(ts, TaskKind::ResidualAdd);
  EXPECT_EQ(res.size(), 8u); // 2 residual ops x 4 chunks
  for (const Task &t : res)
    EXPECT_EQ(t.sram_bits, 64 * 2 * 32);
  // BSPN keeps whole groups: chunks of 4 (the head size), not 2.
  const auto norms = test::of_kind(ts, TaskKind::Bspn);
  EXPECT_EQ(norms.size(), 6u); // 3 norms x 2 chunks
  for (const Task &t : norms)
    EXPECT_EQ(t.hi - t.lo, 4);
}

} // namespace
} // namespace granita::compiler
