// SPDX-License-Identifier: Apache-2.0
// schedule: pipeline stages (longest path from the host), per-core buffer needs and the
// summary statistics of the mapping. Primitives stay in execution order, which is the order
// every core's units serve ready work (docs/mapping-format.md §schedule).
#include "compiler/passes/passes.h"
#include "hwmodels/units/task_cycles.h"

#include <algorithm>
#include <map>

namespace granita::compiler {

namespace {

using mapping::Task;
using mapping::TaskKind;

class SchedulePass : public IPass {
public:
  const char *name() const override { return "schedule"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    auto &g = ir.g;
    const config::HwConfig &hw = *ir.hw;
    const model::SorbetModel &m = *ir.model;
    const int n = m.arch.max_seq_len;
    const int cores = hw.cores();
    const hw::UnitParams units = hw::unit_params(hw, m.arch.bits);
    std::vector<int64_t> finish(boost::num_vertices(g), 0);
    std::vector<int64_t> busy(size_t(cores) * 4, 0); // per core: accumulate, neuron, softmax, bspn
    std::map<int, mapping::CoreUse> use;
    int64_t tiles = 0, tile_area = 0, dense = 0, path = 0;
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      Task &t = g[v].task;
      int stage = 0;
      int64_t start = 0;
      for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
        const Vertex s = boost::source(e, g);
        stage = std::max(stage, g[s].task.stage + 1);
        const int64_t hop = int64_t(g[e].flow.route.size()) - 1;
        start = std::max(start, finish[s] + hop * hw.hop_latency_cycles);
      }
      t.stage = stage;
      const int64_t w = hw::min_task_cycles(units, t, m, n);
      finish[v] = start + w;
      path = std::max(path, finish[v]);
      if (t.core < 0)
        continue;
      auto &u = use[t.core];
      u.core = t.core;
      u.tasks += 1;
      u.sram_bits += t.sram_bits;
      const int unit = int(hw::unit_of(t.kind));
      busy[size_t(t.core) * 4 + size_t(unit)] += w * (t.per_token ? n : 1);
      if (t.kind == TaskKind::XbarTile) {
        ++tiles;
        u.crossbars_used += 1;
        const int64_t area = int64_t(t.row1 - t.row0) * (t.col1 - t.col0);
        tile_area += area;
        dense += area * n * m.arch.levels();
      }
    }
    mapping::Summary &s = ir.summary;
    s.cores_available = cores;
    s.cores_used = int(use.size());
    s.tiles = int(tiles);
    s.crossbar_utilization =
        tiles ? double(tile_area) / (double(tiles) * hw.crossbar_rows * hw.crossbar_cols) : 0;
    s.max_sram_bits = 0;
    for (const auto &kv : use)
      s.max_sram_bits = std::max(s.max_sram_bits, kv.second.sram_bits);
    s.cycles_lower_bound = std::max(path, *std::max_element(busy.begin(), busy.end()));
    s.dense_synops = dense;
    ir.cores.clear();
    for (const auto &kv : use)
      ir.cores.push_back(kv.second);
    ir.level = IrLevel::Scheduled;
    return PassResult::success();
  }
};

} // namespace

std::unique_ptr<IPass> create_schedule_pass(const Options &) {
  return std::make_unique<SchedulePass>();
}

} // namespace granita::compiler
