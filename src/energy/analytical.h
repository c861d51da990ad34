// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/energy_table.h"
#include "src/model/sorbet_model.h"
#include "src/ref/kernels.h"
#include "src/text/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace granita::energy {

/// The Sorbet paper's headline: a full-precision BERT-base needs 27.16× the energy of Sorbet
/// under the AC/MAC convention (its setting: BERT-base, 12 layers, pretrained, GLUE).
constexpr double kPaperBertOverSorbet = 27.16;

/// Counts of one op of the graph, summed over all sentences of an estimate.
struct OpCounts {
  std::string name;
  model::OpType type = model::OpType::Fire;
  uint64_t input_spikes = 0; // Σ counts of the spiking input that drives the accumulates
  uint64_t accumulates = 0;  // Sorbet ACs: input spikes × fan-out (0 for ops without synapses)
  uint64_t spikes = 0;       // spikes the op emits (fire, ptsoftmax; 0 otherwise)
  uint64_t bert_macs = 0;    // MACs of the same op in a dense full-precision BERT
  // The same accumulates if every signed value q were sent as |q| spikes of its sign instead of
  // q + offset spikes (a what-if for the encoding; equal to accumulates for unsigned inputs).
  uint64_t signed_input_spikes = 0;
  uint64_t signed_accumulates = 0;
  // Entries of the op's spiking input (Σ over sentences; 0 for ops without synapses): the
  // denominator of a firing rate, = bert_macs / fan-out.
  uint64_t input_elements = 0;
};

/// Totals of one sentence.
struct SentenceCounts {
  int tokens = 0;
  uint64_t accumulates = 0;
  uint64_t spikes = 0;
  uint64_t bert_macs = 0;
};

/// The analytical energy estimate of the spiking literature (docs/energy.md): Sorbet's
/// accumulates from measured spike counts × E_AC against a same-shape BERT's MACs × E_MAC.
struct AnalyticalEstimate {
  std::string model;
  std::string table; // name of the energy table the convention came from
  model::Arch arch;
  int num_labels = 0;
  Convention convention;
  std::vector<OpCounts> ops; // every op of the graph, in graph order
  std::vector<SentenceCounts> sentences;
  uint64_t accumulates = 0, spikes = 0, bert_macs = 0, tokens = 0;
  uint64_t signed_accumulates = 0; // Σ OpCounts::signed_accumulates

  double sorbet_energy_pj() const { return double(accumulates) * convention.ac_pj; }
  double bert_energy_pj() const { return double(bert_macs) * convention.mac_pj; }
  /// BERT energy / Sorbet energy (0 if Sorbet did no accumulate).
  double bert_over_sorbet() const;
  /// `total` / number of sentences (0 for none).
  double per_sentence(double total) const;

  nlohmann::json to_json() const;
};

/// Accumulates each op performs for one sentence, from the outputs of ref::Reference::run with
/// keep_outputs = true: binary_linear and int_linear Σ input counts × out_features; qk_scores
/// Σ Q counts × keys; pv_matmul Σ P counts × head size; every other op 0.
std::vector<uint64_t> op_accumulates(const model::SorbetModel &m,
                                     const std::vector<ref::IntMatrix> &outputs);

/// Multiply-accumulates of each op in a dense full-precision BERT of the model's shape, for one
/// sentence of `tokens` tokens: linear layers rows × in × out, Q·Kᵀ and P·V n² × hidden each;
/// embedding, normalisation, softmax and residual adds 0.
std::vector<uint64_t> op_bert_macs(const model::SorbetModel &m, int tokens);

/// The same total in closed form: L·(n·(4H² + 2H·F) + 2n²·H) + H² (pooler) + H·labels.
uint64_t bert_macs_closed_form(const model::Arch &a, int num_labels, int tokens);

/// Runs the reference over `sentences` and counts. Throws InputError for a sentence the model
/// cannot take (naming its index), or if the convention's constants are not positive.
AnalyticalEstimate estimate_energy(const model::SorbetModel &m,
                                   const std::vector<text::Encoding> &sentences,
                                   const Convention &convention, const std::string &table_name);

/// Human-readable table: per-op ACs per sentence, both energies, the ratio and the paper's.
std::string format_estimate(const AnalyticalEstimate &e);

} // namespace granita::energy
