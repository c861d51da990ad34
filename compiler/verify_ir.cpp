// SPDX-License-Identifier: Apache-2.0
// The IR verifier run after every pass: checks what the IR's level promises.
#include "compiler/compile.h"
#include "compiler/pass.h"

#include <algorithm>
#include <map>

namespace granita::compiler {

std::string vertex_location(const IrGraph &ir, Vertex v) {
  if (v >= boost::num_vertices(ir.g))
    return "model '" + ir.model->name + "'";
  const IrVertex &x = ir.g[v];
  std::string loc;
  if (x.model_line > 0 && !ir.model->dir.empty())
    loc = (ir.model->dir / "model.yaml").string() + ":" + std::to_string(x.model_line) + ": ";
  return loc + "'" + x.task.name + "'";
}

bool verify_ir(const IrGraph &ir, PassContext &ctx) {
  const auto &g = ir.g;
  size_t before = ctx.diagnostics.size();
  for (auto e : boost::make_iterator_range(boost::edges(g)))
    if (boost::source(e, g) >= boost::target(e, g))
      ctx.error(vertex_location(ir, boost::target(e, g)),
                "consumes the output of a later vertex (the IR is not in execution order)");
  if (ir.level == IrLevel::Ops)
    return ctx.diagnostics.size() == before;

  // Every input slot is covered exactly once by incoming edges.
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const mapping::Task &t = g[v].task;
    std::vector<std::vector<std::pair<int, int>>> parts(t.inputs.size());
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      const mapping::Flow &f = g[e].flow;
      if (f.slot >= 0 && size_t(f.slot) < parts.size())
        parts[size_t(f.slot)].push_back({f.lo, f.hi});
    }
    for (size_t s = 0; s < parts.size(); ++s) {
      const std::string why = mapping::check_partition(parts[s], t.inputs[s].lo, t.inputs[s].hi);
      if (!why.empty())
        ctx.error(vertex_location(ir, v), "input slot " + std::to_string(s) +
                                              " is not covered exactly once by its edges: " + why);
    }
  }
  if (ir.level >= IrLevel::Tiled)
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      const mapping::Task &t = g[v].task;
      if (t.kind == mapping::TaskKind::XbarTile &&
          (t.row1 - t.row0 > ir.hw->crossbar_rows || t.col1 - t.col0 > ir.hw->crossbar_cols))
        ctx.error(vertex_location(ir, v), "tile is larger than a crossbar");
    }
  if (ir.level >= IrLevel::Placed) {
    std::map<std::pair<int, int>, Vertex> slot;
    std::vector<int64_t> sram(size_t(ir.hw->cores()), 0);
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      const mapping::Task &t = g[v].task;
      const bool host = t.kind == mapping::TaskKind::HostEmbed ||
                        t.kind == mapping::TaskKind::HostOut;
      if (host ? t.core != mapping::kHostCore : (t.core < 0 || t.core >= ir.hw->cores())) {
        ctx.error(vertex_location(ir, v), "is not placed on a valid core");
        continue;
      }
      if (host)
        continue;
      sram[size_t(t.core)] += t.sram_bits;
      if (t.kind == mapping::TaskKind::XbarTile) {
        if (t.crossbar < 0 || t.crossbar >= ir.hw->crossbars_per_core ||
            !slot.emplace(std::make_pair(t.core, t.crossbar), v).second)
          ctx.error(vertex_location(ir, v), "crossbar slot is invalid or already taken");
      }
    }
    for (size_t c = 0; c < sram.size(); ++c)
      if (sram[c] > int64_t(ir.hw->scratch_sram_kib) * 8192)
        ctx.error("core " + std::to_string(c), "scratch SRAM over capacity");
  }
  if (ir.level >= IrLevel::Routed)
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      const auto &r = g[e].flow.route;
      if (r.empty() || r.front() != g[boost::source(e, g)].task.core ||
          r.back() != g[boost::target(e, g)].task.core)
        ctx.error(vertex_location(ir, boost::target(e, g)), "an incoming flow is not routed");
    }
  if (ir.level == IrLevel::Scheduled && ctx.diagnostics.size() == before) {
    // The final IR must make a mapping the simulator's own verifier accepts.
    for (const auto &issue : mapping::verify(emit_mapping(ir), *ir.model, *ir.hw))
      ctx.error(issue.where, issue.message);
  }
  return ctx.diagnostics.size() == before;
}

} // namespace granita::compiler
