// SPDX-License-Identifier: Apache-2.0
// Integer reference kernels at BERT-base shapes. Counter "synops/s": binary synaptic accumulates
// per second, counting every (token, input, output) triple of a binary linear layer once.

#include "src/model/synthetic_model.h"
#include "src/ref/kernels.h"
#include "src/ref/sorbet_reference.h"

#include <benchmark/benchmark.h>

#include <random>

namespace {

using namespace granita;

ref::IntMatrix random_counts(int rows, int cols, int levels, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(0, levels);
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

void BM_BinaryLinear(benchmark::State &state) {
  const int in = int(state.range(0)), out = int(state.range(1)), seq = int(state.range(2));
  const auto x = random_counts(seq, in, 15, 1);
  const auto w = random_bits(out, in, 2);
  for (auto _ : state) {
    auto y = ref::binary_linear(x, 8, 4, w);
    benchmark::DoNotOptimize(y.v.data());
  }
  const double synops = double(seq) * in * out;
  state.counters["synops/s"] =
      benchmark::Counter(synops * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BinaryLinear)
    ->Args({768, 768, 128})
    ->Args({768, 3072, 128})
    ->Args({3072, 768, 128})
    ->Unit(benchmark::kMillisecond);

void BM_BinaryLinearNaive(benchmark::State &state) {
  const int in = int(state.range(0)), out = int(state.range(1)), seq = int(state.range(2));
  const auto x = random_counts(seq, in, 15, 1);
  const auto w = random_bits(out, in, 2);
  for (auto _ : state) {
    auto y = ref::binary_linear_naive(x, 8, w);
    benchmark::DoNotOptimize(y.v.data());
  }
  state.counters["synops/s"] = benchmark::Counter(
      double(seq) * in * out * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BinaryLinearNaive)->Args({768, 768, 128})->Unit(benchmark::kMillisecond);

void BM_EncoderLayer(benchmark::State &state) {
  model::SyntheticSpec spec;
  spec.arch = {1, 768, 12, 3072, 128, 1000, 2, 4, 16};
  const auto m = model::make_synthetic_model(spec);
  const ref::Reference r(m);
  std::mt19937_64 rng(3);
  std::vector<int32_t> ids(128), types(128, 0);
  for (auto &t : ids)
    t = int32_t(rng() % 1000);
  int64_t synops = 0;
  for (auto _ : state) {
    auto res = r.run(ids, types);
    synops = res.synaptic_ops;
    benchmark::DoNotOptimize(res.logits.data());
  }
  // Dense-equivalent binary synaptic accumulates of one layer at seq 128: 4·768² + 2·768·3072.
  const double dense = 128.0 * (4.0 * 768 * 768 + 2.0 * 768 * 3072);
  state.counters["synops/s"] =
      benchmark::Counter(dense * double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["spike_synops/sentence"] = double(synops);
}
BENCHMARK(BM_EncoderLayer)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
