// SPDX-License-Identifier: Apache-2.0
#include "src/ref/sorbet_reference.h"

#include "src/ref/official_kernels.h"
#include "src/util/error.h"

#include <algorithm>
#include <numeric>

namespace granita::ref {

using model::Op;
using model::OpType;

Reference::Reference(const model::SorbetModel &model) : m_model(model) {
  m_last_use.resize(model.ops.size());
  for (size_t i = 0; i < model.ops.size(); ++i) {
    m_last_use[i] = i;
    for (int in : model.ops[i].inputs)
      if (in != model::kTokensInput)
        m_last_use[size_t(in)] = i;
  }
  m_last_use[size_t(model.output)] = model.ops.size();
}

IntMatrix Reference::run_op(size_t op_index, const std::vector<const IntMatrix *> &in,
                            const std::vector<int32_t> &ids,
                            const std::vector<int32_t> &type_ids) const {
  const Op &op = m_model.ops[op_index];
  const model::Arch &a = m_model.arch;
  auto producer = [&](size_t k) -> const Op & { return m_model.ops[size_t(op.inputs[k])]; };
  if (m_model.profile == model::Profile::Official)
    return run_official_op(op, in, ids, type_ids);
  switch (op.type) {
  case OpType::Embedding:
    return embedding(ids, type_ids, op.bits, op.word_exp, op.pos, op.pos_exp, op.type_emb,
                     op.type_exp, a.hidden, op.out_exp);
  case OpType::Bspn:
    return bspn(*in[0], op.in_exp, op.group, op.gamma_sign, op.gamma_exp, op.bias, op.beta_exp,
                op.out_exp);
  case OpType::Fire:
    return fire(*in[0], op.bias, op.shift, op.offset, a.levels());
  case OpType::BinaryLinear:
    return binary_linear(*in[0], op.in_offset, a.bits, op.bits);
  case OpType::IntLinear:
    return int_linear(*in[0], op.in_offset, op.weight_i8, op.bias, op.features);
  case OpType::QkScores:
    return qk_scores(*in[0], *in[1], op.heads, op.score_shift, producer(0).offset);
  case OpType::PtSoftmax:
    return ptsoftmax(*in[0], op.frac_bits, op.out_exp, a.levels());
  case OpType::PvMatmul:
    return pv_matmul(*in[0], *in[1], op.heads, producer(1).offset);
  case OpType::ResidualAdd:
    return residual_add(*in[0], producer(0).out_exp, op.bias, *in[1], producer(1).out_exp,
                        op.out_exp);
  case OpType::SelectCls:
    return select_cls(*in[0]);
  case OpType::Requant:
    break;
  }
  GRANITA_ASSERT(false, "unhandled op type " << op_type_name(op.type));
  return {};
}

IntMatrix Reference::select_cls(const IntMatrix &x) {
  IntMatrix out(1, x.cols);
  std::copy(x.row(0), x.row(0) + x.cols, out.row(0));
  return out;
}

IntMatrix Reference::run_official_op(const Op &op, const std::vector<const IntMatrix *> &in,
                                     const std::vector<int32_t> &ids,
                                     const std::vector<int32_t> &type_ids) const {
  namespace of = official;
  const model::Arch &a = m_model.arch;
  auto producer = [&](size_t k) -> const Op & { return m_model.ops[size_t(op.inputs[k])]; };
  switch (op.type) {
  case OpType::Embedding:
    return of::embedding(ids, type_ids, op.bits, op.word_scale, op.pos32, op.type32, op.ln_gamma,
                         op.ln_beta, a.hidden, op.out_exp - op.ln_exp);
  case OpType::Bspn:
    return of::bspn(*in[0], op.in_exp, op.group, op.gamma_sign, op.gamma_exp, op.bias,
                    op.beta_exp, op.out_exp);
  case OpType::Fire:
    return of::fire(*in[0], op.bias64, op.multiplier, op.shift, op.rounding, op.offset,
                    a.levels(), op.min_rule);
  case OpType::Requant:
    return of::requant(*in[0], op.bias64, op.multiplier, op.rq_shift, op.rounding, op.relu,
                       op.move64);
  case OpType::BinaryLinear:
    return of::binary_linear(*in[0], op.in_offset, a.bits, op.bits, op.in_step);
  case OpType::IntLinear:
    return of::int_linear(*in[0], op.weight_i32, op.bias64, op.features);
  case OpType::QkScores:
    return of::qk_scores(*in[0], *in[1], op.heads, op.multiplier, op.score_shift,
                         producer(0).offset);
  case OpType::PtSoftmax:
    return of::ptsoftmax(*in[0], op.frac_bits, op.prob_frac, op.multiplier, op.rq_shift,
                         a.levels());
  case OpType::PvMatmul:
    return of::pv_matmul(*in[0], *in[1], op.heads, producer(1).offset, op.prob_step);
  case OpType::ResidualAdd:
    return of::residual_add(*in[0], op.bias64, op.multiplier, op.rq_shift, op.rounding, *in[1],
                            producer(1).out_exp - op.out_exp);
  case OpType::SelectCls:
    return select_cls(*in[0]);
  }
  GRANITA_ASSERT(false, "unhandled op type " << op_type_name(op.type));
  return {};
}

ReferenceResult Reference::run(const std::vector<int32_t> &ids,
                               const std::vector<int32_t> &type_ids, bool keep_outputs) const {
  const model::Arch &a = m_model.arch;
  if (ids.empty())
    throw InputError("empty token sequence");
  if (ids.size() != type_ids.size())
    throw InputError("token ids and token type ids differ in length");
  if (int(ids.size()) > a.max_seq_len)
    throw InputError(std::to_string(ids.size()) + " tokens exceed the model's max_seq_len of " +
                     std::to_string(a.max_seq_len));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= a.vocab_size)
      throw InputError("token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                       " is outside the vocabulary of " + std::to_string(a.vocab_size));
    if (type_ids[i] < 0 || type_ids[i] >= a.type_vocab_size)
      throw InputError("token type id " + std::to_string(type_ids[i]) + " at position " +
                       std::to_string(i) + " is out of range");
  }

  ReferenceResult res;
  std::vector<IntMatrix> values(m_model.ops.size());
  std::vector<const IntMatrix *> ins;
  for (size_t i = 0; i < m_model.ops.size(); ++i) {
    const Op &op = m_model.ops[i];
    ins.clear();
    for (int in : op.inputs)
      ins.push_back(in == model::kTokensInput ? nullptr : &values[size_t(in)]);
    values[i] = run_op(i, ins, ids, type_ids);
    if (op.counts) {
      res.spikes += std::accumulate(values[i].v.begin(), values[i].v.end(), int64_t(0));
    }
    // Synaptic events are spikes times fan-out: only count inputs are spikes (the official
    // classifier reads the pooler's integer values).
    if ((op.type == OpType::BinaryLinear || op.type == OpType::IntLinear) &&
        m_model.ops[size_t(op.inputs[0])].counts) {
      const IntMatrix &x = values[size_t(op.inputs[0])];
      res.synaptic_ops +=
          std::accumulate(x.v.begin(), x.v.end(), int64_t(0)) * int64_t(op.features);
    }
    if (!keep_outputs)
      for (int in : op.inputs)
        if (in != model::kTokensInput && m_last_use[size_t(in)] == i)
          values[size_t(in)] = IntMatrix();
  }
  const IntMatrix &logits = values[size_t(m_model.output)];
  res.logits.assign(logits.row(0), logits.row(0) + logits.cols);
  res.prediction = int(std::max_element(res.logits.begin(), res.logits.end()) - res.logits.begin());
  if (keep_outputs)
    res.outputs = std::move(values);
  return res;
}

} // namespace granita::ref
