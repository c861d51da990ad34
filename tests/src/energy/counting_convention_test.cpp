// SPDX-License-Identifier: Apache-2.0
// Counting conventions of the analytical estimate (docs/energy.md §4.1): each assumption on a
// hand-made estimate whose every count is written out, so the expected ratios are hand sums.
#include "src/energy/counting_convention.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

namespace granita::energy {
namespace {

using model::Op;
using model::OpType;

/// embedding (4 features) -> binary_linear 4 -> 3, and qk_scores(embedding, embedding); one
/// sentence of 2 tokens, max_seq_len 4, T = 16.
struct Fixture {
  model::SorbetModel m;
  AnalyticalEstimate e;
  Fixture() {
    auto add = [&](OpType t, std::vector<int> inputs, int in_features, int features) {
      Op op;
      op.type = t;
      op.inputs = std::move(inputs);
      op.in_features = in_features;
      op.features = features;
      op.heads = 2;
      m.ops.push_back(op);
    };
    add(OpType::Embedding, {model::kTokensInput}, 0, 4);
    add(OpType::BinaryLinear, {0}, 4, 3);
    add(OpType::QkScores, {0, 0}, 0, 4);
    m.arch.max_seq_len = 4;
    m.arch.time_steps = 16;
    e.ops.resize(3);
    e.ops[0].type = OpType::Embedding;
    // Linear: 10 spikes (4 as signed spikes) over 2 × 4 entries, fan-out 3; BERT 2 × 4 × 3.
    e.ops[1] = {"lin", OpType::BinaryLinear, 10, 30, 0, 24, 4, 12, 8};
    // Q·Kᵀ: 6 spikes (2 signed) over 2 × 4 entries, 2 keys each; BERT 2 × 2 × 4.
    e.ops[2] = {"qk", OpType::QkScores, 6, 12, 0, 16, 2, 4, 8};
    e.sentences.resize(1);
  }
};

TEST(CountingConvention, EachAssumptionByHand) {
  Fixture f;
  CountingAssumptions a = convention_preset("granita", Convention{1.0, 2.0});
  ConventionResult r = apply_convention(f.e, f.m, a);
  EXPECT_DOUBLE_EQ(r.sorbet_acs, 42); // 30 + 12
  EXPECT_DOUBLE_EQ(r.bert_macs, 40);  // 24 + 16
  EXPECT_DOUBLE_EQ(r.bert_over_sorbet, 80.0 / 42.0);
  EXPECT_DOUBLE_EQ(r.firing_rate, 16.0 / 16.0 / 16.0); // 16 spikes, 16 entries, T = 16

  CountingAssumptions s = a;
  s.signed_spikes = true; // 12 + 4 ACs
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, s).bert_over_sorbet, 80.0 / 16.0);
  // The snn-literature preset is this change (and nothing else) on the same constants.
  const CountingAssumptions lit = convention_preset("snn-literature", Convention{1.0, 2.0});
  EXPECT_TRUE(lit.signed_spikes && lit.attention && !lit.network_average_rate &&
              !lit.bert_at_max_seq_len);
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, lit).bert_over_sorbet, 5.0);

  CountingAssumptions na = a;
  na.attention = false; // linear only: 30 ACs against 24 MACs
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, na).bert_over_sorbet, 48.0 / 30.0);

  CountingAssumptions avg = a;
  avg.network_average_rate = true; // 16 spikes / 16 entries × 40 FLOPs = 40 SOPs
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, avg).sorbet_acs, 40.0);

  CountingAssumptions pad = a;
  pad.bert_at_max_seq_len = true; // BERT at 4 tokens: 4 × 4 × 3 + 4 × 4 × 4 = 112 MACs
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, pad).bert_macs, 112.0);

  CountingAssumptions cheap = a;
  cheap.ac_pj = 0.5; // halving E_AC doubles the ratio
  EXPECT_DOUBLE_EQ(apply_convention(f.e, f.m, cheap).bert_over_sorbet, 160.0 / 42.0);
}

TEST(CountingConvention, UnknownNameIsAnInputError) {
  const std::string msg = test::input_error_message([] {
    convention_preset("paper", Convention{1, 2});
  });
  EXPECT_NE(msg.find("--convention: unknown counting convention 'paper' (expected granita or "
                     "snn-literature)"),
            std::string::npos)
      << msg;
}

} // namespace
} // namespace granita::energy
