// SPDX-License-Identifier: Apache-2.0
// The attributes of model.yaml's integer and neuron ops (embedding, bspn, requant, fire,
// residual_add, select_cls), the checks every op type shares, and the dispatch by op type.
#include "src/model/op_attrs.h"

#include "src/model/package_internal.h"

#include <algorithm>
#include <cstdlib>

namespace granita::model::detail {

namespace {

// Official-profile fixed-point limits (docs/model-format.md, version 2): multipliers keep every
// product of a 40-bit operand within the kernels' 128-bit arithmetic and every stored tensor
// element within the 64-bit results. The numbers live in src/model/package_limits.json.
using limits::kMaxMultiplier;
using limits::kMaxOfficialShift;
using limits::kMaxWide;

void read_embedding(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  const Arch &a = c.m.arch;
  c.want_inputs(1);
  if (op.inputs[0] != kTokensInput)
    om.fail("inputs", "embedding takes the token ids '" + c.tokens_name + "'");
  op.word_exp = rd.exp("word_exp");
  op.pos_exp = rd.exp("pos_exp");
  op.type_exp = rd.exp("type_exp");
  const int lo = std::min({op.word_exp, op.pos_exp, op.type_exp});
  const int hi = std::max({op.word_exp, op.pos_exp, op.type_exp});
  if (hi - lo > 16)
    om.fail("word_exp", "embedding exponents differ by more than 16");
  op.out_exp = lo;
  op.features = a.hidden;
  op.bits = rd.bits("word", a.vocab_size, a.hidden);
  if (c.official()) {
    if (lo != hi)
      om.fail("word_exp", "official profile: word_exp, pos_exp and type_exp must be equal");
    if (om.get_enum("norm", {"layernorm"}) == "layernorm")
      op.layernorm = true;
    op.ln_exp = rd.exp("ln_exp");
    op.out_exp = rd.exp("out_exp");
    if (op.out_exp - op.ln_exp < -30 || op.out_exp - op.ln_exp > 60)
      om.fail("out_exp", "must be within [-30, 60] of ln_exp");
    const int64_t lim = int64_t(1) << 30;
    op.word_scale = rd.i32("word_scale", {a.vocab_size}, lim);
    op.pos32 = rd.i32("pos", {a.max_seq_len, a.hidden}, lim);
    op.type32 = rd.i32("type", {a.type_vocab_size, a.hidden}, lim);
    op.ln_gamma = rd.i32("ln_gamma", {a.hidden}, lim);
    op.ln_beta = rd.i32("ln_beta", {a.hidden}, lim);
    return;
  }
  op.pos = rd.i8("pos", {a.max_seq_len, a.hidden}, -128, 127);
  op.type_emb = rd.i8("type", {a.type_vocab_size, a.hidden}, -128, 127);
}

void read_bspn(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (p.counts || p.type == OpType::QkScores)
    om.fail("inputs", "bspn normalises an integer tensor, not '" + p.name + "'");
  op.in_exp = rd.exp("in_exp");
  c.check_in_exp(p);
  op.features = p.features;
  op.group = rd.count("group", 1 << 16);
  if ((op.group & (op.group - 1)) != 0 || op.features % op.group != 0 || op.group > 256)
    om.fail("group", "must be a power of two ≤ 256 dividing the " + std::to_string(op.features) +
                         " features");
  op.beta_exp = int(om.get_int("beta_exp", -40, 8));
  op.out_exp = rd.exp("out_exp");
  op.gamma_sign = rd.i8("gamma_sign", {op.features}, -1, 1);
  op.gamma_exp = rd.i8("gamma_exp", {op.features}, -24, 24);
  op.bias = rd.i32("beta", op.features);
  op.bspn_official = c.official();
}

void read_requant(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (p.type != OpType::BinaryLinear)
    om.fail("inputs", "requant takes a binary_linear op, not '" + p.name + "'");
  op.in_exp = rd.exp("in_exp");
  c.fixed_point("shift");
  op.rounding = c.rounding();
  op.relu = om.get_bool("relu", false);
  op.out_exp = rd.exp("out_exp");
  op.features = p.features;
  op.bias64 = rd.i64("bias", op.features, kMaxWide);
  op.move64 = rd.i64("move", op.features, kMaxWide);
}

void read_fire(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  const bool official = c.official();
  const int sgn_off = c.sgn_off();
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (p.counts || p.type == OpType::QkScores)
    om.fail("inputs", "fire integrates an integer tensor, not '" + p.name + "'");
  op.in_exp = rd.exp("in_exp");
  c.check_in_exp(p);
  if (official) {
    c.fixed_point("shift");
    op.shift = op.rq_shift;
    op.rounding = c.rounding();
    op.min_rule = om.get_enum("min_rule", {"none", "official"}) == "official" ? MinRule::Official
                                                                              : MinRule::None;
  } else {
    op.shift = int(om.get_int("shift", -30, 30));
  }
  op.out_exp = rd.exp("out_exp");
  if (!official && op.out_exp != op.in_exp + op.shift)
    om.fail("out_exp", "must equal in_exp + shift = " + std::to_string(op.in_exp + op.shift));
  op.offset = int(om.get_int("offset", 0, sgn_off));
  if (op.min_rule == MinRule::Official && op.offset != 0)
    om.fail("min_rule", "the official minimum rule applies to unsigned fires (offset 0)");
  if (op.offset != 0 && op.offset != sgn_off)
    om.fail("offset", "must be 0 (unsigned) or " + std::to_string(sgn_off) + " (signed)");
  op.features = int(om.get_int("features", 1, kMaxFeatures));
  if (op.features != p.features)
    om.fail("features", "is " + std::to_string(op.features) + " but input '" + p.name + "' has " +
                            std::to_string(p.features));
  op.counts = true;
  if (official)
    op.bias64 = rd.i64("bias", op.features, kMaxWide);
  else
    op.bias = rd.i32("bias", op.features);
}

void read_residual_add(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  c.want_inputs(2);
  const Op &acc = c.producer(0), &res = c.producer(1);
  if (acc.type != OpType::BinaryLinear)
    om.fail("inputs", "residual_add's first input must be a binary_linear op");
  if (res.counts || res.type == OpType::QkScores)
    om.fail("inputs", "residual_add's second input must be an integer hidden state");
  if (acc.features != res.features)
    om.fail("inputs", "feature counts differ: " + std::to_string(acc.features) + " vs " +
                          std::to_string(res.features));
  op.features = acc.features;
  if (c.official()) {
    op.out_exp = rd.exp("out_exp");
    if (res.out_exp - op.out_exp < 0 || res.out_exp - op.out_exp > 30)
      om.fail("out_exp", "must be at most 30 below the residual's exponent " +
                             std::to_string(res.out_exp) + " and not above it");
    c.fixed_point("shift");
    op.rounding = c.rounding();
    op.bias64 = rd.i64("bias", op.features, kMaxWide);
    return;
  }
  if (std::abs(acc.out_exp - res.out_exp) > 16)
    om.fail("inputs", "accumulator and residual exponents differ by more than 16");
  op.out_exp = rd.exp("out_exp");
  if (op.out_exp != std::min(acc.out_exp, res.out_exp))
    om.fail("out_exp", "must equal min(accumulator, residual exponent) = " +
                           std::to_string(std::min(acc.out_exp, res.out_exp)));
  op.bias = rd.i32("bias", op.features);
}

void read_select_cls(const OpContext &c) {
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (p.counts || p.type == OpType::QkScores)
    c.om.fail("inputs", "select_cls takes an integer hidden state");
  c.op.features = p.features;
  c.op.out_exp = p.out_exp;
}

} // namespace

void OpContext::want_inputs(size_t n) const {
  if (op.inputs.size() != n)
    om.fail("inputs", std::string(op_type_name(op.type)) + " takes " + std::to_string(n) +
                          " input(s), got " + std::to_string(op.inputs.size()));
}

const Op &OpContext::producer(size_t k) const {
  const int idx = op.inputs[k];
  if (idx == kTokensInput)
    om.fail("inputs", "input " + std::to_string(k) + " cannot be the token ids");
  return m.ops[size_t(idx)];
}

void OpContext::need_counts(const Op &p, bool want_signed) const {
  if (!p.counts)
    om.fail("inputs", "input '" + p.name + "' must produce spike counts (a fire op), it is " +
                          op_type_name(p.type));
  if (want_signed && p.offset != sgn_off())
    om.fail("inputs", "input '" + p.name + "' must be a signed fire (offset " +
                          std::to_string(sgn_off()) + ")");
}

void OpContext::check_in_exp(const Op &p) const {
  // Official-profile scales are not powers of two: only BSPN's input grid is an exponent.
  if (official() && op.type != OpType::Bspn)
    return;
  if (op.in_exp != p.out_exp)
    om.fail("in_exp", "is " + std::to_string(op.in_exp) + " but input '" + p.name +
                          "' produces exponent " + std::to_string(p.out_exp));
}

Rounding OpContext::rounding() const {
  return om.get_enum("rounding", {"floor", "half_even"}) == "half_even" ? Rounding::HalfEven
                                                                        : Rounding::Floor;
}

void OpContext::fixed_point(const char *shift_key) const {
  op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
  op.rq_shift = int(om.get_int(shift_key, -30, kMaxOfficialShift));
}

void read_op_attributes(const OpContext &c) {
  if (!c.official() && c.op.type == OpType::Requant)
    c.om.fail("type", "requant ops exist only in official-profile packages");
  switch (c.op.type) {
  case OpType::Embedding:
    read_embedding(c);
    break;
  case OpType::Bspn:
    read_bspn(c);
    break;
  case OpType::Requant:
    read_requant(c);
    break;
  case OpType::Fire:
    read_fire(c);
    break;
  case OpType::BinaryLinear:
  case OpType::IntLinear:
    read_linear(c);
    break;
  case OpType::QkScores:
    read_qk_scores(c);
    break;
  case OpType::PtSoftmax:
    read_ptsoftmax(c);
    break;
  case OpType::PvMatmul:
    read_pv_matmul(c);
    break;
  case OpType::ResidualAdd:
    read_residual_add(c);
    break;
  case OpType::SelectCls:
    read_select_cls(c);
    break;
  }
}

} // namespace granita::model::detail
