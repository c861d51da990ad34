// SPDX-License-Identifier: Apache-2.0
#include "compiler/graph/ir_graph.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace granita::compiler {

using mapping::Payload;
using mapping::Task;
using mapping::TaskKind;

const char *ir_level_name(IrLevel l) {
  switch (l) {
  case IrLevel::Ops: return "ops";
  case IrLevel::Primitives: return "primitives";
  case IrLevel::Tiled: return "tiled";
  case IrLevel::Placed: return "placed";
  case IrLevel::Routed: return "routed";
  case IrLevel::Scheduled: return "scheduled";
  }
  return "?";
}

void IrGraph::set_tasks(std::vector<Task> tasks, const std::vector<int> &lines) {
  g = BoostGraph();
  for (size_t i = 0; i < tasks.size(); ++i) {
    tasks[i].id = int(i);
    IrVertex v;
    v.task = std::move(tasks[i]);
    v.model_line = i < lines.size() ? lines[i] : 0;
    boost::add_vertex(std::move(v), g);
  }
  derive_edges();
}

std::vector<Task> IrGraph::tasks() const {
  std::vector<Task> out;
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    out.push_back(g[v].task);
  return out;
}

void IrGraph::derive_edges() {
  std::vector<Edge> old(boost::edges(g).first, boost::edges(g).second);
  for (const Edge &e : old)
    boost::remove_edge(e, g);
  const model::SorbetModel &m = *model;
  const int n = m.arch.max_seq_len;
  const int planes = hw->encoding == "bitserial" ? m.arch.bits : m.arch.time_steps;
  // Producers of each op's output slices; tiles of each binary linear by row block.
  std::map<int, std::vector<Vertex>> producers;
  std::map<std::pair<int, int>, std::vector<Vertex>> tiles; // (op, col0) -> tiles
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Task &t = g[v].task;
    if (t.kind == TaskKind::XbarTile)
      tiles[{t.op, t.col0}].push_back(v);
    else if (t.kind != TaskKind::HostOut)
      producers[t.op].push_back(v);
  }
  int next_id = 0;
  auto add = [&](Vertex src, Vertex dst, int slot, int lo, int hi, int op, bool from_tile) {
    mapping::Flow f;
    f.id = next_id++;
    f.src = int(src);
    f.dst = int(dst);
    f.slot = slot;
    f.lo = lo;
    f.hi = hi;
    f.seq_elements = !from_tile && mapping::op_units_are_rows(m, op);
    f.payload = from_tile ? Payload::Values : mapping::op_payload(m, op);
    f.elem_bits = f.payload == Payload::Spikes ? m.arch.bits : mapping::kValueBits;
    f.elements = (hi - lo) * (f.seq_elements ? n : 1);
    const int64_t messages = g[src].task.per_token ? n : 1;
    // signed_rate: a signed site's spikes (magnitudes over T steps) follow a sign plane.
    const bool sign_plane = hw->encoding == "signed_rate" && f.payload == Payload::Spikes &&
                            m.ops[size_t(op)].offset != 0;
    const int64_t per_element =
        f.payload == Payload::Spikes ? planes + (sign_plane ? 1 : 0) : f.elem_bits;
    f.bits_per_sentence = messages * f.elements * per_element;
    boost::add_edge(src, dst, IrEdge{f}, g);
  };
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Task &t = g[v].task;
    for (size_t s = 0; s < t.inputs.size(); ++s) {
      const mapping::TaskInput &in = t.inputs[s];
      if (t.kind == TaskKind::PsumReduce) {
        for (Vertex p : tiles[{t.op, t.lo}])
          if (g[p].task.row_block == int(s) && g[p].task.col1 == t.hi)
            add(p, v, int(s), t.lo, t.hi, t.op, true);
        continue;
      }
      for (Vertex p : producers[in.op]) {
        const Task &pt = g[p].task;
        const int lo = std::max(in.lo, pt.lo), hi = std::min(in.hi, pt.hi);
        if (lo < hi)
          add(p, v, int(s), lo, hi, in.op, false);
      }
    }
  }
}

namespace {

std::string core_name(int c) {
  return c == mapping::kHostCore ? "host" : c == kUnplaced ? "?" : std::to_string(c);
}

} // namespace

std::string dump_text(const IrGraph &ir) {
  std::ostringstream os;
  os << "// IR level " << ir_level_name(ir.level) << ": " << boost::num_vertices(ir.g)
     << " vertices, " << boost::num_edges(ir.g) << " edges\n";
  for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
    const Task &t = ir.g[v].task;
    os << "%" << v << " = " << mapping::task_kind_name(t.kind) << " '" << t.name << "' out["
       << t.lo << ", " << t.hi << ")";
    if (t.kind == TaskKind::XbarTile)
      os << " rows[" << t.row0 << ", " << t.row1 << ") cols[" << t.col0 << ", " << t.col1
         << ") xbar " << t.crossbar;
    os << " core " << core_name(t.core) << " stage " << t.stage << " sram " << t.sram_bits
       << " <-";
    for (auto e : boost::make_iterator_range(boost::in_edges(v, ir.g))) {
      const mapping::Flow &f = ir.g[e].flow;
      os << " %" << boost::source(e, ir.g) << ".[" << f.lo << "," << f.hi << ")@" << f.slot;
    }
    os << "\n";
  }
  return os.str();
}

std::string dump_dot(const IrGraph &ir) {
  std::ostringstream os;
  os << "digraph granita_ir {\n  rankdir=TB;\n  node [shape=box, fontsize=10];\n";
  for (auto v : boost::make_iterator_range(boost::vertices(ir.g))) {
    const Task &t = ir.g[v].task;
    os << "  n" << v << " [label=\"" << t.name << "\\n" << mapping::task_kind_name(t.kind)
       << " core " << core_name(t.core) << "\"];\n";
  }
  for (auto e : boost::make_iterator_range(boost::edges(ir.g))) {
    const mapping::Flow &f = ir.g[e].flow;
    os << "  n" << boost::source(e, ir.g) << " -> n" << boost::target(e, ir.g) << " [label=\"["
       << f.lo << "," << f.hi << ")\"];\n";
  }
  os << "}\n";
  return os.str();
}

} // namespace granita::compiler
