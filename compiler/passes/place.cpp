// SPDX-License-Identifier: Apache-2.0
// place: every primitive onto a core of the X x Y mesh (tiles also onto a crossbar slot),
// minimising traffic-weighted hop distance. Deterministic greedy: tiles fill cores along a
// serpentine path in execution order (consecutive layers stay adjacent), spread evenly so every
// core's accumulate unit gets a share of the work, then every other
// primitive goes to the core that minimises its bits x hops to already placed neighbours,
// and a second sweep re-places those with all neighbours known.
#include "compiler/passes/passes.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace granita::compiler {

namespace {

using mapping::Task;
using mapping::TaskKind;

struct Chip {
  int mx = 0, my = 0, slots = 0;
  int64_t sram = 0;
  int cores() const { return mx * my; }
};

int hops(int a, int b, int mx) {
  if (a == mapping::kHostCore && b == mapping::kHostCore)
    return 0;
  if (a == mapping::kHostCore)
    return 1 + hops(0, b, mx);
  if (b == mapping::kHostCore)
    return 1 + hops(a, 0, mx);
  return std::abs(a % mx - b % mx) + std::abs(a / mx - b / mx);
}

/// Why a placement failed: which resource, how much was needed and available.
struct Shortfall {
  std::string what;
};

/// Places every task of `ir` on `chip` (writes task.core / task.crossbar). Returns false with
/// the reason in `why` if the chip is too small.
bool place_on(IrGraph &ir, const Chip &chip, std::string &why) {
  auto &g = ir.g;
  const int cores = chip.cores();
  std::vector<int> snake;
  for (int y = 0; y < chip.my; ++y)
    for (int i = 0; i < chip.mx; ++i)
      snake.push_back(y * chip.mx + ((y % 2) ? chip.mx - 1 - i : i));
  std::vector<int> slots(size_t(cores), 0);
  std::vector<int64_t> sram(size_t(cores), 0);
  size_t cursor = 0;
  // Spread tiles evenly over the mesh: every core has its own accumulate unit, so packing all
  // crossbars of few cores would serialise their work; at most ceil(tiles / cores) per core.
  int64_t total_tiles = 0;
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    total_tiles += g[v].task.kind == TaskKind::XbarTile;
  const int cap = int(std::min<int64_t>(chip.slots, std::max<int64_t>(
                                                        1, (total_tiles + cores - 1) / cores)));
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
  auto cost_at = [&](Vertex v, int core) {
    int64_t cost = 0;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      const int c = g[boost::source(e, g)].task.core;
      if (c != kUnplaced)
        cost += g[e].flow.bits_per_sentence * hops(c, core, chip.mx);
    }
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      const int c = g[boost::target(e, g)].task.core;
      if (c != kUnplaced)
        cost += g[e].flow.bits_per_sentence * hops(core, c, chip.mx);
    }
    return cost;
  };
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
        const int64_t cost = cost_at(v, c);
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

/// Lower bound on sum(bits x hops) over all placements: each flow counted once, at its fan-out
/// source (flows into tiles) or fan-in sink (partial sums into a reduce); in a mesh at most
/// `slots` tiles sit at distance 0 of a core and 4d*slots at distance d. Host flows cost at
/// least one hop (the host's own link); every other flow may be free.
int64_t traffic_lower_bound(const IrGraph &ir, int slots) {
  const auto &g = ir.g;
  int64_t bound = 0;
  auto rings = [&](std::vector<int64_t> w) {
    std::sort(w.rbegin(), w.rend());
    int64_t sum = 0;
    size_t i = 0;
    for (int d = 0; i < w.size(); ++d) {
      const size_t cap = size_t(slots) * size_t(d == 0 ? 1 : 4 * d);
      for (size_t k = 0; k < cap && i < w.size(); ++k, ++i)
        sum += w[i] * d;
    }
    return sum;
  };
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Task &t = g[v].task;
    std::vector<int64_t> to_tiles;
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      const Task &d = g[boost::target(e, g)].task;
      const int64_t bits = g[e].flow.bits_per_sentence;
      if (d.kind == TaskKind::XbarTile)
        to_tiles.push_back(bits);
      else if (t.core == mapping::kHostCore || d.core == mapping::kHostCore)
        bound += bits;
    }
    // The host's tiles are at least one hop away; ring 0 does not exist for it.
    if (t.core == mapping::kHostCore)
      for (int64_t &b : to_tiles)
        bound += b;
    bound += rings(std::move(to_tiles));
    if (t.kind == TaskKind::PsumReduce) {
      std::vector<int64_t> from_tiles;
      for (auto e : boost::make_iterator_range(boost::in_edges(v, g)))
        from_tiles.push_back(g[e].flow.bits_per_sentence);
      bound += rings(std::move(from_tiles));
    }
  }
  return bound;
}

class PlacePass : public IPass {
public:
  const char *name() const override { return "place"; }
  PassResult run(IrGraph &ir, PassContext &ctx) override {
    const config::HwConfig &hw = *ir.hw;
    const Chip chip{hw.mesh_x, hw.mesh_y, hw.crossbars_per_core,
                    int64_t(hw.scratch_sram_kib) * 8192};
    int64_t tiles = 0, sram_total = 0, biggest = 0;
    Vertex biggest_v = 0;
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
      const Task &t = ir.g[v].task;
      tiles += t.kind == TaskKind::XbarTile;
      sram_total += t.sram_bits;
      if (t.sram_bits > biggest) {
        biggest = t.sram_bits;
        biggest_v = v;
      }
    }
    if (biggest > chip.sram) {
      const int64_t kib = (biggest + 8191) / 8192;
      ctx.error(vertex_location(ir, biggest_v),
                "does not fit any core: needs " + std::to_string(biggest) +
                    " bits of scratch SRAM, a core has " + std::to_string(chip.sram) +
                    " (over by " + std::to_string(biggest - chip.sram) +
                    "); no mesh size fixes this",
                {"set core.scratch_sram_kib to at least " + std::to_string(kib)});
      return PassResult::failure();
    }
    std::string why;
    if (place_on(ir, chip, why)) {
      ir.summary.traffic_lower_bound = traffic_lower_bound(ir, chip.slots);
      ir.level = IrLevel::Placed;
      return PassResult::success();
    }
    // Too small: say what overflows and find the smallest mesh (x = y or y + 1) that fits.
    const int64_t have_xbars = int64_t(chip.cores()) * chip.slots;
    std::vector<std::string> notes;
    std::string msg;
    if (why == "crossbars")
      msg = "needs " + std::to_string(tiles) + " crossbar tiles, the " + std::to_string(chip.mx) +
            "x" + std::to_string(chip.my) + " mesh has " + std::to_string(have_xbars) + " (" +
            std::to_string(chip.cores()) + " cores x " + std::to_string(chip.slots) +
            "); over by " + std::to_string(tiles - have_xbars);
    else
      msg = "needs " + std::to_string(sram_total) + " bits of scratch SRAM in total, the mesh has " +
            std::to_string(int64_t(chip.cores()) * chip.sram) +
            (sram_total > int64_t(chip.cores()) * chip.sram
                 ? " (over by " + std::to_string(sram_total - int64_t(chip.cores()) * chip.sram) + ")"
                 : " but it does not pack onto the cores");
    const int64_t need_cores = std::max((tiles + chip.slots - 1) / chip.slots,
                                        (sram_total + chip.sram - 1) / chip.sram);
    for (int s = std::max(1, int(std::sqrt(double(need_cores)))); s <= 1024; ++s) {
      bool found = false;
      for (int dx = 0; dx <= 1 && !found; ++dx) {
        const Chip c{s + dx, s, chip.slots, chip.sram};
        if (int64_t(c.cores()) * c.slots < tiles || int64_t(c.cores()) * c.sram < sram_total)
          continue;
        std::string w;
        if (place_on(ir, c, w)) {
          notes.push_back("the smallest mesh of this core type that fits is " +
                          std::to_string(c.mx) + "x" + std::to_string(c.my) +
                          " (-p mesh.x=" + std::to_string(c.mx) + " -p mesh.y=" +
                          std::to_string(c.my) + ")");
          found = true;
        }
      }
      if (found)
        break;
    }
    ctx.error("model '" + ir.model->name + "' on chip '" + hw.name + "'",
              "does not fit: " + msg, notes);
    return PassResult::failure();
  }
};

} // namespace

std::unique_ptr<IPass> create_place_pass(const Options &) { return std::make_unique<PlacePass>(); }

} // namespace granita::compiler
