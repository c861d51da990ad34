// SPDX-License-Identifier: Apache-2.0
// Small synthetic models, chips built in code, and running a prefix of the pass pipeline.
#pragma once

#include "compiler/compile.h"
#include "compiler/passes/passes.h"
#include "src/model/synthetic_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace granita::compiler::test {

/// A one-layer Sorbet of the given shape with 4-bit counts and 16 time steps, vocabulary 16.
/// With the defaults (hidden 8, heads 2, ffn 32, max_seq_len 4) the op indices are those of
/// model::sorbet_op_names(1): 0 embed, 1 embed.norm, 2 attn.in, 3 q, 4 k, 5 v, 6 q.fire,
/// 7 k.fire, 8 v.fire, 9 scores, 10 softmax, 11 context, 12 out.in, 13 out, 14 attn.residual,
/// 15 attn.norm, 16 ffn.in, 17 ffn.up, 18 ffn.act, 19 ffn.down, 20 ffn.residual,
/// 21 ffn.norm, 22 pool.cls, 23 pool.in, 24 pool.dense, 25 pool.act, 26 classifier.
inline model::SorbetModel tiny_model(int hidden = 8, int heads = 2, int ffn = 32,
                                     int max_seq_len = 4, int layers = 1, uint64_t seed = 1) {
  model::SyntheticSpec spec;
  spec.arch = {layers, hidden, heads, ffn, max_seq_len, 16, 2, 4, 16};
  spec.seed = seed;
  spec.name = "tiny";
  return model::make_synthetic_model(spec);
}

/// A chip of mesh_x x mesh_y cores with `count` rows x cols crossbars and `kib` KiB of scratch
/// SRAM each (every other parameter at its default: XY routing, rate coding).
inline config::HwConfig tiny_hw(int mesh_x, int mesh_y, int rows, int cols, int count, int kib) {
  config::HwConfig hw;
  hw.name = "tiny";
  hw.mesh_x = mesh_x;
  hw.mesh_y = mesh_y;
  hw.crossbar_rows = rows;
  hw.crossbar_cols = cols;
  hw.crossbars_per_core = count;
  hw.scratch_sram_kib = kib;
  return hw;
}

/// The passes of compile(), in order.
inline std::vector<std::unique_ptr<IPass>> pipeline(const Options &o = {}) {
  std::vector<std::unique_ptr<IPass>> p;
  p.push_back(create_import_pass(o));
  p.push_back(create_verify_pass(o));
  p.push_back(create_lower_pass(o));
  p.push_back(create_tile_pass(o));
  p.push_back(create_place_pass(o));
  p.push_back(create_route_pass(o));
  p.push_back(create_schedule_pass(o));
  return p;
}

/// Runs the pipeline up to and including `last` with the IR verifier after each pass; false
/// if a pass or the verifier failed (diagnostics in ctx).
inline bool run_through(IrGraph &ir, PassContext &ctx, const std::string &last) {
  PassManager pm(Options{});
  bool found = false;
  for (auto &p : pipeline()) {
    const std::string name = p->name();
    pm.add(std::move(p));
    if (name == last) {
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found) << "no pass " << last;
  return pm.run(ir, ctx);
}

/// An IR over `model` and `hw` after the passes up to `last`; the test fails if one fails.
struct Compiled {
  IrGraph ir;
  PassContext ctx;
  Compiled(const model::SorbetModel &m, const config::HwConfig &hw, const std::string &last) {
    ir.model = &m;
    ir.hw = &hw;
    const bool ok = run_through(ir, ctx, last);
    EXPECT_TRUE(ok) << format_diagnostics(ctx.diagnostics);
  }
  std::vector<mapping::Task> tasks() const { return ir.tasks(); }
  std::vector<mapping::Flow> flows() const {
    std::vector<mapping::Flow> out;
    for (auto e : boost::make_iterator_range(boost::edges(ir.g)))
      out.push_back(ir.g[e].flow);
    return out;
  }
};

/// The tasks of one kind, in IR order.
inline std::vector<mapping::Task> of_kind(const std::vector<mapping::Task> &ts,
                                          mapping::TaskKind k) {
  std::vector<mapping::Task> out;
  for (const auto &t : ts)
    if (t.kind == k)
      out.push_back(t);
  return out;
}

/// The task named `name` (the test fails if there is none).
inline mapping::Task named(const std::vector<mapping::Task> &ts, const std::string &name) {
  for (const auto &t : ts)
    if (t.name == name)
      return t;
  ADD_FAILURE() << "no task " << name;
  return {};
}

/// All errors of a compile as one string (for failure messages and substring checks).
inline std::string errors(const CompileResult &r) { return format_diagnostics(r.diagnostics); }

} // namespace granita::compiler::test
