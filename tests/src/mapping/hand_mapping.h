// SPDX-License-Identifier: Apache-2.0
// A small model, chip and valid mapping written out by hand: the fixture of the mapping tests.
#pragma once

#include "src/config/hw_config.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

#include <string>
#include <vector>

namespace granita::mapping::test {

/// Six ops, max_seq_len 2, 4-bit counts, 16 time steps:
///   0 embed (embedding, 4 values)   -> 1 in (fire, 4 counts)  -> 2 lin (binary_linear 4 -> 4)
///   -> 3 act (fire, 4 counts)       -> 4 pool (select_cls, 4 counts) -> 5 cls (int_linear 4 -> 2)
inline model::SorbetModel hand_model() {
  model::SorbetModel m;
  m.name = "hand";
  m.arch.layers = 0;
  m.arch.hidden = 4;
  m.arch.heads = 1;
  m.arch.ffn = 4;
  m.arch.max_seq_len = 2;
  m.arch.vocab_size = 8;
  m.arch.type_vocab_size = 2;
  m.arch.bits = 4;
  m.arch.time_steps = 16;
  auto add = [&](const std::string &name, model::OpType type, int input, int features, bool counts,
                 int in_features) {
    model::Op op;
    op.name = name;
    op.type = type;
    op.inputs = {input};
    op.features = features;
    op.counts = counts;
    op.in_features = in_features;
    m.ops.push_back(op);
  };
  using model::OpType;
  add("embed", OpType::Embedding, model::kTokensInput, 4, false, 0);
  add("in", OpType::Fire, 0, 4, true, 0);
  add("lin", OpType::BinaryLinear, 1, 4, false, 4);
  add("act", OpType::Fire, 2, 4, true, 0);
  add("pool", OpType::SelectCls, 3, 4, true, 0);
  add("cls", OpType::IntLinear, 4, 2, false, 4);
  m.output = 5;
  return m;
}

/// A 2x2 mesh (core = y * 2 + x: 0 = (0,0), 1 = (1,0), 2 = (0,1), 3 = (1,1)) of two 2x2
/// crossbars and 1 KiB (8192 bits) of scratch SRAM per core, XY routing, rate coding.
inline config::HwConfig hand_hw() {
  config::HwConfig hw;
  hw.name = "hand";
  hw.mesh_x = 2;
  hw.mesh_y = 2;
  hw.crossbar_rows = 2;
  hw.crossbar_cols = 2;
  hw.crossbars_per_core = 2;
  hw.scratch_sram_kib = 1;
  hw.routing = "xy";
  hw.encoding = "rate";
  return hw;
}

inline Task hand_task(int id, const std::string &name, TaskKind kind, int op, int core, int lo,
                      int hi, std::vector<TaskInput> inputs, int64_t sram_bits) {
  Task t;
  t.id = id;
  t.name = name;
  t.kind = kind;
  t.op = op;
  t.core = core;
  t.lo = lo;
  t.hi = hi;
  t.inputs = std::move(inputs);
  t.sram_bits = sram_bits;
  return t;
}

inline Task hand_tile(int id, int core, int crossbar, int r, int c) {
  // Rows [2r, 2r + 2) of the 4 inputs, columns [2c, 2c + 2) of the 4 outputs.
  Task t = hand_task(id, "lin.tile.r" + std::to_string(r) + "c" + std::to_string(c),
                     TaskKind::XbarTile, 2, core, 2 * c, 2 * c + 2, {{1, 2 * r, 2 * r + 2}}, 0);
  t.crossbar = crossbar;
  t.row0 = 2 * r;
  t.row1 = 2 * r + 2;
  t.col0 = 2 * c;
  t.col1 = 2 * c + 2;
  t.row_block = r;
  t.col_block = c;
  return t;
}

inline Flow hand_flow(int id, int src, int dst, int slot, int lo, int hi, Payload p, int64_t bits,
                      std::vector<int> route) {
  Flow f;
  f.id = id;
  f.src = src;
  f.dst = dst;
  f.slot = slot;
  f.lo = lo;
  f.hi = hi;
  f.payload = p;
  f.elem_bits = p == Payload::Spikes ? 4 : kValueBits;
  f.elements = hi - lo;
  f.bits_per_sentence = bits;
  f.route = std::move(route);
  return f;
}

/// The valid mapping of hand_model() on hand_hw(). Tasks and placement:
///   0 embed host; 1 in core 0; tiles r0c0, r1c0 on core 0 (crossbars 0, 1) and r0c1, r1c1 on
///   core 1; 6 lin.reduce.c0 core 0; 7 lin.reduce.c1 core 1; 8 act and 9 pool on core 3;
///   10 cls on core 2; 11 host.logits.
/// SRAM (docs/mapping-format.md): psum_reduce 2 row blocks x 2 wide x 32 = 128; select_cls
/// 4 x 32 = 128; int_linear 4 inputs x 2 outputs x 8 = 64; fire and tiles 0.
/// bits_per_sentence = messages x elements x (16 time steps for spikes, 32 for values), with
/// messages = max_seq_len = 2 per token, or 1 after select_cls.
/// XY routes: 0 -> 3 goes east to 1 then south to 3; 2 -> host goes north to 0 then west.
inline Mapping hand_mapping() {
  Mapping m;
  m.model_name = "hand";
  m.hw_name = "hand";
  m.mesh_x = 2;
  m.mesh_y = 2;
  m.crossbar_rows = 2;
  m.crossbar_cols = 2;
  m.crossbars_per_core = 2;
  m.scratch_sram_bits = 8192;
  m.max_seq_len = 2;
  m.encoding = "rate";
  m.tasks.push_back(hand_task(0, "embed", TaskKind::HostEmbed, 0, kHostCore, 0, 4, {}, 0));
  m.tasks.push_back(hand_task(1, "in", TaskKind::Fire, 1, 0, 0, 4, {{0, 0, 4}}, 0));
  m.tasks.push_back(hand_tile(2, 0, 0, 0, 0));
  m.tasks.push_back(hand_tile(3, 0, 1, 1, 0));
  m.tasks.push_back(hand_tile(4, 1, 0, 0, 1));
  m.tasks.push_back(hand_tile(5, 1, 1, 1, 1));
  Task r0 =
      hand_task(6, "lin.reduce.c0", TaskKind::PsumReduce, 2, 0, 0, 2, {{2, 0, 2}, {2, 0, 2}}, 128);
  r0.row_blocks = 2;
  m.tasks.push_back(r0);
  Task r1 =
      hand_task(7, "lin.reduce.c1", TaskKind::PsumReduce, 2, 1, 2, 4, {{2, 2, 4}, {2, 2, 4}}, 128);
  r1.row_blocks = 2;
  m.tasks.push_back(r1);
  m.tasks.push_back(hand_task(8, "act", TaskKind::Fire, 3, 3, 0, 4, {{2, 0, 4}}, 0));
  Task pool = hand_task(9, "pool", TaskKind::SelectCls, 4, 3, 0, 4, {{3, 0, 4}}, 128);
  pool.per_token = false;
  m.tasks.push_back(pool);
  Task cls = hand_task(10, "cls", TaskKind::IntLinear, 5, 2, 0, 2, {{4, 0, 4}}, 64);
  cls.per_token = false;
  m.tasks.push_back(cls);
  Task out = hand_task(11, "host.logits", TaskKind::HostOut, -1, kHostCore, 0, 0, {{5, 0, 2}}, 0);
  out.per_token = false;
  m.tasks.push_back(out);
  // Stages: longest path from the host.
  const int stage[] = {0, 1, 2, 2, 2, 2, 3, 3, 4, 5, 6, 7};
  for (size_t i = 0; i < m.tasks.size(); ++i)
    m.tasks[i].stage = stage[i];

  const Payload S = Payload::Spikes, V = Payload::Values;
  const int H = kHostCore;
  m.flows = {
      hand_flow(0, 0, 1, 0, 0, 4, V, 2 * 4 * 32, {H, 0}),
      hand_flow(1, 1, 2, 0, 0, 2, S, 2 * 2 * 16, {0}),
      hand_flow(2, 1, 3, 0, 2, 4, S, 2 * 2 * 16, {0}),
      hand_flow(3, 1, 4, 0, 0, 2, S, 2 * 2 * 16, {0, 1}),
      hand_flow(4, 1, 5, 0, 2, 4, S, 2 * 2 * 16, {0, 1}),
      hand_flow(5, 2, 6, 0, 0, 2, V, 2 * 2 * 32, {0}),
      hand_flow(6, 3, 6, 1, 0, 2, V, 2 * 2 * 32, {0}),
      hand_flow(7, 4, 7, 0, 2, 4, V, 2 * 2 * 32, {1}),
      hand_flow(8, 5, 7, 1, 2, 4, V, 2 * 2 * 32, {1}),
      hand_flow(9, 6, 8, 0, 0, 2, V, 2 * 2 * 32, {0, 1, 3}),
      hand_flow(10, 7, 8, 0, 2, 4, V, 2 * 2 * 32, {1, 3}),
      hand_flow(11, 8, 9, 0, 0, 4, S, 2 * 4 * 16, {3}),
      hand_flow(12, 9, 10, 0, 0, 4, S, 1 * 4 * 16, {3, 2}),
      hand_flow(13, 10, 11, 0, 0, 2, V, 1 * 2 * 32, {2, 0, H}),
  };
  // Link loads: host->0 flow 0 (256); 0->1 flows 3, 4, 9 (64 + 64 + 128); 1->3 flows 9, 10
  // (128 + 128); 3->2 flow 12 (64); 2->0 and 0->host flow 13 (64).
  m.links = {{H, 0, 256}, {0, H, 64}, {0, 1, 256}, {1, 3, 256}, {2, 0, 64}, {3, 2, 64}};
  m.cores = {{0, 2, 128, 4}, {1, 2, 128, 3}, {2, 0, 64, 1}, {3, 0, 128, 2}};
  Summary &s = m.summary;
  s.cores_used = 4;
  s.cores_available = 4;
  s.tiles = 4;
  s.crossbar_utilization = 1.0; // four full 2x2 tiles
  s.max_sram_bits = 128;
  s.max_link_bits = 256;
  // Sum of bits x hops: 256 + 64 + 64 + 128 x 2 + 128 + 64 + 64 x 2.
  s.traffic_bit_hops = 960;
  s.traffic_lower_bound = 320;  // the two host flows, one hop each
  s.cycles_lower_bound = 40;    // any value: verify() does not check the summary
  s.dense_synops = 16 * 2 * 15; // 16 synapses x 2 tokens x 15 levels
  return m;
}

} // namespace granita::mapping::test
