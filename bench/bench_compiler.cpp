// SPDX-License-Identifier: Apache-2.0
// The compiler on a BERT-base-size Sorbet (12 layers, hidden 768, 12 heads, FFN 3072, seq 128;
// synthetic weights) on configs/hw/bert-base.yaml (24x24 cores of four 256x256 crossbars).
// BM_Compile times the whole pipeline (IR verifier on, as `granita compile` runs it) and reports
// each pass's share as counters; BM_Pass/<i> times pass i alone on a copy of the IR the passes
// before it produced, BM_VerifyIr the IR verifier on the final IR.

#include "compiler/compile.h"
#include "compiler/passes/passes.h"
#include "src/config/hw_config.h"
#include "src/model/synthetic_model.h"

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace granita;

const model::SorbetModel &bert_base() {
  static const model::SorbetModel m = [] {
    model::SyntheticSpec spec;
    spec.arch = {12, 768, 12, 3072, 128, 30522, 2, 4, 16};
    spec.name = "bert-base-synthetic";
    return model::make_synthetic_model(spec);
  }();
  return m;
}

const config::HwConfig &big_chip() {
  static const config::HwConfig hw =
      config::load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/bert-base.yaml");
  return hw;
}

std::vector<std::unique_ptr<compiler::IPass>> pipeline() {
  std::vector<std::unique_ptr<compiler::IPass>> p;
  const compiler::Options o;
  p.push_back(compiler::create_import_pass(o));
  p.push_back(compiler::create_verify_pass(o));
  p.push_back(compiler::create_lower_pass(o));
  p.push_back(compiler::create_tile_pass(o));
  p.push_back(compiler::create_place_pass(o));
  p.push_back(compiler::create_route_pass(o));
  p.push_back(compiler::create_schedule_pass(o));
  return p;
}

/// The IR after the first `n` passes (computed once per n).
const compiler::IrGraph &ir_after(size_t n) {
  static std::map<size_t, compiler::IrGraph> cache;
  auto it = cache.find(n);
  if (it != cache.end())
    return it->second;
  compiler::IrGraph ir;
  ir.model = &bert_base();
  ir.hw = &big_chip();
  compiler::PassContext ctx;
  auto passes = pipeline();
  for (size_t i = 0; i < n; ++i)
    if (!passes[i]->run(ir, ctx).ok)
      throw std::runtime_error(std::string("pass ") + passes[i]->name() + " failed:\n" +
                               compiler::format_diagnostics(ctx.diagnostics));
  return cache.emplace(n, std::move(ir)).first->second;
}

void BM_Compile(benchmark::State &state) {
  const auto &m = bert_base();
  const auto &hw = big_chip();
  std::map<std::string, double> pass_seconds;
  std::vector<std::string> order;
  for (auto _ : state) {
    const compiler::CompileResult r = compiler::compile(m, hw);
    if (!r.mapping) {
      state.SkipWithError(compiler::format_diagnostics(r.diagnostics).c_str());
      return;
    }
    benchmark::DoNotOptimize(r.mapping->summary.tiles);
    for (const auto &t : r.timings) {
      if (!pass_seconds.count(t.pass))
        order.push_back(t.pass);
      pass_seconds[t.pass] += t.seconds;
      pass_seconds[t.pass + "+verify"] += t.verify_seconds;
    }
  }
  for (const auto &p : order) {
    state.counters[p + "_ms"] =
        benchmark::Counter(pass_seconds[p] * 1e3, benchmark::Counter::kAvgIterations);
    state.counters[p + "_verify_ms"] =
        benchmark::Counter(pass_seconds[p + "+verify"] * 1e3, benchmark::Counter::kAvgIterations);
  }
}
BENCHMARK(BM_Compile)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CompileNoVerify(benchmark::State &state) {
  compiler::CompileOptions o;
  o.pass_options.verify_each = false;
  for (auto _ : state) {
    const compiler::CompileResult r = compiler::compile(bert_base(), big_chip(), o);
    benchmark::DoNotOptimize(r.mapping.has_value());
  }
}
BENCHMARK(BM_CompileNoVerify)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Pass(benchmark::State &state) {
  const size_t i = size_t(state.range(0));
  auto passes = pipeline();
  state.SetLabel(passes[i]->name());
  const compiler::IrGraph &before = ir_after(i);
  for (auto _ : state) {
    state.PauseTiming();
    compiler::IrGraph ir = before;
    compiler::PassContext ctx;
    state.ResumeTiming();
    const bool ok = passes[i]->run(ir, ctx).ok;
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Pass)->DenseRange(0, 6)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerifyIr(benchmark::State &state) {
  const compiler::IrGraph &ir = ir_after(7);
  for (auto _ : state) {
    compiler::PassContext ctx;
    benchmark::DoNotOptimize(compiler::verify_ir(ir, ctx));
  }
}
BENCHMARK(BM_VerifyIr)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WriteMappingYaml(benchmark::State &state) {
  const mapping::Mapping mp = compiler::emit_mapping(ir_after(7));
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string y = mapping::to_yaml(mp);
    bytes = y.size();
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["yaml_bytes"] = double(bytes);
}
BENCHMARK(BM_WriteMappingYaml)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
