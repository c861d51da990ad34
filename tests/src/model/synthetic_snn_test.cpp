// SPDX-License-Identifier: Apache-2.0
// Synthetic spiking networks (make_synthetic_snn): the requested input rate is what the network
// produces, the package passes the reader, bad specs are named errors.
#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace granita::model {
namespace {

SyntheticSnnSpec spec_of(std::vector<int> sizes, double rate) {
  SyntheticSnnSpec s;
  s.sizes = std::move(sizes);
  s.input_rate = rate;
  s.max_seq_len = 64;
  s.vocab_size = 100;
  s.seed = 3;
  return s;
}

std::vector<int32_t> ids_of(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> ids;
  for (int i = 0; i < n; ++i)
    ids.push_back(int32_t(5 + rng() % 95));
  return ids;
}

/// Spikes per neuron per time step of op `name`'s output, from the reference's own counts.
double measured_rate(const SorbetModel &m, const ref::ReferenceResult &r, const std::string &name) {
  const int op = m.find_op(name);
  EXPECT_GE(op, 0) << name;
  double spikes = 0;
  for (int64_t c : r.outputs[size_t(op)].v)
    spikes += double(c);
  return spikes / (double(r.outputs[size_t(op)].v.size()) * m.arch.time_steps);
}

TEST(SyntheticSnn, InputRateMatchesTheRequestWithinSamplingError) {
  const double rate = 0.1;
  const SorbetModel m = make_synthetic_snn(spec_of({512, 64}, rate));
  ASSERT_EQ(m.arch.time_steps, 16);
  const int n = 64;
  const ref::Reference reference(m);
  const std::vector<int32_t> types(size_t(n), 0);
  const ref::ReferenceResult r = reference.run(ids_of(n, 1), types, true);
  // Each of the n·512 counts is Binomial(15, q) with q = rate·16/15, so the measured rate has
  // mean `rate` and standard deviation sqrt(15·q·(1−q) / (n·512)) / 16 ≈ 4.1e-4; 5 sigma.
  const double q = rate * 16 / 15;
  const double sigma = std::sqrt(15 * q * (1 - q) / (n * 512.0)) / 16;
  const double got = measured_rate(m, r, "input");
  EXPECT_NEAR(got, rate, 5 * sigma);
  EXPECT_DOUBLE_EQ(got, synthetic_snn_input_rate(m, n));
  // The counts depend on the position only: other tokens give the same input spikes.
  const ref::ReferenceResult r2 = reference.run(ids_of(n, 2), types, true);
  const int in = m.find_op("input");
  EXPECT_EQ(r.outputs[size_t(in)].v, r2.outputs[size_t(in)].v);
}

TEST(SyntheticSnn, ExtremeRatesAreExact) {
  const std::vector<int32_t> ids = ids_of(10, 4), types(10, 0);
  const SorbetModel silent = make_synthetic_snn(spec_of({64, 16}, 0.0));
  EXPECT_EQ(measured_rate(silent, ref::Reference(silent).run(ids, types, true), "input"), 0.0);
  // The largest rate: every count at 2^bits − 1 = 15 spikes in 16 steps.
  const SorbetModel full = make_synthetic_snn(spec_of({64, 16}, 15.0 / 16));
  EXPECT_EQ(measured_rate(full, ref::Reference(full).run(ids, types, true), "input"), 15.0 / 16);
}

TEST(SyntheticSnn, HiddenBiasIsTheBestIntegerForTheRequestedRate) {
  // Over all max_seq_len positions the hidden fire's rate must be closer to the request than
  // with its bias one step lower or higher (measured by the reference, not by the builder).
  const double rate = 0.05;
  const SorbetModel m = make_synthetic_snn(spec_of({256, 192, 64}, rate));
  const std::vector<int32_t> ids = ids_of(64, 5), types(64, 0);
  auto rate_with = [&](int delta) {
    SorbetModel v = m;
    for (auto &b : v.ops[size_t(v.find_op("hidden.1.fire"))].bias)
      b += delta;
    return measured_rate(v, ref::Reference(v).run(ids, types, true), "hidden.1.fire");
  };
  const double got = rate_with(0);
  EXPECT_LE(std::abs(got - rate), std::abs(rate_with(-1) - rate));
  EXPECT_LE(std::abs(got - rate), std::abs(rate_with(+1) - rate));
  EXPECT_NEAR(got, rate, 0.25 * rate) << "one bias step moves the rate too far";
}

TEST(SyntheticSnn, PackagePassesTheReaderAndKeepsItsLogits) {
  test::TempDir tmp;
  const std::filesystem::path vocab = tmp.path() / "vocab.txt";
  test::write_file(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
  SorbetModel m = make_synthetic_snn(spec_of({48, 32, 8}, 0.3));
  m.vocab_path = vocab;
  save_package(m, tmp.path() / "pkg", "# test\n");
  const SorbetModel back = load_package(tmp.path() / "pkg");
  EXPECT_EQ(back.ops.size(), m.ops.size());
  const std::vector<int32_t> ids = {2, 5, 5, 3}, types(4, 0);
  EXPECT_EQ(ref::Reference(back).run(ids, types).logits, ref::Reference(m).run(ids, types).logits);
}

TEST(SyntheticSnn, BadSpecsAreNamedErrors) {
  auto msg = [](SyntheticSnnSpec s) {
    return test::input_error_message([&] { make_synthetic_snn(s); });
  };
  EXPECT_NE(msg(spec_of({512}, 0.1)).find("--layers: expected at least 2 sizes"),
            std::string::npos);
  EXPECT_NE(msg(spec_of({512, 0}, 0.1)).find("size 1 is 0"), std::string::npos);
  EXPECT_NE(msg(spec_of({512, 64}, 0.95)).find("--input-rate: expected a rate in [0, 0.9375]"),
            std::string::npos);
  EXPECT_NE(msg(spec_of({512, 64}, -0.01)).find("--input-rate"), std::string::npos);
  EXPECT_NE(msg(spec_of({512, 64}, std::nan(""))).find("--input-rate"), std::string::npos);
  SyntheticSnnSpec b = spec_of({512, 64}, 0.1);
  b.bits = 8;
  EXPECT_NE(msg(b).find("bits: expected an integer in [2, 7]"), std::string::npos);
  b.bits = 4;
  b.max_seq_len = 2;
  EXPECT_NE(msg(b).find("max_seq_len"), std::string::npos);
}

} // namespace
} // namespace granita::model
