// SPDX-License-Identifier: Apache-2.0
// The golden reference on a synthetic model: determinism, per-op consistency with the kernels
// (docs/numerics.md), sensitivity to the input, non-degenerate activations and input errors.
#include "src/ref/sorbet_reference.h"

#include "src/model/synthetic_model.h"
#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

namespace granita::ref {
namespace {

using model::Op;
using model::OpType;

class ReferenceTest : public ::testing::Test {
protected:
  static model::SyntheticSpec spec(const std::filesystem::path &vocab, int hidden, int heads) {
    model::SyntheticSpec s;
    s.arch.layers = 2;
    s.arch.hidden = hidden;
    s.arch.heads = heads;
    s.arch.ffn = 128;
    s.arch.max_seq_len = 16;
    s.arch.vocab_size = 100;
    s.arch.type_vocab_size = 2;
    s.arch.bits = 4;
    s.arch.time_steps = 16;
    s.seed = 42;
    s.vocab_path = vocab;
    return s;
  }

  void SetUp() override {
    vocab_ = dir_.path() / "vocab.txt";
    test::write_file(vocab_, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
    model_ = model::make_synthetic_model(spec(vocab_, 128, 2)); // head dim 64 = 4^3
  }

  static void random_sentence(std::mt19937_64 &rng, int n, std::vector<int32_t> *ids,
                              std::vector<int32_t> *types) {
    ids->assign(size_t(n), 0);
    types->assign(size_t(n), 0);
    for (int i = 0; i < n; ++i) {
      (*ids)[size_t(i)] = int32_t(rng() % 100);
      (*types)[size_t(i)] = i >= n / 2 ? 1 : 0;
    }
  }

  test::TempDir dir_;
  std::filesystem::path vocab_;
  model::SorbetModel model_;
};

TEST_F(ReferenceTest, IsDeterministic) {
  Reference ref(model_);
  const std::vector<int32_t> ids = {2, 17, 54, 3, 99, 3}, types = {0, 0, 0, 0, 1, 1};
  ReferenceResult a = ref.run(ids, types);
  ReferenceResult b = ref.run(ids, types);
  ReferenceResult c = ref.run(ids, types, true);
  EXPECT_EQ(a.logits, b.logits);
  EXPECT_EQ(a.logits, c.logits);
  EXPECT_EQ(a.spikes, c.spikes);
  EXPECT_EQ(a.synaptic_ops, c.synaptic_ops);
  ASSERT_EQ(a.logits.size(), 2u);
  // A second model built from the same spec and seed is identical.
  model::SorbetModel again = model::make_synthetic_model(spec(vocab_, 128, 2));
  EXPECT_EQ(Reference(again).run(ids, types).logits, a.logits);
  EXPECT_TRUE(a.outputs.empty()); // outputs only when requested
}

TEST_F(ReferenceTest, KeptOutputsMatchTheKernelsOpByOp) {
  Reference ref(model_);
  const model::Arch &a = model_.arch;
  std::mt19937_64 rng(3);
  for (int n : {1, 5, 16}) {
    std::vector<int32_t> ids, types;
    random_sentence(rng, n, &ids, &types);
    ReferenceResult res = ref.run(ids, types, true);
    ASSERT_EQ(res.outputs.size(), model_.ops.size());
    int64_t spikes = 0, syn = 0;
    for (size_t i = 0; i < model_.ops.size(); ++i) {
      const Op &op = model_.ops[i];
      SCOPED_TRACE(op.name + " n=" + std::to_string(n));
      const IntMatrix &out = res.outputs[i];
      auto in = [&](size_t k) -> const IntMatrix & { return res.outputs[size_t(op.inputs[k])]; };
      auto prod = [&](size_t k) -> const Op & { return model_.ops[size_t(op.inputs[k])]; };
      IntMatrix want;
      switch (op.type) {
      case OpType::Embedding:
        // §1: E = min(word_exp, pos_exp, type_exp)
        EXPECT_EQ(op.out_exp, std::min({op.word_exp, op.pos_exp, op.type_exp}));
        want = embedding(ids, types, op.bits, op.word_exp, op.pos, op.pos_exp, op.type_emb,
                         op.type_exp, a.hidden, op.out_exp);
        break;
      case OpType::Bspn:
        EXPECT_EQ(op.in_exp, prod(0).out_exp);
        want = bspn(in(0), op.in_exp, op.group, op.gamma_sign, op.gamma_exp, op.bias, op.beta_exp,
                    op.out_exp);
        break;
      case OpType::Fire:
        EXPECT_EQ(op.out_exp, op.in_exp + op.shift); // §2
        want = fire(in(0), op.bias, op.shift, op.offset, a.levels());
        break;
      case OpType::BinaryLinear:
        EXPECT_EQ(op.out_exp, op.in_exp + op.weight_exp); // §3
        want = binary_linear_naive(in(0), prod(0).offset, op.bits);
        break;
      case OpType::IntLinear:
        want = int_linear(in(0), prod(0).offset, op.weight_i8, op.bias, op.features);
        break;
      case OpType::QkScores:
        want = qk_scores(in(0), in(1), op.heads, op.score_shift, prod(0).offset);
        break;
      case OpType::PtSoftmax:
        want = ptsoftmax(in(0), op.frac_bits, op.out_exp, a.levels());
        break;
      case OpType::PvMatmul:
        EXPECT_EQ(op.out_exp, prod(0).out_exp + prod(1).out_exp); // §5
        want = pv_matmul(in(0), in(1), op.heads, prod(1).offset);
        break;
      case OpType::ResidualAdd:
        EXPECT_EQ(op.out_exp, std::min(prod(0).out_exp, prod(1).out_exp)); // §5 E_r
        want = residual_add(in(0), prod(0).out_exp, op.bias, in(1), prod(1).out_exp, op.out_exp);
        break;
      case OpType::SelectCls:
        want = IntMatrix(1, in(0).cols);
        std::copy(in(0).row(0), in(0).row(0) + in(0).cols, want.row(0));
        break;
      case OpType::Requant:
        FAIL() << "a hardware-profile model has no requant op";
      }
      EXPECT_EQ(out.rows, want.rows);
      EXPECT_EQ(out.cols, want.cols);
      EXPECT_EQ(out.v, want.v);
      // Shapes: [n, features] per token; attention matrices [heads*n, n]; select_cls [1, f].
      if (op.type == OpType::QkScores || op.type == OpType::PtSoftmax) {
        EXPECT_EQ(out.rows, op.heads * n);
        EXPECT_EQ(out.cols, n);
      } else if (i >= size_t(model_.find_op("pool.cls"))) {
        EXPECT_EQ(out.rows, 1);
        EXPECT_EQ(out.cols, op.features);
      } else {
        EXPECT_EQ(out.rows, n);
        EXPECT_EQ(out.cols, op.features);
      }
      if (op.counts) {
        for (int64_t c : out.v) {
          EXPECT_GE(c, 0);
          EXPECT_LE(c, a.levels());
        }
        spikes += std::accumulate(out.v.begin(), out.v.end(), int64_t(0));
      }
      if (op.type == OpType::BinaryLinear || op.type == OpType::IntLinear)
        syn += std::accumulate(in(0).v.begin(), in(0).v.end(), int64_t(0)) * op.features;
    }
    const IntMatrix &logits = res.outputs[size_t(model_.output)];
    EXPECT_EQ(res.logits, std::vector<int64_t>(logits.v.begin(), logits.v.end()));
    const int argmax =
        int(std::max_element(res.logits.begin(), res.logits.end()) - res.logits.begin());
    EXPECT_EQ(res.prediction, argmax);
    EXPECT_EQ(res.spikes, spikes);
    EXPECT_EQ(res.synaptic_ops, syn);
    // run_op gives the same as run for every op.
    for (size_t i = 0; i < model_.ops.size(); ++i) {
      std::vector<const IntMatrix *> ins;
      for (int k : model_.ops[i].inputs)
        ins.push_back(k == model::kTokensInput ? nullptr : &res.outputs[size_t(k)]);
      EXPECT_EQ(ref.run_op(i, ins, ids, types).v, res.outputs[i].v) << model_.ops[i].name;
    }
  }
}

TEST_F(ReferenceTest, LogitsDependOnTheTokens) {
  Reference ref(model_);
  std::mt19937_64 rng(11);
  std::vector<int32_t> ids, types;
  random_sentence(rng, 8, &ids, &types);
  const std::vector<int64_t> base = ref.run(ids, types).logits;
  int changed = 0, tried = 0;
  for (size_t pos = 0; pos < ids.size(); ++pos)
    for (int32_t t : {0, 13, 57, 99}) {
      if (t == ids[pos])
        continue;
      std::vector<int32_t> other = ids;
      other[pos] = t;
      ++tried;
      if (ref.run(other, types).logits != base)
        ++changed;
    }
  EXPECT_GT(changed, tried / 2) << "logits changed for only " << changed << " of " << tried
                                << " single-token edits";
  // Token types and length matter too.
  std::vector<int32_t> types2(types.size(), 0);
  std::vector<int32_t> shorter(ids.begin(), ids.end() - 1), shorter_t(types.begin(), types.end() - 1);
  const bool type_changes = ref.run(ids, types2).logits != base;
  const bool length_changes = ref.run(shorter, shorter_t).logits != base;
  EXPECT_TRUE(type_changes || length_changes);
  // Different sentences give several distinct logit vectors (not a constant function).
  std::set<std::vector<int64_t>> distinct;
  for (int k = 0; k < 20; ++k) {
    random_sentence(rng, 1 + int(rng() % 16), &ids, &types);
    distinct.insert(ref.run(ids, types).logits);
  }
  EXPECT_GE(distinct.size(), 10u);
}

TEST_F(ReferenceTest, FireActivationsAreNotDegenerate) {
  for (int heads : {1, 2}) {
    for (int hidden : {64, 128}) {
      model::SorbetModel m = model::make_synthetic_model(spec(vocab_, hidden, heads));
      Reference ref(m);
      std::mt19937_64 rng(uint64_t(hidden * 10 + heads));
      for (int trial = 0; trial < 4; ++trial) {
        std::vector<int32_t> ids, types;
        random_sentence(rng, 4 + int(rng() % 13), &ids, &types);
        ReferenceResult res = ref.run(ids, types, true);
        for (size_t i = 0; i < m.ops.size(); ++i) {
          const Op &op = m.ops[i];
          if (op.type != OpType::Fire)
            continue;
          const auto &v = res.outputs[i].v;
          const bool all_zero = std::all_of(v.begin(), v.end(), [](int64_t c) { return c == 0; });
          const bool all_max = std::all_of(v.begin(), v.end(),
                                           [&](int64_t c) { return c == m.arch.levels(); });
          EXPECT_FALSE(all_zero) << op.name << " hidden " << hidden << " heads " << heads;
          EXPECT_FALSE(all_max) << op.name << " hidden " << hidden << " heads " << heads;
          // And some counts are strictly between the clamps (not only ReLU zeros and Lmax).
          EXPECT_TRUE(std::any_of(v.begin(), v.end(),
                                  [&](int64_t c) { return c > 0 && c < m.arch.levels(); }))
              << op.name << " hidden " << hidden << " heads " << heads;
        }
      }
    }
  }
}

TEST_F(ReferenceTest, RejectsBadInputs) {
  Reference ref(model_);
  EXPECT_THROW(ref.run({}, {}), InputError);
  EXPECT_THROW(ref.run({100}, {0}), InputError);       // id = vocab_size
  EXPECT_THROW(ref.run({5, 1000}, {0, 0}), InputError); // id > vocab_size
  EXPECT_THROW(ref.run({-1}, {0}), InputError);
  EXPECT_THROW(ref.run({5}, {2}), InputError);          // type id = type_vocab_size
  EXPECT_THROW(ref.run({5, 6}, {0}), InputError);       // lengths differ
  std::vector<int32_t> ids17(17, 4), types17(17, 0);
  EXPECT_THROW(ref.run(ids17, types17), InputError);   // 17 > max_seq_len 16
  std::vector<int32_t> ids16(16, 4), types16(16, 0);
  EXPECT_NO_THROW(ref.run(ids16, types16));            // exactly max_seq_len is fine
  EXPECT_NO_THROW(ref.run({99}, {1}));
  try {
    ref.run({100}, {0});
    FAIL() << "no error";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("100"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace granita::ref
