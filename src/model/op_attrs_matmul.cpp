// SPDX-License-Identifier: Apache-2.0
// The attributes of model.yaml's matrix products: the linear layers (binary_linear on the
// crossbars, int_linear the classifier) and attention (qk_scores, ptsoftmax, pv_matmul).
#include "src/model/op_attrs.h"

namespace granita::model::detail {

using limits::kMaxMultiplier;
using limits::kMaxOfficialShift;
using limits::kMaxWide;

void read_linear(const OpContext &c) {
  config::YamlMap &om = c.om;
  OpReader &rd = c.rd;
  Op &op = c.op;
  const bool official = c.official();
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (!(official && op.type == OpType::IntLinear))
    c.need_counts(p, false);
  else if (p.type != OpType::Requant)
    om.fail("inputs", "an official-profile classifier takes a requant op, not '" + p.name + "'");
  op.in_features = int(om.get_int("in_features", 1, kMaxFeatures));
  op.features = int(om.get_int("out_features", 1, kMaxFeatures));
  if (op.in_features != p.features)
    om.fail("in_features", "is " + std::to_string(op.in_features) + " but input '" + p.name +
                               "' has " + std::to_string(p.features));
  op.in_exp = rd.exp("in_exp");
  c.check_in_exp(p);
  op.in_offset = p.offset;
  op.weight_exp = rd.exp("weight_exp");
  op.out_exp = rd.exp("out_exp");
  if (!official && op.out_exp != op.in_exp + op.weight_exp)
    om.fail("out_exp",
            "must equal in_exp + weight_exp = " + std::to_string(op.in_exp + op.weight_exp));
  if (op.type == OpType::BinaryLinear) {
    op.bits = rd.bits("weight", op.features, op.in_features);
    if (official)
      op.in_step = om.get_int("in_step", 1, kMaxMultiplier);
  } else if (official) {
    op.weight_i32 = rd.i32("weight", {op.features, op.in_features}, int64_t(1) << 30);
    op.bias64 = rd.i64("bias", op.features, kMaxWide);
  } else {
    op.weight_i8 = rd.i8("weight", {op.features, op.in_features}, -128, 127);
    op.bias = rd.i32("bias", op.features);
  }
}

void read_qk_scores(const OpContext &c) {
  config::YamlMap &om = c.om;
  Op &op = c.op;
  c.want_inputs(2);
  const Op &q = c.producer(0), &k = c.producer(1);
  c.need_counts(q, true);
  c.need_counts(k, true);
  if (q.features != k.features)
    om.fail("inputs", "q and k have different feature counts");
  op.heads = int(om.get_int("heads", 1, kMaxHeads));
  if (q.features % op.heads != 0)
    om.fail("heads", "does not divide the " + std::to_string(q.features) + " features");
  if (c.official()) {
    op.score_shift = int(om.get_int("score_shift", 0, kMaxOfficialShift));
    op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
  } else {
    op.score_shift = int(om.get_int("score_shift", -30, 30));
  }
  op.features = q.features;
}

void read_ptsoftmax(const OpContext &c) {
  config::YamlMap &om = c.om;
  Op &op = c.op;
  c.want_inputs(1);
  const Op &p = c.producer(0);
  if (p.type != OpType::QkScores)
    om.fail("inputs", "ptsoftmax takes a qk_scores op, not '" + p.name + "'");
  op.heads = p.heads;
  op.features = p.features;
  op.frac_bits = int(om.get_int("frac_bits", 1, 40));
  op.out_exp = c.rd.exp("out_exp");
  if (c.official()) {
    op.prob_frac = int(om.get_int("prob_frac", 1, 60));
    op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
    op.rq_shift = int(om.get_int("shift", 0, kMaxOfficialShift));
    op.min_rule = MinRule::Official;
    op.rounding = Rounding::HalfEven;
  }
  op.offset = 0;
  op.counts = true;
}

void read_pv_matmul(const OpContext &c) {
  config::YamlMap &om = c.om;
  Op &op = c.op;
  c.want_inputs(2);
  const Op &pr = c.producer(0), &v = c.producer(1);
  if (pr.type != OpType::PtSoftmax)
    om.fail("inputs", "pv_matmul's first input must be a ptsoftmax op");
  c.need_counts(v, true);
  op.heads = int(om.get_int("heads", 1, kMaxHeads));
  if (op.heads != pr.heads || v.features != pr.features)
    om.fail("heads", "heads/features differ from the attention probabilities'");
  op.out_exp = c.rd.exp("out_exp");
  if (c.official())
    op.prob_step = om.get_int("prob_step", 1, kMaxMultiplier);
  else if (op.out_exp != pr.out_exp + v.out_exp)
    om.fail("out_exp",
            "must equal probs exponent + v exponent = " + std::to_string(pr.out_exp + v.out_exp));
  op.features = v.features;
}

} // namespace granita::model::detail
