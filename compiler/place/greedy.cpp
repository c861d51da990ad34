// SPDX-License-Identifier: Apache-2.0
// The greedy placer (compiler.placement=greedy): tiles fill cores along a serpentine path in
// execution order (consecutive layers stay adjacent), spread evenly so every core's accumulate
// unit gets a share of the work, then every other primitive goes to the core that minimises its
// bits x hops to already placed neighbours, and a second sweep re-places those with all
// neighbours known.
#include "compiler/place/placer.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace granita::compiler::place {

using mapping::Task;
using mapping::TaskKind;

int hops(int a, int b, int mx) {
  if (a == mapping::kHostCore && b == mapping::kHostCore)
    return 0;
  if (a == mapping::kHostCore)
    return 1 + hops(0, b, mx);
  if (b == mapping::kHostCore)
    return 1 + hops(a, 0, mx);
  return std::abs(a % mx - b % mx) + std::abs(a / mx - b / mx);
}

int tile_cap(const IrGraph &ir, const Chip &chip) {
  int64_t total_tiles = 0;
  for (auto v : boost::make_iterator_range(boost::vertices(ir.g)))
    total_tiles += ir.g[v].task.kind == TaskKind::XbarTile;
  const int64_t cores = chip.cores();
  return int(
      std::min<int64_t>(chip.slots, std::max<int64_t>(1, (total_tiles + cores - 1) / cores)));
}

int64_t cost_at(const IrGraph &ir, Vertex v, int core, int mx) {
  const auto &g = ir.g;
  int64_t cost = 0;
  for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
    const int c = g[boost::source(e, g)].task.core;
    if (c != kUnplaced)
      cost += g[e].flow.bits_per_sentence * hops(c, core, mx);
  }
  for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
    const int c = g[boost::target(e, g)].task.core;
    if (c != kUnplaced)
      cost += g[e].flow.bits_per_sentence * hops(core, c, mx);
  }
  return cost;
}

bool number_crossbars(IrGraph &ir, const Chip &chip) {
  std::vector<int> used(size_t(chip.cores()), 0);
  for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
    Task &t = ir.g[v].task;
    if (t.kind != TaskKind::XbarTile)
      continue;
    t.crossbar = used[size_t(t.core)]++;
    if (t.crossbar >= chip.slots)
      return false;
  }
  return true;
}

bool place_greedy(IrGraph &ir, const Chip &chip, std::string &why) {
  auto &g = ir.g;
  const int cores = chip.cores();
  std::vector<int> snake;
  for (int y = 0; y < chip.my; ++y)
    for (int i = 0; i < chip.mx; ++i)
      snake.push_back(y * chip.mx + ((y % 2) ? chip.mx - 1 - i : i));
  std::vector<int> slots(size_t(cores), 0);
  std::vector<int64_t> sram(size_t(cores), 0);
  size_t cursor = 0;
  const int cap = tile_cap(ir, chip);
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    Task &t = g[v].task;
    if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut) {
      t.core = mapping::kHostCore;
      continue;
    }
    t.core = kUnplaced;
    if (t.kind != TaskKind::XbarTile)
      continue;
    while (cursor < snake.size() && slots[size_t(snake[cursor])] == cap)
      ++cursor;
    if (cursor == snake.size()) {
      why = "crossbars";
      return false;
    }
    t.core = snake[cursor];
    t.crossbar = slots[size_t(t.core)]++;
  }
  for (int sweep = 0; sweep < 2; ++sweep) {
    int anchor = 0; // core of the latest tile in execution order: breaks cost ties
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      Task &t = g[v].task;
      if (t.kind == TaskKind::XbarTile)
        anchor = t.core;
      if (t.kind == TaskKind::XbarTile || t.core == mapping::kHostCore)
        continue;
      if (t.core != kUnplaced)
        sram[size_t(t.core)] -= t.sram_bits;
      t.core = kUnplaced;
      int best = -1;
      int64_t best_cost = std::numeric_limits<int64_t>::max();
      for (int c = 0; c < cores; ++c) {
        if (sram[size_t(c)] + t.sram_bits > chip.sram)
          continue;
        const int64_t cost = cost_at(ir, v, c, chip.mx);
        if (cost < best_cost ||
            (cost == best_cost && hops(anchor, c, chip.mx) < hops(anchor, best, chip.mx))) {
          best_cost = cost;
          best = c;
        }
      }
      if (best < 0) {
        why = "sram";
        return false;
      }
      t.core = best;
      sram[size_t(best)] += t.sram_bits;
    }
  }
  return true;
}

} // namespace granita::compiler::place
