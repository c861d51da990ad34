// SPDX-License-Identifier: Apache-2.0
// The analytical AC/MAC estimate: accumulates per op from the reference's spike counts (checked by
// hand on a tiny graph and by a direct element-wise count on a synthetic model), BERT MACs from the
// shape, and the energies and ratio under the convention.
#include "src/energy/analytical.h"

#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <random>

namespace granita::energy {
namespace {

using model::Op;
using model::OpType;

ref::IntMatrix matrix(int rows, int cols, const std::vector<int64_t> &v) {
  ref::IntMatrix m(rows, cols);
  m.v = v;
  return m;
}

TEST(Analytical, AccumulatesOfATinyGraphByHand) {
  // fire(x) -> q, fire(x) -> k, binary_linear(q) -> 3 outputs, qk_scores(q, k),
  // ptsoftmax(scores), fire -> v, pv_matmul(p, v). 2 tokens, 4 features, 2 heads of 2.
  model::SorbetModel m;
  auto add = [&](OpType t, std::vector<int> inputs, int features, bool counts) {
    Op op;
    op.type = t;
    op.inputs = std::move(inputs);
    op.features = features;
    op.counts = counts;
    op.heads = 2;
    m.ops.push_back(op);
  };
  add(OpType::Embedding, {model::kTokensInput}, 4, false); // 0
  add(OpType::Fire, {0}, 4, true);                         // 1: q
  add(OpType::Fire, {0}, 4, true);                         // 2: k
  add(OpType::BinaryLinear, {1}, 3, false);                // 3
  add(OpType::QkScores, {1, 2}, 4, false);                 // 4
  add(OpType::PtSoftmax, {4}, 4, true);                    // 5: p
  add(OpType::Fire, {0}, 4, true);                         // 6: v
  add(OpType::PvMatmul, {5, 6}, 4, false);                 // 7
  std::vector<ref::IntMatrix> out(m.ops.size());
  out[0] = matrix(2, 4, {0, 0, 0, 0, 0, 0, 0, 0});
  out[1] = matrix(2, 4, {1, 2, 0, 3, 4, 0, 0, 5}); // Σ q = 15
  out[2] = matrix(2, 4, {9, 9, 9, 9, 9, 9, 9, 9}); // k: only its row count (2 keys) matters
  out[4] = matrix(4, 2, {0, 0, 0, 0, 0, 0, 0, 0});
  out[5] = matrix(4, 2, {8, 4, 2, 0, 1, 1, 15, 0}); // Σ p = 31 (rows h·n + i, columns keys)
  out[6] = matrix(2, 4, {0, 0, 0, 0, 0, 0, 0, 0});
  out[3] = matrix(2, 3, {0, 0, 0, 0, 0, 0});
  out[7] = matrix(2, 4, {0, 0, 0, 0, 0, 0, 0, 0});
  const std::vector<uint64_t> ac = op_accumulates(m, out);
  ASSERT_EQ(ac.size(), m.ops.size());
  EXPECT_EQ(ac[3], 15u * 3); // each q spike adds its ±1 weight into 3 outputs
  EXPECT_EQ(ac[4], 15u * 2); // each q spike adds K of each of the 2 keys
  EXPECT_EQ(ac[7], 31u * 2); // each p spike adds V over the head size 4 / 2 = 2
  for (size_t i : {0u, 1u, 2u, 5u, 6u})
    EXPECT_EQ(ac[i], 0u) << i;

  // BERT MACs of the same graph for 2 tokens: linear 2 × 4 × 3; Q·Kᵀ and P·V 2 × 2 × 4 each.
  const std::vector<uint64_t> macs = op_bert_macs(m, 2);
  // binary_linear reads in_features, which this hand-made op leaves 0; set it and recount.
  m.ops[3].in_features = 4;
  const std::vector<uint64_t> macs2 = op_bert_macs(m, 2);
  EXPECT_EQ(macs[3], 0u);
  EXPECT_EQ(macs2[3], 24u);
  EXPECT_EQ(macs2[4], 16u);
  EXPECT_EQ(macs2[7], 16u);
  EXPECT_EQ(macs2[1] + macs2[2] + macs2[5] + macs2[6] + macs2[0], 0u);
}

TEST(Analytical, ClosedFormBertMacsByHand) {
  model::Arch a;
  a.layers = 1;
  a.hidden = 4;
  a.ffn = 8;
  // n = 3: 3·(4·16 + 2·4·8) + 2·9·4 = 384 + 72 = 456 per layer; pooler 16; classifier 4·2 = 8.
  EXPECT_EQ(bert_macs_closed_form(a, 2, 3), 480u);
  // BERT-base, 128 tokens: 12·(128·(4·768² + 2·768·3072) + 2·128²·768) + 768² + 768·2.
  model::Arch b;
  b.layers = 12;
  b.hidden = 768;
  b.ffn = 3072;
  EXPECT_EQ(bert_macs_closed_form(b, 2, 128), 11173625856ull + 589824 + 1536);
}

class AnalyticalModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto vocab = dir_.path() / "vocab.txt";
    test::write_file(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
    model::SyntheticSpec s;
    s.arch.layers = 2;
    s.arch.hidden = 128;
    s.arch.heads = 2;
    s.arch.ffn = 256;
    s.arch.max_seq_len = 16;
    s.arch.vocab_size = 100;
    s.arch.type_vocab_size = 2;
    s.arch.bits = 4;
    s.arch.time_steps = 16;
    s.seed = 7;
    s.vocab_path = vocab;
    model_ = model::make_synthetic_model(s);
    std::mt19937_64 rng(3);
    for (int n : {3, 9, 16}) {
      text::Encoding enc;
      for (int i = 0; i < n; ++i) {
        enc.ids.push_back(int32_t(rng() % 100));
        enc.type_ids.push_back(i >= n / 2 ? 1 : 0);
      }
      sentences_.push_back(enc);
    }
  }

  /// Accumulates of op `i` counted element by element from the reference outputs; with
  /// `signed_spikes`, a value c of a signed input counts |c − offset| spikes instead of c.
  uint64_t direct_count(size_t i, const std::vector<ref::IntMatrix> &out,
                        bool signed_spikes = false) const {
    const Op &op = model_.ops[i];
    const int off = op.inputs.empty() || op.inputs[0] < 0 || !signed_spikes
                        ? 0
                        : model_.ops[size_t(op.inputs[0])].offset;
    auto spikes = [off](int64_t c) { return uint64_t(c >= off ? c - off : off - c); };
    uint64_t n = 0;
    if (op.type == OpType::BinaryLinear || op.type == OpType::IntLinear) {
      const ref::IntMatrix &x = out[size_t(op.inputs[0])];
      for (int t = 0; t < x.rows; ++t)
        for (int f = 0; f < x.cols; ++f)
          n += spikes(x.at(t, f)) * uint64_t(op.features);
    } else if (op.type == OpType::QkScores) {
      const ref::IntMatrix &q = out[size_t(op.inputs[0])], &k = out[size_t(op.inputs[1])];
      const int dh = q.cols / op.heads;
      for (int h = 0; h < op.heads; ++h)
        for (int t = 0; t < q.rows; ++t)
          for (int f = h * dh; f < (h + 1) * dh; ++f)
            for (int j = 0; j < k.rows; ++j) // one add of K[j][f] per key
              n += spikes(q.at(t, f));
    } else if (op.type == OpType::PvMatmul) {
      const ref::IntMatrix &p = out[size_t(op.inputs[0])], &v = out[size_t(op.inputs[1])];
      const int dh = v.cols / op.heads, tokens = v.rows;
      for (int h = 0; h < op.heads; ++h)
        for (int t = 0; t < tokens; ++t)
          for (int j = 0; j < p.cols; ++j)
            for (int f = h * dh; f < (h + 1) * dh; ++f) // one add of V[j][f] per head feature
              n += spikes(p.at(h * tokens + t, j));
    }
    return n;
  }

  test::TempDir dir_;
  model::SorbetModel model_;
  std::vector<text::Encoding> sentences_;
};

TEST_F(AnalyticalModelTest, PerOpCountsMatchADirectCountFromTheReference) {
  const Convention c{0.9, 4.6};
  const AnalyticalEstimate e = estimate_energy(model_, sentences_, c, "snn-ac-mac");
  ASSERT_EQ(e.ops.size(), model_.ops.size());
  ASSERT_EQ(e.sentences.size(), sentences_.size());
  const ref::Reference reference(model_);
  std::vector<uint64_t> ac(model_.ops.size(), 0), spikes(model_.ops.size(), 0),
      signed_ac(model_.ops.size(), 0);
  uint64_t total_ac = 0, total_spikes = 0, total_macs = 0, tokens = 0;
  for (size_t s = 0; s < sentences_.size(); ++s) {
    const auto r = reference.run(sentences_[s].ids, sentences_[s].type_ids, true);
    uint64_t sentence_ac = 0, sentence_linear_ac = 0, sentence_spikes = 0;
    for (size_t i = 0; i < model_.ops.size(); ++i) {
      const uint64_t n = direct_count(i, r.outputs);
      ac[i] += n;
      signed_ac[i] += direct_count(i, r.outputs, true);
      sentence_ac += n;
      if (model_.ops[i].type == OpType::BinaryLinear || model_.ops[i].type == OpType::IntLinear)
        sentence_linear_ac += n;
      if (model_.ops[i].counts)
        for (int64_t v : r.outputs[i].v) {
          spikes[i] += uint64_t(v);
          sentence_spikes += uint64_t(v);
        }
    }
    const int n = int(sentences_[s].ids.size());
    EXPECT_EQ(e.sentences[s].tokens, n);
    EXPECT_EQ(e.sentences[s].accumulates, sentence_ac);
    EXPECT_EQ(e.sentences[s].spikes, sentence_spikes);
    EXPECT_EQ(int64_t(sentence_linear_ac), r.synaptic_ops);
    EXPECT_EQ(int64_t(sentence_spikes), r.spikes);
    const uint64_t macs = bert_macs_closed_form(model_.arch, int(model_.labels.size()), n);
    EXPECT_EQ(e.sentences[s].bert_macs, macs);
    total_ac += sentence_ac;
    total_spikes += sentence_spikes;
    total_macs += macs;
    tokens += uint64_t(n);
  }
  int matmuls = 0;
  for (size_t i = 0; i < model_.ops.size(); ++i) {
    EXPECT_EQ(e.ops[i].name, model_.ops[i].name);
    EXPECT_EQ(e.ops[i].accumulates, ac[i]) << model_.ops[i].name;
    EXPECT_EQ(e.ops[i].spikes, spikes[i]) << model_.ops[i].name;
    EXPECT_EQ(e.ops[i].signed_accumulates, signed_ac[i]) << model_.ops[i].name;
    EXPECT_LE(e.ops[i].signed_accumulates, e.ops[i].accumulates) << model_.ops[i].name;
    // Input entries of a linear op: every token row × in_features, over all sentences.
    if (model_.ops[i].type == OpType::BinaryLinear && e.ops[i].accumulates > 0 &&
        model_.ops[i].name.find("pool") == std::string::npos &&
        model_.ops[i].name.find("classif") == std::string::npos) {
      EXPECT_EQ(e.ops[i].input_elements, tokens * uint64_t(model_.ops[i].in_features))
          << model_.ops[i].name;
    }
    // Unsigned inputs (FFN-down after ReLU, P·V, the classifier) have no offset to save.
    if (e.ops[i].accumulates > 0 && model_.ops[size_t(model_.ops[i].inputs[0])].offset == 0) {
      EXPECT_EQ(e.ops[i].signed_accumulates, e.ops[i].accumulates) << model_.ops[i].name;
    }
    if (ac[i] > 0) {
      ++matmuls;
      EXPECT_GT(e.ops[i].input_spikes, 0u);
      EXPECT_GT(e.ops[i].bert_macs, 0u);
    }
  }
  // 2 layers × (q, k, v, out, up, down, scores, context) + pooler + classifier.
  EXPECT_EQ(matmuls, 2 * 8 + 2);
  EXPECT_EQ(e.accumulates, total_ac);
  EXPECT_EQ(e.spikes, total_spikes);
  EXPECT_EQ(e.bert_macs, total_macs);
  EXPECT_EQ(e.tokens, tokens);
  EXPECT_DOUBLE_EQ(e.sorbet_energy_pj(), double(total_ac) * 0.9);
  EXPECT_DOUBLE_EQ(e.bert_energy_pj(), double(total_macs) * 4.6);
  EXPECT_DOUBLE_EQ(e.bert_over_sorbet(), double(total_macs) * 4.6 / (double(total_ac) * 0.9));
  EXPECT_DOUBLE_EQ(e.per_sentence(double(e.accumulates)), double(total_ac) / 3);
}

TEST_F(AnalyticalModelTest, BertMacsFromTheGraphEqualTheClosedForm) {
  for (int n : {1, 2, 7, 16}) {
    uint64_t sum = 0;
    for (uint64_t m : op_bert_macs(model_, n))
      sum += m;
    EXPECT_EQ(sum, bert_macs_closed_form(model_.arch, int(model_.labels.size()), n)) << n;
  }
}

TEST_F(AnalyticalModelTest, ReportJsonAndTable) {
  const AnalyticalEstimate e = estimate_energy(model_, sentences_, {0.9, 4.6}, "snn-ac-mac");
  const nlohmann::json j = e.to_json();
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["energy_table"], "snn-ac-mac");
  EXPECT_EQ(j["sentences"], 3);
  EXPECT_EQ(j["totals"]["accumulates"].get<uint64_t>(), e.accumulates);
  EXPECT_DOUBLE_EQ(j["bert_over_sorbet"].get<double>(), e.bert_over_sorbet());
  EXPECT_DOUBLE_EQ(j["paper_bert_over_sorbet"].get<double>(), 27.16);
  EXPECT_EQ(j["ops"].size(), model_.ops.size());
  EXPECT_EQ(j["per_sentence_counts"].size(), 3u);
  const std::string t = format_estimate(e);
  EXPECT_NE(t.find("layers.0.attn.q "), std::string::npos) << t;
  EXPECT_NE(t.find("27.16x"), std::string::npos) << t;
  EXPECT_NE(t.find("BERT-base, 12 layers, pretrained"), std::string::npos) << t;
  EXPECT_EQ(t.find("layers.0.attn.softmax"), std::string::npos) << "ops without ACs are omitted";
}

TEST_F(AnalyticalModelTest, InputErrors) {
  std::string e = test::input_error_message([&] {
    estimate_energy(model_, sentences_, {0.9, 0}, "x");
  });
  EXPECT_NE(e.find("positive ac_pj and mac_pj"), std::string::npos) << e;
  std::vector<text::Encoding> bad = sentences_;
  bad[1].ids[0] = 100000;
  e = test::input_error_message([&] { estimate_energy(model_, bad, {0.9, 4.6}, "x"); });
  EXPECT_NE(e.find("sentence 1: "), std::string::npos) << e;
  EXPECT_NE(e.find("outside the vocabulary"), std::string::npos) << e;
  const AnalyticalEstimate none = estimate_energy(model_, {}, {0.9, 4.6}, "x");
  EXPECT_EQ(none.bert_over_sorbet(), 0.0);
  EXPECT_EQ(none.per_sentence(5.0), 0.0);
}

} // namespace
} // namespace granita::energy
