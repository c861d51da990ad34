// SPDX-License-Identifier: Apache-2.0
// place, greedy placer: tiles fill crossbar slots along a serpentine path in execution order;
// every other task goes to a core with room in its scratch SRAM (the METIS placer, the default:
// place_metis_test.cpp).
#include "tests/compiler/compiler_test_support.h"

#include <map>
#include <set>

namespace granita::compiler {
namespace {

using mapping::Task;
using mapping::TaskKind;

/// Per-core scratch SRAM claimed by the placed tasks.
std::map<int, int64_t> sram_per_core(const std::vector<Task> &ts) {
  std::map<int, int64_t> use;
  for (const Task &t : ts)
    if (t.core >= 0)
      use[t.core] += t.sram_bits;
  return use;
}

TEST(PlacePass, TilesFollowTheSerpentine) {
  const auto m = test::tiny_model();
  auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  hw.placement = "greedy";
  test::Compiled c(m, hw, "place");
  EXPECT_EQ(c.ir.level, IrLevel::Placed);
  const auto ts = c.tasks();
  // Serpentine over the 3x3 mesh: row 0 east (0 1 2), row 1 west (5 4 3), row 2 east (6 7 8);
  // tiles in execution order, at most min(2 crossbars, ceil(13 tiles / 9 cores)) = 2 per core.
  const std::vector<std::pair<std::string, std::pair<int, int>>> want = {
      {"layers.0.attn.q.tile.r0c0", {0, 0}},   {"layers.0.attn.k.tile.r0c0", {0, 1}},
      {"layers.0.attn.v.tile.r0c0", {1, 0}},   {"layers.0.attn.out.tile.r0c0", {1, 1}},
      {"layers.0.ffn.up.tile.r0c0", {2, 0}},   {"layers.0.ffn.up.tile.r0c1", {2, 1}},
      {"layers.0.ffn.up.tile.r0c2", {5, 0}},   {"layers.0.ffn.up.tile.r0c3", {5, 1}},
      {"layers.0.ffn.down.tile.r0c0", {4, 0}}, {"layers.0.ffn.down.tile.r1c0", {4, 1}},
      {"layers.0.ffn.down.tile.r2c0", {3, 0}}, {"layers.0.ffn.down.tile.r3c0", {3, 1}},
      {"pool.dense.tile.r0c0", {6, 0}},
  };
  for (const auto &w : want) {
    const Task t = test::named(ts, w.first);
    EXPECT_EQ(t.core, w.second.first) << w.first;
    EXPECT_EQ(t.crossbar, w.second.second) << w.first;
  }
  std::set<std::pair<int, int>> slots;
  for (const Task &t : ts) {
    if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut) {
      EXPECT_EQ(t.core, mapping::kHostCore);
      continue;
    }
    EXPECT_GE(t.core, 0) << t.name;
    EXPECT_LT(t.core, 9) << t.name;
    if (t.kind == TaskKind::XbarTile) {
      EXPECT_TRUE(slots.insert({t.core, t.crossbar}).second) << t.name << " shares a crossbar";
    }
  }
  for (const auto &kv : sram_per_core(ts))
    EXPECT_LE(kv.second, 64 * 8192) << "core " << kv.first;
}

TEST(PlacePass, TilesSpreadEvenly) {
  // 13 tiles on two cores of 16 crossbars: at most ceil(13 / 2) = 7 per core, so the first 7 in
  // execution order (q, k, v, out, ffn.up c0..c2) fill core 0's crossbars 0..6 and the other 6
  // (ffn.up c3, ffn.down r0..r3, pool.dense) core 1's crossbars 0..5.
  const auto m = test::tiny_model();
  auto hw = test::tiny_hw(2, 1, 8, 8, 16, 64);
  hw.placement = "greedy";
  test::Compiled c(m, hw, "place");
  const auto tiles = test::of_kind(c.tasks(), TaskKind::XbarTile);
  ASSERT_EQ(tiles.size(), 13u);
  for (size_t i = 0; i < tiles.size(); ++i) {
    EXPECT_EQ(tiles[i].core, i < 7 ? 0 : 1) << tiles[i].name;
    EXPECT_EQ(tiles[i].crossbar, int(i < 7 ? i : i - 7)) << tiles[i].name;
  }
  EXPECT_EQ(tiles[7].name, "layers.0.ffn.up.tile.r0c3");
}

TEST(PlacePass, SramNeverOverflowsACore) {
  // max_seq_len 8 on two 1 KiB cores: the tasks' scratch SRAM does not fit one core. Per kind
  // (n = 8, 4-bit counts, 32-bit values): 3 bspn x 8 x 32 = 768, select_cls 8 x 32 = 256,
  // reduces 5 x 256 + 4 x 256 + 4 x 8 x 32 = 3328, classifier 8 x 2 x 8 = 128,
  // qk 2 x (8 x 4 x 4 + 8 x 32) = 768, ptsoftmax 2 x 8 x 32 = 512, pv 2 x 8 x 4 x 4 = 256,
  // residual 2 x 8 x 8 x 32 = 4096: 10112 > 8192.
  // Any placement that puts each task on some core with room succeeds: to fail, both cores would
  // need more than 8192 - 2048 (the largest task) bits used, 12288 > 10112 in total.
  const auto m = test::tiny_model(8, 2, 32, 8);
  const auto hw = test::tiny_hw(2, 1, 8, 8, 16, 1);
  test::Compiled c(m, hw, "place");
  const auto ts = c.tasks();
  int64_t total = 0;
  for (const Task &t : ts)
    total += t.sram_bits;
  EXPECT_EQ(total, 10112);
  const auto use = sram_per_core(ts);
  ASSERT_EQ(use.size(), 2u);
  for (const auto &kv : use)
    EXPECT_LE(kv.second, 8192) << "core " << kv.first;
}

TEST(PlacePass, LowerBoundOnAOneCoreChip) {
  // Everything on one core: the only traffic that costs hops is the host's. embed -> embed.norm
  // carries 4 tokens x 8 values x 32 bits = 1024; classifier -> host 1 x 2 x 32 = 64.
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(1, 1, 8, 8, 16, 1);
  test::Compiled c(m, hw, "place");
  EXPECT_EQ(c.ir.summary.traffic_lower_bound, 1024 + 64);
  for (const Task &t : c.tasks())
    if (t.core != mapping::kHostCore) {
      EXPECT_EQ(t.core, 0);
    }
}

} // namespace
} // namespace granita::compiler
