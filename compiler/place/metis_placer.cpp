// SPDX-License-Identifier: Apache-2.0
// The partitioning placer (compiler.placement=metis). The task graph (vertices: the tasks on
// cores, weighted by crossbar tiles and scratch SRAM; edges: bits per sentence between two
// tasks, both directions summed) is bisected with METIS, and each half goes to one half of the
// mesh block it must fit, recursively, until a block is one core (recursive bisection of the
// graph matched to recursive bisection of the mesh). Each bisection is oriented so the half
// talking more to tasks already placed to one side (or to the host, west of core 0) lands on
// that side. The block is the smallest near-square one at core 0 that holds the tiles at the
// spread cap and the SRAM with 10% slack. Capacity repair and local refinement follow
// (refine.cpp); the refined greedy placement is the second start, and the start with fewer
// bit-hops wins. METIS runs with a fixed seed, so the placement is deterministic.
#include "compiler/place/placer.h"

#include <metis.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace granita::compiler::place {

namespace {

using mapping::TaskKind;

struct Block {
  int x0 = 0, y0 = 0, w = 0, h = 0;
  int cores() const { return w * h; }
  double cx() const { return x0 + (w - 1) / 2.0; }
  double cy() const { return y0 + (h - 1) / 2.0; }
};

class Bisector {
public:
  Bisector(IrGraph &ir, const Chip &chip, int cap) : m_ir(ir), m_chip(chip), m_cap(cap) {
    auto &g = ir.g;
    const size_t n = boost::num_vertices(g);
    m_local.assign(n, -1);
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      auto &t = g[v].task;
      if (t.kind == TaskKind::HostEmbed || t.kind == TaskKind::HostOut) {
        t.core = mapping::kHostCore;
        continue;
      }
      t.core = kUnplaced;
      m_local[v] = int(m_verts.size());
      m_verts.push_back(v);
    }
    // Symmetric adjacency with parallel edges merged; host ends kept apart (index -1).
    std::vector<std::map<int, int64_t>> adj(m_verts.size());
    int64_t total = 0;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      const int a = m_local[boost::source(e, g)], b = m_local[boost::target(e, g)];
      const int64_t bits = g[e].flow.bits_per_sentence;
      if (a >= 0 && b >= 0 && a != b) {
        adj[size_t(a)][b] += bits;
        adj[size_t(b)][a] += bits;
        total += 2 * bits;
      } else if (a >= 0 && b < 0) {
        adj[size_t(a)][-1] += bits;
      } else if (b >= 0 && a < 0) {
        adj[size_t(b)][-1] += bits;
      }
    }
    // METIS sums edge weights in 32-bit integers: scale the total below 2^28.
    m_scale = total / (int64_t(1) << 28) + 1;
    m_adj.resize(m_verts.size());
    for (size_t i = 0; i < adj.size(); ++i)
      m_adj[i].assign(adj[i].begin(), adj[i].end());
    m_x.assign(m_verts.size(), 0.0);
    m_y.assign(m_verts.size(), 0.0);
  }

  /// Chooses the block and bisects into it.
  void run() {
    int64_t tiles = 0, sram = 0;
    for (Vertex v : m_verts) {
      tiles += m_ir.g[v].task.kind == TaskKind::XbarTile;
      sram += m_ir.g[v].task.sram_bits;
    }
    const int64_t need = std::max<int64_t>(
        {1, (tiles + m_cap - 1) / m_cap, (sram * 10 / 9 + m_chip.sram - 1) / m_chip.sram});
    Block b;
    b.w = std::min<int>(m_chip.mx, int(std::ceil(std::sqrt(double(need)))));
    b.h = int(std::min<int64_t>(m_chip.my, (need + b.w - 1) / b.w));
    if (int64_t(b.w) * b.h < need)
      b.w = int(std::min<int64_t>(m_chip.mx, (need + b.h - 1) / b.h));
    std::vector<int> all(m_verts.size());
    for (size_t i = 0; i < all.size(); ++i) {
      all[i] = int(i);
      m_x[i] = b.cx();
      m_y[i] = b.cy();
    }
    bisect(all, b);
  }

private:
  /// bits x distance from the tasks of `set` (placed at the centre of `b`) to their neighbours
  /// outside `set`, at those neighbours' current positions.
  double external_cost(const std::vector<int> &set, const std::vector<char> &in, const Block &b) {
    double cost = 0;
    for (int u : set)
      for (const auto &[w, bits] : m_adj[size_t(u)]) {
        if (w >= 0 && in[size_t(w)])
          continue;
        const double x = w < 0 ? -1.0 : m_x[size_t(w)], y = w < 0 ? 0.0 : m_y[size_t(w)];
        cost += double(bits) * (std::abs(b.cx() - x) + std::abs(b.cy() - y));
      }
    return cost;
  }

  void bisect(const std::vector<int> &set, const Block &b) {
    if (set.empty())
      return;
    if (b.cores() == 1) {
      for (int u : set) {
        m_ir.g[m_verts[size_t(u)]].task.core = b.y0 * m_chip.mx + b.x0;
        m_x[size_t(u)] = b.x0;
        m_y[size_t(u)] = b.y0;
      }
      return;
    }
    Block b1 = b, b2 = b;
    if (b.w >= b.h) {
      b1.w = b.w / 2;
      b2.x0 = b.x0 + b1.w;
      b2.w = b.w - b1.w;
    } else {
      b1.h = b.h / 2;
      b2.y0 = b.y0 + b1.h;
      b2.h = b.h - b1.h;
    }
    std::vector<idx_t> part(set.size(), 0);
    split(set, b1, b2, part);
    std::vector<int> s[2];
    for (size_t i = 0; i < set.size(); ++i)
      s[part[i]].push_back(set[i]);
    // Orientation: part 0 into b1 or into b2, whichever is nearer its outside neighbours.
    std::vector<char> in(m_verts.size(), 0);
    for (int u : set)
      in[size_t(u)] = 1;
    const double keep = external_cost(s[0], in, b1) + external_cost(s[1], in, b2);
    const double flip = external_cost(s[0], in, b2) + external_cost(s[1], in, b1);
    if (flip < keep && fits(s[0], b2) && fits(s[1], b1))
      std::swap(s[0], s[1]);
    for (int k = 0; k < 2; ++k)
      for (int u : s[k]) {
        m_x[size_t(u)] = k ? b2.cx() : b1.cx();
        m_y[size_t(u)] = k ? b2.cy() : b1.cy();
      }
    bisect(s[0], b1);
    bisect(s[1], b2);
  }

  bool fits(const std::vector<int> &set, const Block &b) const {
    int64_t tiles = 0;
    for (int u : set)
      tiles += m_ir.g[m_verts[size_t(u)]].task.kind == TaskKind::XbarTile;
    return tiles <= int64_t(b.cores()) * m_cap;
  }

  /// Two-way partition of `set` between blocks b1 (part 0) and b2 (part 1), each weight split
  /// in proportion to the blocks' cores. Terminal propagation: two anchor vertices, one per
  /// block, kept apart by a constraint of their own; a task whose outside neighbours are nearer
  /// one block is tied to that block's anchor by bits x the hops it saves there.
  void split(const std::vector<int> &set, const Block &b1, const Block &b2,
             std::vector<idx_t> &part) {
    const size_t n = set.size();
    const double f = double(b1.cores()) / double(b1.cores() + b2.cores());
    std::vector<int64_t> w[2];
    int64_t total[2] = {0, 0};
    for (int u : set) {
      const auto &t = m_ir.g[m_verts[size_t(u)]].task;
      w[0].push_back(t.kind == TaskKind::XbarTile);
      w[1].push_back((t.sram_bits + 1023) / 1024);
      total[0] += w[0].back();
      total[1] += w[1].back();
    }
    std::vector<int> cons;
    for (int c = 0; c < 2; ++c)
      if (total[c] > 0)
        cons.push_back(c);
    if (cons.empty() || n < 2)
      return; // nothing to balance: keep the set together; orientation picks the side
    std::vector<int> pos(m_verts.size(), -1);
    for (size_t i = 0; i < n; ++i)
      pos[size_t(set[i])] = int(i);
    // Weights are in half hops x bits / scale, so a half-hop saving is a whole unit.
    auto dist = [](double x, double y, const Block &b) {
      return std::abs(b.cx() - x) + std::abs(b.cy() - y);
    };
    std::vector<std::vector<std::pair<idx_t, idx_t>>> adj(n + 2);
    const idx_t anchor[2] = {idx_t(n), idx_t(n + 1)};
    for (size_t i = 0; i < n; ++i) {
      double pull = 0; // > 0: toward b1
      for (const auto &[nb, bits] : m_adj[size_t(set[i])]) {
        const idx_t wgt = idx_t(std::max<int64_t>(1, 2 * bits / m_scale));
        if (nb >= 0 && pos[size_t(nb)] >= 0) {
          adj[i].push_back({pos[size_t(nb)], wgt});
          continue;
        }
        const double x = nb < 0 ? -1.0 : m_x[size_t(nb)], y = nb < 0 ? 0.0 : m_y[size_t(nb)];
        pull += 2.0 * double(bits) / double(m_scale) * (dist(x, y, b2) - dist(x, y, b1));
      }
      const idx_t tie = idx_t(std::min<int64_t>(std::llround(std::abs(pull)), int64_t(1) << 28));
      if (tie > 0) {
        const idx_t a = anchor[pull > 0 ? 0 : 1];
        adj[i].push_back({a, tie});
        adj[size_t(a)].push_back({idx_t(i), tie});
      }
    }
    std::vector<idx_t> xadj{0}, adjncy, adjwgt, vwgt;
    const idx_t ncon = idx_t(cons.size() + 1);
    for (size_t i = 0; i < n + 2; ++i) {
      for (const auto &[nb, wgt] : adj[i]) {
        adjncy.push_back(nb);
        adjwgt.push_back(wgt);
      }
      xadj.push_back(idx_t(adjncy.size()));
      for (int c : cons)
        vwgt.push_back(i < n ? idx_t(w[c][i]) : 0);
      vwgt.push_back(i < n ? 0 : 1); // the anchors' own constraint: one per side
    }
    idx_t nv = idx_t(n + 2), nparts = 2, objval = 0;
    std::vector<real_t> tpwgts, ubvec;
    for (int p = 0; p < 2; ++p) {
      for (size_t c = 0; c < cons.size(); ++c)
        tpwgts.push_back(real_t(p == 0 ? f : 1.0 - f));
      tpwgts.push_back(real_t(0.5));
    }
    // Imbalance allowed: up to what the smaller-capacity side holds (tiles at the spread cap,
    // 90% of its SRAM), so the tiles pack as densely as the cap allows instead of spreading.
    for (int c : cons) {
      const double cap = c == 0 ? double(m_cap) : 0.9 * double(m_chip.sram) / 1024.0;
      const double room = std::min(cap * b1.cores() / (f * double(total[c])),
                                   cap * b2.cores() / ((1.0 - f) * double(total[c])));
      ubvec.push_back(real_t(std::max(1.02, std::min(room, 2.0))));
    }
    ubvec.push_back(real_t(1.01));
    idx_t options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_SEED] = 1;
    options[METIS_OPTION_NUMBERING] = 0;
    std::vector<idx_t> all(n + 2, 0);
    idx_t ncon_v = ncon;
    const int rc = METIS_PartGraphRecursive(&nv, &ncon_v, xadj.data(), adjncy.data(), vwgt.data(),
                                            nullptr, adjwgt.data(), &nparts, tpwgts.data(),
                                            ubvec.data(), options, &objval, all.data());
    if (rc == METIS_OK) {
      // Part numbers follow the anchors: the part holding anchor 0 goes to b1.
      const bool flip = all[n] == 1 && all[n + 1] == 0;
      for (size_t i = 0; i < n; ++i)
        part[i] = flip ? 1 - all[i] : all[i];
      return;
    }
    int64_t acc = 0; // METIS failed: split in execution order by the first weight
    const int c = cons[0];
    for (size_t i = 0; i < n; ++i) {
      part[i] = double(acc) >= f * double(total[c]) ? 1 : 0;
      acc += w[c][i];
    }
  }

  IrGraph &m_ir;
  const Chip &m_chip;
  int m_cap;
  std::vector<Vertex> m_verts;                             // tasks on cores, in order
  std::vector<int> m_local;                                // vertex -> index in m_verts, -1
  std::vector<std::vector<std::pair<int, int64_t>>> m_adj; // (neighbour or -1 host, bits)
  std::vector<double> m_x, m_y;                            // current position (block centre)
  int64_t m_scale = 1;
};

} // namespace

bool place_metis(IrGraph &ir, const Chip &chip, std::string &why) {
  const int cap = tile_cap(ir, chip);
  // Two starts, each refined: the partition (if it can be repaired into the capacities; tight
  // SRAM can fragment so that no task of an overfull core fits the room left elsewhere) and the
  // greedy placement. The one with fewer bit-hops is kept (ties: the partition), so this placer
  // fits wherever greedy does and never has more traffic than greedy.
  std::vector<int> best;
  int64_t best_bits = 0;
  Bisector(ir, chip, cap).run();
  if (repair(ir, chip, cap, why)) {
    refine(ir, chip, cap);
    best_bits = total_bit_hops(ir, chip.mx);
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g)))
      best.push_back(ir.g[v].task.core);
  }
  if (place_greedy(ir, chip, why)) {
    refine(ir, chip, cap);
    if (best.empty() || total_bit_hops(ir, chip.mx) < best_bits)
      best.clear();
  } else if (best.empty()) {
    return false;
  }
  if (!best.empty()) {
    size_t i = 0;
    for (auto v : boost::make_iterator_range(boost::vertices(ir.g)))
      ir.g[v].task.core = best[i++];
  }
  if (!number_crossbars(ir, chip)) {
    why = "crossbars";
    return false;
  }
  return true;
}

} // namespace granita::compiler::place
