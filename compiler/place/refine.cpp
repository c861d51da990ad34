// SPDX-License-Identifier: Apache-2.0
// Capacity repair and local refinement of a placement (used by the partitioning placer).
#include "compiler/place/placer.h"

#include <algorithm>
#include <limits>

namespace granita::compiler::place {

namespace {

using mapping::TaskKind;

bool is_tile(const IrGraph &ir, Vertex v) { return ir.g[v].task.kind == TaskKind::XbarTile; }
bool on_host(const IrGraph &ir, Vertex v) { return ir.g[v].task.core == mapping::kHostCore; }

/// Per-core occupancy of a placement.
struct Load {
  std::vector<int> tiles;
  std::vector<int64_t> sram;
  Load(const IrGraph &ir, const Chip &chip)
      : tiles(size_t(chip.cores()), 0), sram(size_t(chip.cores()), 0) {
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
      const auto &t = ir.g[v].task;
      if (t.core < 0)
        continue;
      tiles[size_t(t.core)] += t.kind == TaskKind::XbarTile;
      sram[size_t(t.core)] += t.sram_bits;
    }
  }
  bool room(const IrGraph &ir, Vertex v, int core, int cap, const Chip &chip) const {
    const auto &t = ir.g[v].task;
    return (t.kind != TaskKind::XbarTile || tiles[size_t(core)] < cap) &&
           sram[size_t(core)] + t.sram_bits <= chip.sram;
  }
  void move(IrGraph &ir, Vertex v, int to) {
    auto &t = ir.g[v].task;
    const int tile = t.kind == TaskKind::XbarTile;
    tiles[size_t(t.core)] -= tile;
    sram[size_t(t.core)] -= t.sram_bits;
    t.core = to;
    tiles[size_t(to)] += tile;
    sram[size_t(to)] += t.sram_bits;
  }
};

} // namespace

int64_t total_bit_hops(const IrGraph &ir, int mx) {
  int64_t sum = 0;
  for (auto e : boost::make_iterator_range(boost::edges(ir.g)))
    sum += ir.g[e].flow.bits_per_sentence *
           hops(ir.g[boost::source(e, ir.g)].task.core, ir.g[boost::target(e, ir.g)].task.core, mx);
  return sum;
}

bool repair(IrGraph &ir, const Chip &chip, int cap, std::string &why) {
  Load load(ir, chip);
  for (int c = 0; c < chip.cores(); ++c) {
    for (;;) {
      const bool tiles_over = load.tiles[size_t(c)] > cap;
      if (!tiles_over && load.sram[size_t(c)] <= chip.sram)
        break;
      // Cheapest move of one task off `c` that relieves the overflowing resource.
      Vertex best_v = 0;
      int best_to = -1;
      int64_t best_delta = std::numeric_limits<int64_t>::max();
      for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
        const auto &t = ir.g[v].task;
        if (t.core != c || (tiles_over ? !is_tile(ir, v) : t.sram_bits == 0))
          continue;
        const int64_t here = cost_at(ir, v, c, chip.mx);
        for (int d = 0; d < chip.cores(); ++d) {
          if (d == c || !load.room(ir, v, d, cap, chip))
            continue;
          const int64_t delta = cost_at(ir, v, d, chip.mx) - here;
          if (delta < best_delta) {
            best_delta = delta;
            best_v = v;
            best_to = d;
          }
        }
      }
      if (best_to < 0) {
        why = tiles_over ? "crossbars" : "sram";
        return false;
      }
      load.move(ir, best_v, best_to);
    }
  }
  return true;
}

void refine(IrGraph &ir, const Chip &chip, int cap) {
  Load load(ir, chip);
  auto &g = ir.g;
  std::vector<std::vector<Vertex>> tiles_on(size_t(chip.cores()));
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    if (is_tile(ir, v))
      tiles_on[size_t(g[v].task.core)].push_back(v);
  auto drop = [&](int core, Vertex v) {
    auto &l = tiles_on[size_t(core)];
    l.erase(std::find(l.begin(), l.end(), v));
  };
  for (int sweep = 0; sweep < 4; ++sweep) {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      if (on_host(ir, v))
        continue;
      const int from = g[v].task.core;
      const int64_t here = cost_at(ir, v, from, chip.mx);
      int best_to = -1;
      Vertex best_swap = v; // v itself: a plain move
      int64_t best_gain = 0;
      for (int d = 0; d < chip.cores(); ++d) {
        if (d == from)
          continue;
        if (load.room(ir, v, d, cap, chip)) {
          const int64_t gain = here - cost_at(ir, v, d, chip.mx);
          if (gain > best_gain) {
            best_gain = gain;
            best_to = d;
            best_swap = v;
          }
        } else if (is_tile(ir, v)) {
          for (Vertex u : tiles_on[size_t(d)]) { // exchange v with a tile u of core d
            const int64_t before = here + cost_at(ir, u, d, chip.mx);
            g[v].task.core = d;
            g[u].task.core = from;
            const int64_t after = cost_at(ir, v, d, chip.mx) + cost_at(ir, u, from, chip.mx);
            g[v].task.core = from;
            g[u].task.core = d;
            const bool sram_ok =
                load.sram[size_t(d)] - g[u].task.sram_bits + g[v].task.sram_bits <= chip.sram &&
                load.sram[size_t(from)] - g[v].task.sram_bits + g[u].task.sram_bits <= chip.sram;
            if (sram_ok && before - after > best_gain) {
              best_gain = before - after;
              best_to = d;
              best_swap = u;
            }
          }
        }
      }
      if (best_to < 0)
        continue;
      changed = true;
      if (best_swap != v) {
        load.move(ir, best_swap, from);
        drop(best_to, best_swap);
        tiles_on[size_t(from)].push_back(best_swap);
      }
      // A swap frees the slot v needs first.
      load.move(ir, v, best_to);
      if (is_tile(ir, v)) {
        drop(from, v);
        tiles_on[size_t(best_to)].push_back(v);
      }
    }
    if (!changed)
      break;
  }
}

} // namespace granita::compiler::place
