// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "compiler/graph/ir_graph.h"

#include <cstdint>
#include <string>

/// The placement algorithms behind the place pass (compiler.placement, docs/placement.md).
/// Contract of every placer: it writes task.core of every task (host tasks kHostCore) and
/// task.crossbar of every tile, respects the chip's crossbar slots and scratch SRAM per core and
/// the tile spread cap below, and is deterministic (same IR and chip -> same placement). It
/// returns false with the overflowing resource ("crossbars" or "sram") in `why`.
namespace granita::compiler::place {

struct Chip {
  int mx = 0, my = 0, slots = 0;
  int64_t sram = 0;
  int cores() const { return mx * my; }
};

/// Mesh hops between two cores (either may be the host, one hop west of core 0).
int hops(int a, int b, int mx);

/// Tiles per core both placers allow: every core has its own accumulate unit, so packing all
/// crossbars of few cores would serialise their work; at most ceil(tiles / cores) per core.
int tile_cap(const IrGraph &ir, const Chip &chip);

/// sum over the flows touching `v` of bits x hops, were `v` on `core` (unplaced ends skipped).
int64_t cost_at(const IrGraph &ir, Vertex v, int core, int mx);

/// Greedy: tiles along a serpentine path in execution order, then every other task where its
/// bits x hops to placed neighbours is least (two sweeps).
bool place_greedy(IrGraph &ir, const Chip &chip, std::string &why);

/// Graph partitioning (METIS): recursive bisection of the task graph matched to recursive
/// bisection of a compact block of the mesh, then capacity repair and local refinement; the
/// refined greedy placement replaces it when that has fewer bit-hops.
bool place_metis(IrGraph &ir, const Chip &chip, std::string &why);

/// Moves tasks off cores holding more than `cap` tiles or more scratch SRAM than the core has,
/// each to the core with room where its bits x hops grow least. False (with `why`) if no core
/// has room. Leaves crossbar slots unnumbered.
bool repair(IrGraph &ir, const Chip &chip, int cap, std::string &why);

/// Local search on a valid placement: moves a task to another core, or swaps two tiles, whenever
/// that lowers total bits x hops and keeps every capacity; a few sweeps in execution order.
void refine(IrGraph &ir, const Chip &chip, int cap);

/// sum over all flows of bits x hops (the placement objective, traffic_bit_hops).
int64_t total_bit_hops(const IrGraph &ir, int mx);

/// Numbers tiles' crossbar slots per core in execution order; false if a core has too many.
bool number_crossbars(IrGraph &ir, const Chip &chip);

} // namespace granita::compiler::place
