// SPDX-License-Identifier: Apache-2.0
// model.yaml and its tensors into a SorbetModel: the architecture, every op's attributes and
// tensors, the graph's wiring, each checked against docs/model-format.md.
#include "src/model/op_reader.h"
#include "src/model/package_internal.h"
#include "src/model/sorbet_model.h"

#include "src/config/yaml_reader.h"
#include "src/io/safetensors.h"
#include "src/util/error.h"

#include <algorithm>
#include <map>
#include <set>

namespace granita::model {

namespace {

using detail::kOpTypes;
using detail::OpReader;
// Official-profile fixed-point limits (docs/model-format.md, version 2): multipliers keep every
// product of a 40-bit operand within the kernels' 128-bit arithmetic and every stored tensor
// element within the 64-bit results. The numbers live in src/model/package_limits.json.
using limits::kMaxMultiplier;
using limits::kMaxOfficialShift;
using limits::kMaxWide;

} // namespace

SorbetModel parse_model_yaml(const std::string &yaml_text, const std::string &yaml_file,
                             const std::function<io::SafetensorsFile()> &load_tensors) {
  YAML::Node root = config::load_yaml_document(yaml_text, yaml_file);
  config::YamlMap top(root, yaml_file, "");
  const std::string format = top.get_string("format");
  if (format != kModelFormatName)
    top.fail("format", "expected '" + std::string(kModelFormatName) + "', got '" + format + "'");
  const int64_t version = top.get_int("version", 0, 1 << 30);
  if (version < 1 || version > kModelFormatVersion)
    top.fail("version", "unsupported model package version " + std::to_string(version) +
                            " (this Granita reads 1 to " + std::to_string(kModelFormatVersion) +
                            ")");

  SorbetModel m;
  // Version 1 predates profiles: its packages are hardware-profile packages.
  if (version >= 2 && top.get_enum("profile", {"hardware", "official"}) == "official")
    m.profile = Profile::Official;
  const bool official = m.profile == Profile::Official;
  m.name = top.get_string("name");
  m.task = top.get_string("task");
  m.labels = top.get_string_list("labels");
  if (m.labels.empty())
    top.fail("labels", "expected at least one label");

  config::YamlMap arch = top.get_map("arch");
  Arch &a = m.arch;
  const auto get = [&arch](const char *key, limits::ArchRange r) {
    return int(arch.get_int(key, r.min, r.max));
  };
  a.layers = get("layers", limits::kArchLayers);
  a.hidden = get("hidden", limits::kArchHidden);
  a.heads = get("heads", limits::kArchHeads);
  a.ffn = get("ffn", limits::kArchFfn);
  a.max_seq_len = get("max_seq_len", limits::kArchMaxSeqLen);
  a.vocab_size = get("vocab_size", limits::kArchVocabSize);
  a.type_vocab_size = get("type_vocab_size", limits::kArchTypeVocabSize);
  a.bits = get("bits", limits::kArchBits);
  a.time_steps = get("time_steps", limits::kArchTimeSteps);
  arch.finish();
  if (a.hidden % a.heads != 0)
    arch.fail("heads", "hidden (" + std::to_string(a.hidden) + ") is not divisible by heads (" +
                           std::to_string(a.heads) + ")");
  if (a.time_steps < a.levels())
    arch.fail("time_steps", "must be at least 2^bits - 1 = " + std::to_string(a.levels()) +
                                " so that every level fits in the time window");

  config::YamlMap inputs = top.get_map("inputs");
  const std::string tokens_name = inputs.get_string("tokens");
  inputs.finish();
  const std::string output_name = top.get_string("output");

  const io::SafetensorsFile tensors = load_tensors();
  std::set<std::string> used_tensors;

  YAML::Node ops_node = top.get_node("ops");
  if (!ops_node.IsSequence() || ops_node.size() == 0)
    throw InputError(top.location(ops_node), "ops", "expected a non-empty list of ops");
  top.finish();

  std::map<std::string, int> index_of;
  const int sgn_off = a.signed_offset();
  for (size_t i = 0; i < ops_node.size(); ++i) {
    config::YamlMap om(ops_node[i], yaml_file, "ops[" + std::to_string(i) + "]");
    Op op;
    op.yaml_line = om.location().line;
    op.name = om.get_string("name");
    if (index_of.count(op.name))
      om.fail("name", "duplicate op name '" + op.name + "'");
    std::vector<std::string> type_names;
    for (const auto &e : kOpTypes)
      type_names.push_back(e.name);
    const std::string type = om.get_enum("type", type_names);
    for (const auto &e : kOpTypes)
      if (type == e.name)
        op.type = e.type;
    for (const std::string &in : om.get_string_list("inputs")) {
      if (in == tokens_name) {
        op.inputs.push_back(kTokensInput);
        continue;
      }
      auto it = index_of.find(in);
      if (it == index_of.end())
        om.fail("inputs", "input '" + in + "' is not an op defined above this one");
      op.inputs.push_back(it->second);
    }
    auto want_inputs = [&](size_t n) {
      if (op.inputs.size() != n)
        om.fail("inputs", std::string(op_type_name(op.type)) + " takes " + std::to_string(n) +
                              " input(s), got " + std::to_string(op.inputs.size()));
    };
    auto producer = [&](size_t k) -> const Op & {
      int idx = op.inputs[k];
      if (idx == kTokensInput)
        om.fail("inputs", "input " + std::to_string(k) + " cannot be the token ids");
      return m.ops[size_t(idx)];
    };
    auto need_counts = [&](const Op &p, bool want_signed) {
      if (!p.counts)
        om.fail("inputs", "input '" + p.name + "' must produce spike counts (a fire op), it is " +
                              op_type_name(p.type));
      if (want_signed && p.offset != sgn_off)
        om.fail("inputs", "input '" + p.name + "' must be a signed fire (offset " +
                              std::to_string(sgn_off) + ")");
    };
    auto check_in_exp = [&](const Op &p) {
      // Official-profile scales are not powers of two: only BSPN's input grid is an exponent.
      if (official && op.type != OpType::Bspn)
        return;
      if (op.in_exp != p.out_exp)
        om.fail("in_exp", "is " + std::to_string(op.in_exp) + " but input '" + p.name +
                              "' produces exponent " + std::to_string(p.out_exp));
    };
    OpReader rd(om, tensors, used_tensors, op);
    auto rounding = [&] {
      return om.get_enum("rounding", {"floor", "half_even"}) == "half_even" ? Rounding::HalfEven
                                                                           : Rounding::Floor;
    };
    auto fixed_point = [&](const char *shift_key) {
      op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
      op.rq_shift = int(om.get_int(shift_key, -30, kMaxOfficialShift));
    };
    if (!official && op.type == OpType::Requant)
      om.fail("type", "requant ops exist only in official-profile packages");

    switch (op.type) {
    case OpType::Embedding: {
      want_inputs(1);
      if (op.inputs[0] != kTokensInput)
        om.fail("inputs", "embedding takes the token ids '" + tokens_name + "'");
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
      if (official) {
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
        break;
      }
      op.pos = rd.i8("pos", {a.max_seq_len, a.hidden}, -128, 127);
      op.type_emb = rd.i8("type", {a.type_vocab_size, a.hidden}, -128, 127);
      break;
    }
    case OpType::Bspn: {
      want_inputs(1);
      const Op &p = producer(0);
      if (p.counts || p.type == OpType::QkScores)
        om.fail("inputs", "bspn normalises an integer tensor, not '" + p.name + "'");
      op.in_exp = rd.exp("in_exp");
      check_in_exp(p);
      op.features = p.features;
      op.group = rd.count("group", 1 << 16);
      if ((op.group & (op.group - 1)) != 0 || op.features % op.group != 0 || op.group > 256)
        om.fail("group", "must be a power of two ≤ 256 dividing the " +
                             std::to_string(op.features) + " features");
      op.beta_exp = int(om.get_int("beta_exp", -40, 8));
      op.out_exp = rd.exp("out_exp");
      op.gamma_sign = rd.i8("gamma_sign", {op.features}, -1, 1);
      op.gamma_exp = rd.i8("gamma_exp", {op.features}, -24, 24);
      op.bias = rd.i32("beta", op.features);
      op.bspn_official = official;
      break;
    }
    case OpType::Requant: {
      want_inputs(1);
      const Op &p = producer(0);
      if (p.type != OpType::BinaryLinear)
        om.fail("inputs", "requant takes a binary_linear op, not '" + p.name + "'");
      op.in_exp = rd.exp("in_exp");
      fixed_point("shift");
      op.rounding = rounding();
      op.relu = om.get_bool("relu", false);
      op.out_exp = rd.exp("out_exp");
      op.features = p.features;
      op.bias64 = rd.i64("bias", op.features, kMaxWide);
      op.move64 = rd.i64("move", op.features, kMaxWide);
      break;
    }
    case OpType::Fire: {
      want_inputs(1);
      const Op &p = producer(0);
      if (p.counts || p.type == OpType::QkScores)
        om.fail("inputs", "fire integrates an integer tensor, not '" + p.name + "'");
      op.in_exp = rd.exp("in_exp");
      check_in_exp(p);
      if (official) {
        fixed_point("shift");
        op.shift = op.rq_shift;
        op.rounding = rounding();
        op.min_rule = om.get_enum("min_rule", {"none", "official"}) == "official"
                          ? MinRule::Official
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
        om.fail("features", "is " + std::to_string(op.features) + " but input '" + p.name +
                                "' has " + std::to_string(p.features));
      op.counts = true;
      if (official)
        op.bias64 = rd.i64("bias", op.features, kMaxWide);
      else
        op.bias = rd.i32("bias", op.features);
      break;
    }
    case OpType::BinaryLinear:
    case OpType::IntLinear: {
      want_inputs(1);
      const Op &p = producer(0);
      if (!(official && op.type == OpType::IntLinear))
        need_counts(p, false);
      else if (p.type != OpType::Requant)
        om.fail("inputs", "an official-profile classifier takes a requant op, not '" + p.name + "'");
      op.in_features = int(om.get_int("in_features", 1, kMaxFeatures));
      op.features = int(om.get_int("out_features", 1, kMaxFeatures));
      if (op.in_features != p.features)
        om.fail("in_features", "is " + std::to_string(op.in_features) + " but input '" + p.name +
                                   "' has " + std::to_string(p.features));
      op.in_exp = rd.exp("in_exp");
      check_in_exp(p);
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
      break;
    }
    case OpType::QkScores: {
      want_inputs(2);
      const Op &q = producer(0), &k = producer(1);
      need_counts(q, true);
      need_counts(k, true);
      if (q.features != k.features)
        om.fail("inputs", "q and k have different feature counts");
      op.heads = int(om.get_int("heads", 1, kMaxHeads));
      if (q.features % op.heads != 0)
        om.fail("heads", "does not divide the " + std::to_string(q.features) + " features");
      if (official) {
        op.score_shift = int(om.get_int("score_shift", 0, kMaxOfficialShift));
        op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
      } else {
        op.score_shift = int(om.get_int("score_shift", -30, 30));
      }
      op.features = q.features;
      break;
    }
    case OpType::PtSoftmax: {
      want_inputs(1);
      const Op &p = producer(0);
      if (p.type != OpType::QkScores)
        om.fail("inputs", "ptsoftmax takes a qk_scores op, not '" + p.name + "'");
      op.heads = p.heads;
      op.features = p.features;
      op.frac_bits = int(om.get_int("frac_bits", 1, 40));
      op.out_exp = rd.exp("out_exp");
      if (official) {
        op.prob_frac = int(om.get_int("prob_frac", 1, 60));
        op.multiplier = om.get_int("multiplier", 1, kMaxMultiplier);
        op.rq_shift = int(om.get_int("shift", 0, kMaxOfficialShift));
        op.min_rule = MinRule::Official;
        op.rounding = Rounding::HalfEven;
      }
      op.offset = 0;
      op.counts = true;
      break;
    }
    case OpType::PvMatmul: {
      want_inputs(2);
      const Op &pr = producer(0), &v = producer(1);
      if (pr.type != OpType::PtSoftmax)
        om.fail("inputs", "pv_matmul's first input must be a ptsoftmax op");
      need_counts(v, true);
      op.heads = int(om.get_int("heads", 1, kMaxHeads));
      if (op.heads != pr.heads || v.features != pr.features)
        om.fail("heads", "heads/features differ from the attention probabilities'");
      op.out_exp = rd.exp("out_exp");
      if (official)
        op.prob_step = om.get_int("prob_step", 1, kMaxMultiplier);
      else if (op.out_exp != pr.out_exp + v.out_exp)
        om.fail("out_exp", "must equal probs exponent + v exponent = " +
                               std::to_string(pr.out_exp + v.out_exp));
      op.features = v.features;
      break;
    }
    case OpType::ResidualAdd: {
      want_inputs(2);
      const Op &acc = producer(0), &res = producer(1);
      if (acc.type != OpType::BinaryLinear)
        om.fail("inputs", "residual_add's first input must be a binary_linear op");
      if (res.counts || res.type == OpType::QkScores)
        om.fail("inputs", "residual_add's second input must be an integer hidden state");
      if (acc.features != res.features)
        om.fail("inputs", "feature counts differ: " + std::to_string(acc.features) + " vs " +
                              std::to_string(res.features));
      op.features = acc.features;
      if (official) {
        op.out_exp = rd.exp("out_exp");
        if (res.out_exp - op.out_exp < 0 || res.out_exp - op.out_exp > 30)
          om.fail("out_exp", "must be at most 30 below the residual's exponent " +
                                 std::to_string(res.out_exp) + " and not above it");
        fixed_point("shift");
        op.rounding = rounding();
        op.bias64 = rd.i64("bias", op.features, kMaxWide);
        break;
      }
      if (std::abs(acc.out_exp - res.out_exp) > 16)
        om.fail("inputs", "accumulator and residual exponents differ by more than 16");
      op.out_exp = rd.exp("out_exp");
      if (op.out_exp != std::min(acc.out_exp, res.out_exp))
        om.fail("out_exp", "must equal min(accumulator, residual exponent) = " +
                               std::to_string(std::min(acc.out_exp, res.out_exp)));
      op.bias = rd.i32("bias", op.features);
      break;
    }
    case OpType::SelectCls: {
      want_inputs(1);
      const Op &p = producer(0);
      if (p.counts || p.type == OpType::QkScores)
        om.fail("inputs", "select_cls takes an integer hidden state");
      op.features = p.features;
      op.out_exp = p.out_exp;
      break;
    }
    }
    om.finish();
    index_of[op.name] = int(m.ops.size());
    m.ops.push_back(std::move(op));
  }

  auto out_it = index_of.find(output_name);
  if (out_it == index_of.end())
    top.fail("output", "'" + output_name + "' is not an op");
  m.output = out_it->second;
  const Op &out = m.ops[size_t(m.output)];
  if (out.type != OpType::IntLinear)
    top.fail("output", "the output op must be an int_linear classifier");
  if (size_t(out.features) != m.labels.size())
    top.fail("labels", std::to_string(m.labels.size()) + " labels but the classifier has " +
                           std::to_string(out.features) + " outputs");
  for (const auto &[name, t] : tensors.tensors())
    if (!used_tensors.count(name))
      throw InputError({tensors.file()}, name, "tensor is not used by any op in model.yaml");
  return m;
}

} // namespace granita::model
