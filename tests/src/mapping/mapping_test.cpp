// SPDX-License-Identifier: Apache-2.0
// Mapping semantics shared by compiler and simulator: kind names, routes, the inputs and the
// scratch SRAM each task kind needs.
#include "src/mapping/mapping.h"
#include "src/model/synthetic_model.h"

#include <gtest/gtest.h>

namespace granita::mapping {
namespace {

constexpr int H = kHostCore;

/// layers 1, hidden 8, heads 2 (head size 4), ffn 32, max_seq_len 4, 4-bit counts. Op indices
/// follow model::sorbet_op_names(1): 0 embed, 1 embed.norm, 2 attn.in, 3 q, 4 k, 5 v, 6 q.fire,
/// 7 k.fire, 8 v.fire, 9 scores, 10 softmax, 11 context, 12 out.in, 13 out, 14 attn.residual,
/// 15 attn.norm, 16 ffn.in, 17 ffn.up, 18 ffn.act, 19 ffn.down, 20 ffn.residual, 21 ffn.norm,
/// 22 pool.cls, 23 pool.in, 24 pool.dense, 25 pool.act, 26 classifier.
model::SorbetModel tiny_model() {
  model::SyntheticSpec spec;
  spec.arch = {1, 8, 2, 32, 4, 16, 2, 4, 16};
  return model::make_synthetic_model(spec);
}

Task task_of(TaskKind kind, int op, int lo, int hi, const model::SorbetModel &m) {
  Task t;
  t.kind = kind;
  t.op = op;
  t.lo = lo;
  t.hi = hi;
  t.inputs = expected_inputs(t, m);
  return t;
}

TEST(Mapping, TaskKindNamesRoundTrip) {
  const TaskKind all[] = {TaskKind::HostEmbed,   TaskKind::HostOut,   TaskKind::Bspn,
                          TaskKind::Fire,        TaskKind::XbarTile,  TaskKind::PsumReduce,
                          TaskKind::QkMatmul,    TaskKind::PtSoftmax, TaskKind::PvMatmul,
                          TaskKind::ResidualAdd, TaskKind::SelectCls, TaskKind::IntLinear};
  for (TaskKind k : all) {
    TaskKind back = TaskKind::Fire;
    ASSERT_TRUE(parse_task_kind(task_kind_name(k), back)) << task_kind_name(k);
    EXPECT_EQ(back, k);
  }
  EXPECT_STREQ(task_kind_name(TaskKind::XbarTile), "xbar_tile");
  TaskKind k = TaskKind::Fire;
  EXPECT_FALSE(parse_task_kind("xbar", k));
}

TEST(Mapping, RoutesOnA3x3Mesh) {
  // Cores y * 3 + x:  0 1 2 / 3 4 5 / 6 7 8.
  using V = std::vector<int>;
  EXPECT_EQ(route_path(0, 8, 3, "xy"), (V{0, 1, 2, 5, 8})); // east twice, then south twice
  EXPECT_EQ(route_path(0, 8, 3, "yx"), (V{0, 3, 6, 7, 8})); // south twice, then east twice
  EXPECT_EQ(route_path(8, 0, 3, "xy"), (V{8, 7, 6, 3, 0}));
  EXPECT_EQ(route_path(6, 2, 3, "yx"), (V{6, 3, 0, 1, 2}));
  EXPECT_EQ(route_path(5, 5, 3, "xy"), (V{5}));
  // west_first is recorded as its minimal XY choice.
  EXPECT_EQ(route_path(2, 6, 3, "west_first"), route_path(2, 6, 3, "xy"));
  // The host hangs off the west port of router (0, 0): one extra hop each way.
  EXPECT_EQ(route_path(H, 0, 3, "xy"), (V{H, 0}));
  EXPECT_EQ(route_path(H, 4, 3, "xy"), (V{H, 0, 1, 4}));
  EXPECT_EQ(route_path(H, 4, 3, "yx"), (V{H, 0, 3, 4}));
  EXPECT_EQ(route_path(4, H, 3, "xy"), (V{4, 3, 0, H}));
  EXPECT_EQ(route_path(H, H, 3, "xy"), (V{H}));
}

TEST(Mapping, OutputUnitsPayloadAndRows) {
  const auto m = tiny_model();
  ASSERT_EQ(m.ops.size(), 27u);
  // Score and probability rows count heads; everything else features.
  EXPECT_EQ(op_output_units(m, 9), 2);
  EXPECT_EQ(op_output_units(m, 10), 2);
  EXPECT_EQ(op_output_units(m, 11), 8);
  EXPECT_EQ(op_output_units(m, 17), 32);
  EXPECT_EQ(op_output_units(m, 26), 2);
  EXPECT_TRUE(op_units_are_rows(m, 9));
  EXPECT_TRUE(op_units_are_rows(m, 10));
  EXPECT_FALSE(op_units_are_rows(m, 11));
  // Fire and ptsoftmax emit counts; the rest multi-bit values.
  EXPECT_EQ(op_payload(m, 6), Payload::Spikes);
  EXPECT_EQ(op_payload(m, 10), Payload::Spikes);
  EXPECT_EQ(op_payload(m, 9), Payload::Values);
  EXPECT_EQ(op_payload(m, 17), Payload::Values);
  EXPECT_EQ(op_payload(m, 0), Payload::Values);
}

TEST(Mapping, ExpectedInputsPerKind) {
  const auto m = tiny_model();
  using In = std::vector<TaskInput>;
  // qk head 1: features [4, 8) of q.fire and k.fire (head size 8 / 2).
  Task qk = task_of(TaskKind::QkMatmul, 9, 1, 2, m);
  qk.head = 1;
  EXPECT_EQ(expected_inputs(qk, m), (In{{6, 4, 8}, {7, 4, 8}}));
  // ptsoftmax head 1: row unit [1, 2) of the scores.
  Task sm = task_of(TaskKind::PtSoftmax, 10, 1, 2, m);
  sm.head = 1;
  EXPECT_EQ(expected_inputs(sm, m), (In{{9, 1, 2}}));
  // pv head 0: probability row [0, 1) and V features [0, 4).
  Task pv = task_of(TaskKind::PvMatmul, 11, 0, 4, m);
  pv.head = 0;
  EXPECT_EQ(expected_inputs(pv, m), (In{{10, 0, 1}, {8, 0, 4}}));
  // A tile reads its rows of the layer input; a reduce one slot per row block.
  Task tile = task_of(TaskKind::XbarTile, 19, 0, 8, m);
  tile.row0 = 8;
  tile.row1 = 16;
  EXPECT_EQ(expected_inputs(tile, m), (In{{18, 8, 16}}));
  Task red = task_of(TaskKind::PsumReduce, 19, 0, 8, m);
  red.row_blocks = 4;
  EXPECT_EQ(expected_inputs(red, m), (In(4, {19, 0, 8})));
  // Residual: the branch output and the skip operand, same slice.
  EXPECT_EQ(task_of(TaskKind::ResidualAdd, 14, 2, 6, m).inputs, (In{{13, 2, 6}, {1, 2, 6}}));
  EXPECT_EQ(task_of(TaskKind::Bspn, 15, 0, 4, m).inputs, (In{{14, 0, 4}}));
  EXPECT_EQ(task_of(TaskKind::Fire, 18, 8, 16, m).inputs, (In{{17, 8, 16}}));
  EXPECT_EQ(task_of(TaskKind::SelectCls, 22, 0, 8, m).inputs, (In{{21, 0, 8}}));
  // The classifier reads all of pool.act whatever its output slice.
  EXPECT_EQ(task_of(TaskKind::IntLinear, 26, 0, 2, m).inputs, (In{{25, 0, 8}}));
  EXPECT_EQ(task_of(TaskKind::HostOut, -1, 0, 0, m).inputs, (In{{26, 0, 2}}));
  EXPECT_TRUE(task_of(TaskKind::HostEmbed, 0, 0, 8, m).inputs.empty());
}

TEST(Mapping, ScratchSramPerKind) {
  const auto m = tiny_model(); // n = 4 tokens, 4-bit counts, 32-bit values
  Task qk = task_of(TaskKind::QkMatmul, 9, 0, 1, m);
  qk.head = 0;
  qk.inputs = expected_inputs(qk, m);
  EXPECT_EQ(task_sram_bits(qk, m), 4 * 4 * 4 + 4 * 32); // K counts n x 4 x 4 + n offsets
  Task pv = task_of(TaskKind::PvMatmul, 11, 0, 4, m);
  EXPECT_EQ(task_sram_bits(pv, m), 4 * 4 * 4); // V counts n x 4 x 4
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::PtSoftmax, 10, 0, 1, m), m), 4 * 32);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::ResidualAdd, 14, 0, 8, m), m), 4 * 8 * 32);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::IntLinear, 26, 0, 2, m), m), 8 * 2 * 8);
  Task red = task_of(TaskKind::PsumReduce, 19, 0, 8, m);
  red.row_blocks = 4;
  EXPECT_EQ(task_sram_bits(red, m), 4 * 8 * 32);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::Bspn, 15, 0, 8, m), m), 8 * 32);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::SelectCls, 22, 0, 8, m), m), 8 * 32);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::Fire, 2, 0, 8, m), m), 0);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::XbarTile, 3, 0, 8, m), m), 0);
  EXPECT_EQ(task_sram_bits(task_of(TaskKind::HostEmbed, 0, 0, 8, m), m), 0);
}

TEST(Mapping, ModelIdentityIsEmptyWithoutAPackage) { EXPECT_EQ(model_identity(tiny_model()), ""); }

} // namespace
} // namespace granita::mapping
