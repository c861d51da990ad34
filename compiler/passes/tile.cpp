// SPDX-License-Identifier: Apache-2.0
// tile: weight matrices onto R x C crossbar tiles (partial sums reduced per column block) and
// elementwise primitives into feature chunks aligned with the column blocks.
#include "compiler/passes/passes.h"

#include <algorithm>

namespace granita::compiler {

namespace {

using mapping::Task;
using mapping::TaskKind;

bool is_elementwise(TaskKind k) {
  return k == TaskKind::Bspn || k == TaskKind::Fire || k == TaskKind::ResidualAdd ||
         k == TaskKind::SelectCls;
}

class TilePass : public IPass {
public:
  const char *name() const override { return "tile"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    const model::SorbetModel &m = *ir.model;
    const config::HwConfig &hw = *ir.hw;
    const int R = hw.crossbar_rows, C = hw.crossbar_cols;
    // Elementwise chunks follow the crossbar column blocks so a reduce task and the neuron
    // unit consuming it can share a core; residual chunks shrink until their held skip operand
    // takes at most half a core's scratch SRAM.
    const int64_t scratch = int64_t(hw.scratch_sram_kib) * 8192;
    int chunk = C;
    while (chunk > 1 &&
           int64_t(m.arch.max_seq_len) * chunk * mapping::kValueBits > scratch / 2)
      chunk = (chunk + 1) / 2;
    ir.elementwise_chunk = chunk;

    std::vector<Task> out;
    std::vector<int> lines;
    auto emit = [&](Task t, int line) {
      t.inputs = mapping::expected_inputs(t, m);
      t.sram_bits = mapping::task_sram_bits(t, m);
      out.push_back(std::move(t));
      lines.push_back(line);
    };
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
      const Task &t = ir.g[v].task;
      const int line = ir.g[v].model_line;
      const std::string base = t.op >= 0 ? m.ops[size_t(t.op)].name : t.name;
      if (t.kind == TaskKind::XbarTile) {
        const int rb = (t.row1 - t.row0 + R - 1) / R, cb = (t.col1 - t.col0 + C - 1) / C;
        for (int c = 0; c < cb; ++c)
          for (int r = 0; r < rb; ++r) {
            Task tile = t;
            tile.row0 = t.row0 + r * R;
            tile.row1 = std::min(t.row1, tile.row0 + R);
            tile.col0 = t.col0 + c * C;
            tile.col1 = std::min(t.col1, tile.col0 + C);
            tile.lo = tile.col0;
            tile.hi = tile.col1;
            tile.row_block = r;
            tile.col_block = c;
            tile.name = base + ".tile.r" + std::to_string(r) + "c" + std::to_string(c);
            emit(tile, line);
          }
      } else if (t.kind == TaskKind::PsumReduce) {
        const model::Op &op = m.ops[size_t(t.op)];
        const int rb = (op.in_features + R - 1) / R, cb = (t.hi - t.lo + C - 1) / C;
        for (int c = 0; c < cb; ++c) {
          Task red = t;
          red.lo = t.lo + c * C;
          red.hi = std::min(t.hi, red.lo + C);
          red.row_blocks = rb;
          red.col_block = c;
          red.name = base + ".reduce.c" + std::to_string(c);
          emit(red, line);
        }
      } else if (is_elementwise(t.kind)) {
        int step = chunk;
        if (t.kind == TaskKind::Bspn) {
          // BSPN normalises whole groups: chunks are whole multiples of the group.
          const int group = m.ops[size_t(t.op)].group;
          step = std::max(group, (chunk / group) * group);
        }
        const int n = (t.hi - t.lo + step - 1) / step;
        for (int c = 0; c < n; ++c) {
          Task ch = t;
          ch.lo = t.lo + c * step;
          ch.hi = std::min(t.hi, ch.lo + step);
          if (n > 1)
            ch.name = base + ".c" + std::to_string(c);
          emit(ch, line);
        }
      } else {
        emit(t, line);
      }
    }
    ir.set_tasks(std::move(out), lines);
    ir.level = IrLevel::Tiled;
    return PassResult::success();
  }
};

} // namespace

std::unique_ptr<IPass> create_tile_pass(const Options &) { return std::make_unique<TilePass>(); }

} // namespace granita::compiler
