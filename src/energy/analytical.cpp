// SPDX-License-Identifier: Apache-2.0
#include "src/energy/analytical.h"

#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"

#include <cstdio>

namespace granita::energy {

namespace {

using model::Op;
using model::OpType;

uint64_t sum_counts(const ref::IntMatrix &x) {
  int64_t s = 0;
  for (int64_t v : x.v) {
    GRANITA_ASSERT(v >= 0, "negative spike count " << v);
    s += v;
  }
  return uint64_t(s);
}

/// Σ |count − offset|: the spikes of signed (±) spike coding instead of level + offset.
uint64_t sum_signed(const ref::IntMatrix &x, int offset) {
  int64_t s = 0;
  for (int64_t v : x.v)
    s += v >= offset ? v - offset : offset - v;
  return uint64_t(s);
}

/// One sentence's counts of one op.
struct OpSentence {
  uint64_t input_spikes = 0;
  uint64_t accumulates = 0;
  uint64_t spikes = 0;
  uint64_t signed_input_spikes = 0;
  uint64_t signed_accumulates = 0;
  uint64_t fan_out = 0;
};

std::vector<OpSentence> count_sentence(const model::SorbetModel &m,
                                       const std::vector<ref::IntMatrix> &outputs) {
  GRANITA_ASSERT(outputs.size() == m.ops.size(),
                 "expected every op's output (run the reference with keep_outputs = true)");
  std::vector<OpSentence> out(m.ops.size());
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const Op &op = m.ops[i];
    auto in = [&](size_t k) -> const ref::IntMatrix & { return outputs[size_t(op.inputs[k])]; };
    OpSentence &c = out[i];
    uint64_t fan_out = 0;
    switch (op.type) {
    case OpType::BinaryLinear:
    case OpType::IntLinear:
      // Every input spike adds its weight into each of the op's outputs (the official profile's
      // classifier reads integer values, not spikes: it has no synaptic events).
      if (m.ops[size_t(op.inputs[0])].counts)
        fan_out = uint64_t(op.features);
      break;
    case OpType::QkScores:
      // A query spike (token i, feature f) adds the stored K_jf of every key j of its head.
      fan_out = uint64_t(in(1).rows);
      break;
    case OpType::PvMatmul:
      // A probability spike (head h, query i, key j) adds the stored V_jf for f in head h.
      fan_out = uint64_t(in(1).cols / op.heads);
      break;
    default:
      break;
    }
    if (fan_out > 0) {
      c.fan_out = fan_out;
      c.input_spikes = sum_counts(in(0));
      c.accumulates = c.input_spikes * fan_out;
      c.signed_input_spikes = sum_signed(in(0), m.ops[size_t(op.inputs[0])].offset);
      c.signed_accumulates = c.signed_input_spikes * fan_out;
    }
    if (op.counts)
      c.spikes = sum_counts(outputs[i]);
  }
  return out;
}

} // namespace

double AnalyticalEstimate::bert_over_sorbet() const {
  const double s = sorbet_energy_pj();
  return s > 0 ? bert_energy_pj() / s : 0.0;
}

double AnalyticalEstimate::per_sentence(double total) const {
  return sentences.empty() ? 0.0 : total / double(sentences.size());
}

std::vector<uint64_t> op_accumulates(const model::SorbetModel &m,
                                     const std::vector<ref::IntMatrix> &outputs) {
  std::vector<uint64_t> out;
  for (const OpSentence &c : count_sentence(m, outputs))
    out.push_back(c.accumulates);
  return out;
}

std::vector<uint64_t> op_bert_macs(const model::SorbetModel &m, int tokens) {
  // Token rows each op works on: n from the embedding on, 1 after select_cls.
  std::vector<uint64_t> rows(m.ops.size(), 0), macs(m.ops.size(), 0);
  const uint64_t n = uint64_t(tokens);
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const Op &op = m.ops[i];
    auto in_rows = [&](size_t k) { return rows[size_t(op.inputs[k])]; };
    auto in_features = [&](size_t k) { return uint64_t(m.ops[size_t(op.inputs[k])].features); };
    switch (op.type) {
    case OpType::Embedding:
      rows[i] = n;
      break;
    case OpType::SelectCls:
      rows[i] = 1;
      break;
    default:
      rows[i] = in_rows(0);
      break;
    }
    switch (op.type) {
    case OpType::BinaryLinear:
    case OpType::IntLinear:
      macs[i] = rows[i] * uint64_t(op.in_features) * uint64_t(op.features);
      break;
    case OpType::QkScores: // per head n × n × d_head, over all heads n × n × hidden
      macs[i] = in_rows(0) * in_rows(1) * in_features(0);
      break;
    case OpType::PvMatmul:
      macs[i] = in_rows(0) * in_rows(1) * in_features(1);
      break;
    default:
      break;
    }
  }
  return macs;
}

uint64_t bert_macs_closed_form(const model::Arch &a, int num_labels, int tokens) {
  const uint64_t n = uint64_t(tokens), h = uint64_t(a.hidden), f = uint64_t(a.ffn);
  const uint64_t per_layer = n * (4 * h * h + 2 * h * f) + 2 * n * n * h;
  return uint64_t(a.layers) * per_layer + h * h + h * uint64_t(num_labels);
}

AnalyticalEstimate estimate_energy(const model::SorbetModel &m,
                                   const std::vector<text::Encoding> &sentences,
                                   const Convention &convention, const std::string &table_name) {
  if (!(convention.ac_pj > 0 && convention.mac_pj > 0))
    throw InputError({}, "convention",
                     "the analytical estimate needs positive ac_pj and mac_pj (energy table '" +
                         table_name + "')");
  AnalyticalEstimate e;
  e.model = m.name;
  e.table = table_name;
  e.arch = m.arch;
  e.num_labels = int(m.labels.size());
  e.convention = convention;
  e.ops.resize(m.ops.size());
  for (size_t i = 0; i < m.ops.size(); ++i) {
    e.ops[i].name = m.ops[i].name;
    e.ops[i].type = m.ops[i].type;
  }
  const ref::Reference reference(m);
  for (size_t s = 0; s < sentences.size(); ++s) {
    const text::Encoding &enc = sentences[s];
    ref::ReferenceResult r;
    try {
      r = reference.run(enc.ids, enc.type_ids, true);
    } catch (const InputError &err) {
      throw InputError("sentence " + std::to_string(s) + ": " + err.what());
    }
    const std::vector<OpSentence> counts = count_sentence(m, r.outputs);
    const std::vector<uint64_t> macs = op_bert_macs(m, int(enc.ids.size()));
    SentenceCounts sc;
    sc.tokens = int(enc.ids.size());
    uint64_t linear_acs = 0;
    for (size_t i = 0; i < m.ops.size(); ++i) {
      OpCounts &o = e.ops[i];
      o.input_spikes += counts[i].input_spikes;
      o.accumulates += counts[i].accumulates;
      o.spikes += counts[i].spikes;
      o.bert_macs += macs[i];
      o.signed_input_spikes += counts[i].signed_input_spikes;
      o.signed_accumulates += counts[i].signed_accumulates;
      if (counts[i].fan_out > 0)
        o.input_elements += macs[i] / counts[i].fan_out;
      e.signed_accumulates += counts[i].signed_accumulates;
      sc.accumulates += counts[i].accumulates;
      sc.spikes += counts[i].spikes;
      sc.bert_macs += macs[i];
      if (o.type == OpType::BinaryLinear || o.type == OpType::IntLinear)
        linear_acs += counts[i].accumulates;
    }
    // The reference counts the same things its own way; they must agree (ARCHITECTURE.md §3,
    // energy accounting identity).
    GRANITA_ASSERT(int64_t(sc.spikes) == r.spikes, "spike counts disagree with the reference");
    GRANITA_ASSERT(int64_t(linear_acs) == r.synaptic_ops,
                   "synaptic op counts disagree with the reference");
    e.accumulates += sc.accumulates;
    e.spikes += sc.spikes;
    e.bert_macs += sc.bert_macs;
    e.tokens += uint64_t(sc.tokens);
    e.sentences.push_back(sc);
  }
  return e;
}

} // namespace granita::energy
