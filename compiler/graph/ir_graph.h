// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/config/hw_config.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"

#include <boost/graph/adjacency_list.hpp>

#include <string>
#include <vector>

namespace granita::compiler {

/// How far lowering has got; the verifier checks what each level promises.
enum class IrLevel { Ops, Primitives, Tiled, Placed, Routed, Scheduled };
const char *ir_level_name(IrLevel l);

/// A vertex: a Sorbet op (level Ops) or a hardware primitive task (later levels). The task
/// fields follow mapping::Task; `core` is -2 until placement.
struct IrVertex {
  mapping::Task task;
  int model_line = 0; // model.yaml line of the op, for diagnostics
};

/// An edge: a tensor / spike stream from producer to consumer (a mapping::Flow once tiled).
struct IrEdge {
  mapping::Flow flow;
};

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                         IrVertex, IrEdge>;
using Vertex = boost::graph_traits<BoostGraph>::vertex_descriptor;
using Edge = boost::graph_traits<BoostGraph>::edge_descriptor;

constexpr int kUnplaced = -2;

/// The compiler's IR: a Boost.Graph of ops or primitives over one model and chip.
/// Contract: model and hw outlive the graph; vertex order is execution order (every producer
/// before its consumers) at every level.
struct IrGraph {
  const model::SorbetModel *model = nullptr;
  const config::HwConfig *hw = nullptr;
  IrLevel level = IrLevel::Ops;
  BoostGraph g;
  std::vector<mapping::LinkLoad> links;
  std::vector<mapping::CoreUse> cores;
  mapping::Summary summary;
  int elementwise_chunk = 0; // feature chunk of elementwise tasks chosen by the tile pass

  /// Rebuilds every edge from the vertices' input slices: one edge per (producer slice,
  /// consumer slot) overlap, partial sums from tiles to their reduce task. Clears routes.
  void derive_edges();
  /// Replaces the vertices (edges are derived again).
  void set_tasks(std::vector<mapping::Task> tasks, const std::vector<int> &lines);
  std::vector<mapping::Task> tasks() const;
};

/// Human-readable IR dump and GraphViz dot (for --dump-after).
std::string dump_text(const IrGraph &ir);
std::string dump_dot(const IrGraph &ir);

} // namespace granita::compiler
