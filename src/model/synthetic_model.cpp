// SPDX-License-Identifier: Apache-2.0
#include "src/model/synthetic_model.h"

#include "src/util/error.h"

#include <cmath>
#include <random>

namespace granita::model {

namespace {

class Builder {
public:
  Builder(SorbetModel &m, uint64_t seed) : m_model(m), m_rng(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }

  int add(Op op, std::vector<std::string> inputs) {
    for (const auto &in : inputs)
      op.inputs.push_back(in == "tokens" ? kTokensInput : m_model.find_op(in));
    m_model.ops.push_back(std::move(op));
    return int(m_model.ops.size()) - 1;
  }
  const Op &op(const std::string &name) const { return m_model.ops[size_t(m_model.find_op(name))]; }

  std::vector<int8_t> signs(int64_t n, int plus_percent = 50) {
    std::vector<int8_t> s(static_cast<size_t>(n));
    for (auto &x : s)
      x = uniform(0, 99) < plus_percent ? 1 : -1;
    return s;
  }

  /// A fire op reading `input` with the given shift and offset.
  void fire(const std::string &name, const std::string &input, int shift, int offset) {
    const Op &in = op(input);
    Op f;
    f.name = name;
    f.type = OpType::Fire;
    f.in_exp = in.out_exp;
    f.shift = shift;
    f.out_exp = in.out_exp + shift;
    f.offset = offset;
    f.features = in.features;
    f.counts = true;
    const int half = shift > 0 ? (1 << (shift - 1)) : 0;
    for (int i = 0; i < f.features; ++i)
      f.bias.push_back(half + (shift > 0 ? uniform(-half / 2, half / 2) : 0));
    add(std::move(f), {input});
  }

  /// A binary linear whose accumulator lands near the 2^target_exp scale.
  void linear(const std::string &name, const std::string &input, int out_features,
              int target_exp) {
    const Op &in = op(input);
    Op l;
    l.name = name;
    l.type = OpType::BinaryLinear;
    l.in_features = in.features;
    l.features = out_features;
    l.in_exp = in.out_exp;
    l.in_offset = in.offset;
    l.weight_exp = target_exp - in.out_exp;
    l.out_exp = target_exp;
    l.bits = PackedBits::from_signs(out_features, in.features,
                                    signs(int64_t(out_features) * in.features));
    add(std::move(l), {input});
  }

  /// residual_add of a binary linear's accumulator and a hidden state, on the finer grid.
  void residual(const std::string &name, const std::string &acc, const std::string &res) {
    Op r;
    r.name = name;
    r.type = OpType::ResidualAdd;
    r.features = op(acc).features;
    r.out_exp = std::min(op(acc).out_exp, op(res).out_exp);
    for (int i = 0; i < r.features; ++i)
      r.bias.push_back(uniform(-2, 2));
    add(std::move(r), {acc, res});
  }

  void bspn(const std::string &name, const std::string &input, int group, int hidden_exp) {
    const Op &in = op(input);
    Op b;
    b.name = name;
    b.type = OpType::Bspn;
    b.in_exp = in.out_exp;
    b.features = in.features;
    b.group = group;
    b.beta_exp = -8;
    b.out_exp = hidden_exp;
    for (int i = 0; i < b.features; ++i) {
      b.gamma_sign.push_back(uniform(0, 9) == 0 ? -1 : 1);
      b.gamma_exp.push_back(int8_t(uniform(-1, 1)));
      b.bias.push_back(uniform(-48, 48));
    }
    add(std::move(b), {input});
  }

private:
  SorbetModel &m_model;
  std::mt19937_64 m_rng;
};

/// Shift that maps a spread of `spread` accumulator units onto about `target` levels.
int shift_for(double spread, double target) {
  return std::max(0, int(std::lround(std::log2(std::max(1.0, spread / target)))));
}

} // namespace

std::vector<std::string> sorbet_op_names(int layers) {
  std::vector<std::string> names = {"embed", "embed.norm"};
  const char *layer_ops[] = {"attn.in",     "attn.q",      "attn.k",       "attn.v",
                             "attn.q.fire", "attn.k.fire", "attn.v.fire",  "attn.scores",
                             "attn.softmax", "attn.context", "attn.out.in", "attn.out",
                             "attn.residual", "attn.norm", "ffn.in",       "ffn.up",
                             "ffn.act",     "ffn.down",    "ffn.residual", "ffn.norm"};
  for (int l = 0; l < layers; ++l)
    for (const char *o : layer_ops)
      names.push_back("layers." + std::to_string(l) + "." + o);
  for (const char *o : {"pool.cls", "pool.in", "pool.dense", "pool.act", "classifier"})
    names.push_back(o);
  return names;
}

SorbetModel make_synthetic_model(const SyntheticSpec &spec) {
  const Arch &a = spec.arch;
  SorbetModel m;
  m.name = spec.name;
  m.task = spec.task;
  m.labels = spec.labels;
  m.arch = a;
  m.vocab_path = spec.vocab_path;
  Builder b(m, spec.seed);
  const int hidden_exp = -12, sgn = a.signed_offset(), dh = a.hidden / a.heads;
  const int group = dh;
  GRANITA_ASSERT((group & (group - 1)) == 0, "synthetic models need a power-of-two head size");

  Op e;
  e.name = "embed";
  e.type = OpType::Embedding;
  e.word_exp = -3;
  e.pos_exp = -6;
  e.type_exp = -6;
  e.out_exp = -6;
  e.features = a.hidden;
  e.bits = PackedBits::from_signs(a.vocab_size, a.hidden, b.signs(int64_t(a.vocab_size) * a.hidden));
  for (int64_t i = 0; i < int64_t(a.max_seq_len) * a.hidden; ++i)
    e.pos.push_back(int8_t(b.uniform(-8, 8)));
  for (int64_t i = 0; i < int64_t(a.type_vocab_size) * a.hidden; ++i)
    e.type_emb.push_back(int8_t(b.uniform(-4, 4)));
  b.add(std::move(e), {"tokens"});
  b.bspn("embed.norm", "embed", group, hidden_exp);

  // Typical spreads: a signed count has |c − o| ≈ 3, an unsigned one ≈ 3 on average.
  const double sq_h = std::sqrt(double(a.hidden)), sq_f = std::sqrt(double(a.ffn));
  std::string hidden = "embed.norm";
  for (int l = 0; l < a.layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    b.fire(p + "attn.in", hidden, -2 - hidden_exp, sgn); // hidden ≈ ±0.5 → step 1/4
    for (const char *qkv : {"q", "k", "v"})
      b.linear(p + "attn." + qkv, p + "attn.in", a.hidden, -6);
    for (const char *qkv : {"q", "k", "v"})
      b.fire(p + "attn." + qkv + ".fire", p + "attn." + qkv, shift_for(3 * sq_h, 3), sgn);
    Op s;
    s.name = p + "attn.scores";
    s.type = OpType::QkScores;
    s.heads = a.heads;
    s.score_shift = shift_for(9 * std::sqrt(double(dh)), 3);
    s.features = a.hidden;
    b.add(std::move(s), {p + "attn.q.fire", p + "attn.k.fire"});
    Op sm;
    sm.name = p + "attn.softmax";
    sm.type = OpType::PtSoftmax;
    sm.heads = a.heads;
    sm.features = a.hidden;
    sm.frac_bits = 16;
    sm.out_exp = -(a.bits);
    sm.counts = true;
    b.add(std::move(sm), {p + "attn.scores"});
    Op pv;
    pv.name = p + "attn.context";
    pv.type = OpType::PvMatmul;
    pv.heads = a.heads;
    pv.features = a.hidden;
    pv.out_exp = b.op(p + "attn.softmax").out_exp + b.op(p + "attn.v.fire").out_exp;
    b.add(std::move(pv), {p + "attn.softmax", p + "attn.v.fire"});
    b.fire(p + "attn.out.in", p + "attn.context", shift_for(3 * (1 << a.bits), 3), sgn);
    b.linear(p + "attn.out", p + "attn.out.in", a.hidden, -int(std::lround(std::log2(3 * sq_h))));
    b.residual(p + "attn.residual", p + "attn.out", hidden);
    b.bspn(p + "attn.norm", p + "attn.residual", group, hidden_exp);
    b.fire(p + "ffn.in", p + "attn.norm", -2 - hidden_exp, sgn);
    b.linear(p + "ffn.up", p + "ffn.in", a.ffn, -4);
    b.fire(p + "ffn.act", p + "ffn.up", shift_for(3 * sq_h, 4), 0);
    b.linear(p + "ffn.down", p + "ffn.act", a.hidden, -int(std::lround(std::log2(3 * sq_f))));
    b.residual(p + "ffn.residual", p + "ffn.down", p + "attn.norm");
    b.bspn(p + "ffn.norm", p + "ffn.residual", group, hidden_exp);
    hidden = p + "ffn.norm";
  }
  Op cls;
  cls.name = "pool.cls";
  cls.type = OpType::SelectCls;
  cls.features = a.hidden;
  cls.out_exp = b.op(hidden).out_exp;
  b.add(std::move(cls), {hidden});
  b.fire("pool.in", "pool.cls", -2 - hidden_exp, sgn);
  b.linear("pool.dense", "pool.in", a.hidden, -4);
  b.fire("pool.act", "pool.dense", shift_for(3 * sq_h, 4), 0);
  Op c;
  c.name = "classifier";
  c.type = OpType::IntLinear;
  const Op &pa = b.op("pool.act");
  c.in_features = pa.features;
  c.features = int(spec.labels.size());
  c.in_exp = pa.out_exp;
  c.in_offset = 0;
  c.weight_exp = -6;
  c.out_exp = c.in_exp + c.weight_exp;
  for (int64_t i = 0; i < int64_t(c.features) * c.in_features; ++i)
    c.weight_i8.push_back(int8_t(b.uniform(-64, 64)));
  for (int i = 0; i < c.features; ++i)
    c.bias.push_back(b.uniform(-32, 32));
  b.add(std::move(c), {"pool.act"});
  m.output = int(m.ops.size()) - 1;
  return m;
}

} // namespace granita::model
