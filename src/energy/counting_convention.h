// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/analytical.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace granita::energy {

/// The assumptions of an analytical Sorbet-vs-BERT energy count (docs/energy.md §4.1). Two named
/// presets: `granita` (every spike the chip sends, offset spikes included) and `snn-literature`
/// (the spiking-transformer papers' SOPs = fr × T × FLOPs, with fr the per-time-step fraction of
/// a spike tensor that is non-zero, a spike of either sign counting once). Each field can be
/// changed on its own, so that the effect of one assumption on the ratio can be measured.
struct CountingAssumptions {
  std::string convention = "granita";
  /// A signed value costs |level − offset| spikes (bi-directional spikes) instead of
  /// level + offset (the offset coding the official Sorbet code and the chip use).
  bool signed_spikes = false;
  /// Q·Kᵀ and P·V are counted, on both sides (Sorbet's spiking matmuls, BERT's MACs).
  bool attention = true;
  /// One firing rate for the whole network (Σ spikes / Σ input entries) applied to every
  /// layer's FLOPs, instead of each layer's own rate.
  bool network_average_rate = false;
  /// BERT counted at the model's max_seq_len (a padded batch), Sorbet at the actual tokens.
  bool bert_at_max_seq_len = false;
  double ac_pj = 0, mac_pj = 0; // E_AC, E_MAC
};

/// The preset called `name` ("granita" or "snn-literature") with the table's AC/MAC constants;
/// InputError at `--convention` for another name.
CountingAssumptions convention_preset(const std::string &name, const Convention &c);
/// Names of the presets.
const std::vector<std::string> &convention_names();

/// One count, per sentence.
struct ConventionResult {
  double sorbet_acs = 0, bert_macs = 0;
  double sorbet_pj = 0, bert_pj = 0;
  double bert_over_sorbet = 0;
  double firing_rate = 0; // Σ spikes / (Σ input entries × T): the literature's fr, counted ops
};

/// Recounts an estimate under `a` (no new reference run: the estimate holds every op's spikes,
/// signed spikes, input entries and BERT MACs; `m` gives the BERT MACs at max_seq_len).
ConventionResult apply_convention(const AnalyticalEstimate &e, const model::SorbetModel &m,
                                  const CountingAssumptions &a);

/// Lines printed by `granita energy`: the assumptions and the result.
std::string format_convention(const CountingAssumptions &a, const ConventionResult &r);
nlohmann::json convention_json(const CountingAssumptions &a, const ConventionResult &r);

} // namespace granita::energy
