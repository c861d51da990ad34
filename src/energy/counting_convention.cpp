// SPDX-License-Identifier: Apache-2.0
#include "src/energy/counting_convention.h"

#include "src/util/error.h"
#include "src/util/strings.h"

#include <cstdio>

namespace granita::energy {

using model::OpType;

const std::vector<std::string> &convention_names() {
  static const std::vector<std::string> kNames = {"granita", "snn-literature"};
  return kNames;
}

CountingAssumptions convention_preset(const std::string &name, const Convention &c) {
  CountingAssumptions a;
  a.convention = name;
  a.ac_pj = c.ac_pj;
  a.mac_pj = c.mac_pj;
  if (name == "granita")
    return a;
  if (name == "snn-literature") {
    // Spikformer / Spike-driven Transformer: SOPs(l) = fr(l) × T × FLOPs(l), fr the fraction of
    // non-zero entries of the spike tensor per time step; SpikeLM's spikes carry a sign, so a
    // negative value is |q| spikes, not q + offset. Attention matmuls with spiking operands are
    // counted as SOPs in the same papers. Per-layer rates and the actual tokens on both sides.
    a.signed_spikes = true;
    return a;
  }
  throw InputError({}, "--convention",
                   "unknown counting convention '" + name + "' (expected " +
                       join(convention_names(), " or ") + ")");
}

ConventionResult apply_convention(const AnalyticalEstimate &e, const model::SorbetModel &m,
                                  const CountingAssumptions &a) {
  GRANITA_ASSERT(e.ops.size() == m.ops.size(), "estimate of another model");
  const double ns = e.sentences.empty() ? 1.0 : double(e.sentences.size());
  const std::vector<uint64_t> padded = op_bert_macs(m, m.arch.max_seq_len);
  double spikes = 0, entries = 0, flops = 0, acs = 0, bert = 0;
  for (size_t i = 0; i < e.ops.size(); ++i) {
    const OpCounts &o = e.ops[i];
    const bool attention = o.type == OpType::QkScores || o.type == OpType::PvMatmul;
    if (attention && !a.attention)
      continue;
    bert += a.bert_at_max_seq_len ? double(padded[i]) * ns : double(o.bert_macs);
    if (o.input_elements == 0)
      continue; // no synapses: no ACs
    spikes += double(a.signed_spikes ? o.signed_input_spikes : o.input_spikes);
    acs += double(a.signed_spikes ? o.signed_accumulates : o.accumulates);
    entries += double(o.input_elements);
    flops += double(o.bert_macs);
  }
  ConventionResult r;
  // Per layer, fr × T × FLOPs = (spikes / entries) × FLOPs = spikes × fan-out: the ACs. One
  // network-wide rate spreads the spikes over every layer's FLOPs alike.
  const double sops = a.network_average_rate ? (entries > 0 ? spikes / entries * flops : 0) : acs;
  r.sorbet_acs = sops / ns;
  r.bert_macs = bert / ns;
  r.sorbet_pj = r.sorbet_acs * a.ac_pj;
  r.bert_pj = r.bert_macs * a.mac_pj;
  r.bert_over_sorbet = r.sorbet_pj > 0 ? r.bert_pj / r.sorbet_pj : 0;
  r.firing_rate = entries > 0 ? spikes / entries / double(m.arch.time_steps) : 0;
  return r;
}

namespace {
const char *on(bool b) { return b ? "yes" : "no"; }
} // namespace

std::string format_convention(const CountingAssumptions &a, const ConventionResult &r) {
  char b[1024];
  std::snprintf(b, sizeof b,
                "\nconvention %s: signed spikes %s, attention counted %s, rate %s, BERT at %s; "
                "E_AC %.3g pJ, E_MAC %.3g pJ\n"
                "  firing rate fr %.4f per time step; Sorbet %.4g ACs = %.2f uJ, BERT %.4g MACs "
                "= %.2f uJ per sentence\n"
                "  BERT / Sorbet = %.2fx under this convention (paper: %.2fx)\n",
                a.convention.c_str(), on(a.signed_spikes), on(a.attention),
                a.network_average_rate ? "network average" : "per layer",
                a.bert_at_max_seq_len ? "max_seq_len" : "actual tokens", a.ac_pj, a.mac_pj,
                r.firing_rate, r.sorbet_acs, r.sorbet_pj / 1e6, r.bert_macs, r.bert_pj / 1e6,
                r.bert_over_sorbet, kPaperBertOverSorbet);
  return b;
}

nlohmann::json convention_json(const CountingAssumptions &a, const ConventionResult &r) {
  return {{"name", a.convention},
          {"signed_spikes", a.signed_spikes},
          {"attention", a.attention},
          {"network_average_rate", a.network_average_rate},
          {"bert_at_max_seq_len", a.bert_at_max_seq_len},
          {"ac_pj", a.ac_pj},
          {"mac_pj", a.mac_pj},
          {"firing_rate", r.firing_rate},
          {"sorbet_acs_per_sentence", r.sorbet_acs},
          {"bert_macs_per_sentence", r.bert_macs},
          {"sorbet_pj_per_sentence", r.sorbet_pj},
          {"bert_pj_per_sentence", r.bert_pj},
          {"bert_over_sorbet", r.bert_over_sorbet}};
}

} // namespace granita::energy
