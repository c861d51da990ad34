// SPDX-License-Identifier: Apache-2.0
// place: every primitive onto a core of the X x Y mesh (tiles also onto a crossbar slot),
// minimising traffic-weighted hop distance, with the algorithm compiler.placement names
// (compiler/place/: greedy or METIS partitioning; docs/placement.md).
#include "compiler/passes/passes.h"
#include "compiler/place/placer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace granita::compiler {

namespace {

using mapping::Task;
using mapping::TaskKind;

using place::Chip;

/// Places every task with the configured algorithm (compiler.placement).
bool place_on(IrGraph &ir, const Chip &chip, std::string &why) {
  if (ir.hw->placement == "metis")
    return place::place_metis(ir, chip, why);
  return place::place_greedy(ir, chip, why);
}

/// Lower bound on sum(bits x hops) over all placements that keep at most `cap` tiles per core
/// (the spread cap both placers keep, place::tile_cap): each flow counted once, at its fan-out
/// source (flows into tiles) or fan-in sink (partial sums into a reduce); in a mesh at most
/// `cap` tiles sit at distance 0 of a core and 4d*cap at distance d. Host flows cost at least
/// one hop (the host's own link); every other flow may be free (docs/placement.md).
int64_t traffic_lower_bound(const IrGraph &ir, int cap) {
  const auto &g = ir.g;
  int64_t bound = 0;
  auto rings = [&](std::vector<int64_t> w) {
    std::sort(w.rbegin(), w.rend());
    int64_t sum = 0;
    size_t i = 0;
    for (int d = 0; i < w.size(); ++d) {
      const size_t ring = size_t(cap) * size_t(d == 0 ? 1 : 4 * d);
      for (size_t k = 0; k < ring && i < w.size(); ++k, ++i)
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
      ir.summary.traffic_lower_bound = traffic_lower_bound(ir, place::tile_cap(ir, chip));
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
