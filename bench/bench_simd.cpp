// SPDX-License-Identifier: Apache-2.0
// The SIMD-dispatched reference kernels at BERT-base shapes, once per path this CPU supports
// (names end in /portable, /avx2, /avx512). Compare a path's time with /portable's for its
// speed-up. Counter "synops/s" as in bench_reference: (token, input, output) triples per second
// for the binary linear, multiply-accumulates per second for Q·Kᵀ and P·V.

#include "src/ref/kernels.h"
#include "src/ref/simd/simd.h"

#include <benchmark/benchmark.h>

#include <random>
#include <string>

namespace {

using namespace granita;

ref::IntMatrix random_matrix(int rows, int cols, int64_t lo, int64_t hi, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> d(lo, hi);
  ref::IntMatrix m(rows, cols);
  for (auto &x : m.v)
    x = d(rng);
  return m;
}

model::PackedBits random_bits(int rows, int cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int8_t> s(size_t(rows) * size_t(cols));
  for (auto &x : s)
    x = (rng() & 1) ? 1 : -1;
  return model::PackedBits::from_signs(rows, cols, s);
}

void rate(benchmark::State &state, double per_iteration) {
  state.counters["synops/s"] =
      benchmark::Counter(per_iteration * double(state.iterations()), benchmark::Counter::kIsRate);
}

// Args: in features, out features, tokens.
void binary_linear(benchmark::State &state, ref::simd::Isa isa) {
  const int in = int(state.range(0)), out = int(state.range(1)), seq = int(state.range(2));
  const auto x = random_matrix(seq, in, 0, 15, 1);
  const auto w = random_bits(out, in, 2);
  const auto &kt = ref::simd::table(isa);
  for (auto _ : state) {
    auto y = ref::binary_linear(x, 8, 4, w, kt);
    benchmark::DoNotOptimize(y.v.data());
  }
  rate(state, double(seq) * in * out);
}

// One crossbar tile as the chip calls it: one token, rows [r0, r0 + 256) of a 768-wide input
// (crossing words when r0 is not a multiple of 64), 256 outputs.
void binary_linear_block(benchmark::State &state, ref::simd::Isa isa) {
  const int r0 = int(state.range(0)), rows = 256, outs = 256;
  const auto x = random_matrix(1, rows, 0, 15, 1);
  const auto w = random_bits(outs, 768, 2);
  const auto &kt = ref::simd::table(isa);
  for (auto _ : state) {
    auto y = ref::binary_linear_block(x.v.data(), 8, 4, w, r0, r0 + rows, 0, outs, kt);
    benchmark::DoNotOptimize(y.data());
  }
  rate(state, double(rows) * outs);
}

// Args: tokens. 12 heads of 64, counts 0..15 as after a fire.
void qk_scores(benchmark::State &state, ref::simd::Isa isa) {
  const int n = int(state.range(0));
  const auto q = random_matrix(n, 768, 0, 15, 1), k = random_matrix(n, 768, 0, 15, 2);
  const auto &kt = ref::simd::table(isa);
  for (auto _ : state) {
    auto s = ref::qk_scores(q, k, 12, 5, 8, kt);
    benchmark::DoNotOptimize(s.v.data());
  }
  rate(state, double(n) * n * 768);
}

void pv_matmul(benchmark::State &state, ref::simd::Isa isa) {
  const int n = int(state.range(0));
  auto p = random_matrix(12 * n, n, -12, 15, 1);
  for (auto &x : p.v)
    x = x < 0 ? 0 : x; // about 40 % zeros, as a shift softmax leaves
  const auto v = random_matrix(n, 768, 0, 15, 2);
  const auto &kt = ref::simd::table(isa);
  for (auto _ : state) {
    auto o = ref::pv_matmul(p, v, 12, 8, kt);
    benchmark::DoNotOptimize(o.v.data());
  }
  rate(state, double(n) * n * 768);
}

void register_all() {
  for (ref::simd::Isa isa : ref::simd::supported_isas()) {
    const std::string tail = std::string("/") + ref::simd::isa_name(isa);
    auto *b = benchmark::RegisterBenchmark(("BM_BinaryLinear" + tail).c_str(), binary_linear, isa);
    for (int seq : {25, 128}) {
      b->Args({768, 768, seq});
      b->Args({768, 3072, seq});
      b->Args({3072, 768, seq});
    }
    b->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_BinaryLinearBlock" + tail).c_str(), binary_linear_block, isa)
        ->Arg(0)
        ->Arg(100)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_QkScores" + tail).c_str(), qk_scores, isa)
        ->Arg(25)
        ->Arg(128)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_PvMatmul" + tail).c_str(), pv_matmul, isa)
        ->Arg(25)
        ->Arg(128)
        ->Unit(benchmark::kMicrosecond);
  }
}

} // namespace

int main(int argc, char **argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
