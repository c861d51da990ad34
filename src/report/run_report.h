// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/area_model.h"
#include "src/energy/chip_shape.h"
#include "src/energy/energy_table.h"
#include "src/energy/event_registry.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace granita::model {
struct SorbetModel;
}

/// The report of a cycle-accurate run (docs/report-format.md): what was simulated and the raw
/// counts it produced. Prices are applied only when the report is rendered, so one run can be
/// priced with any energy table (`granita energy --reprice`), and shards of one run
/// (`granita run -j N`) merge into exactly the report of a single run.
namespace granita::report {

constexpr int kRunReportVersion = 4;

/// One simulated sentence (or pair).
struct SentenceRecord {
  int index = 0;                 // row in the input, 0-based
  int prediction = 0;
  int label = -1;                // gold label index, -1 when unlabelled
  double score = 0;              // STS-B gold score
  std::vector<int64_t> logits;
  uint64_t cycles = 0;           // latency: first injection to the last logit
  uint64_t drain_cycles = 0;     // then until the chip is idle (units finish other tokens)
  bool bit_exact = false;        // logits checked equal to the reference's (false: not checked)
  size_t truncated_tokens = 0;   // wordpieces dropped to fit max_seq_len
  uint64_t ticks = 0;            // tokens × time steps per token: the chip's ticks if it has one
  energy::EnergyCounters events; // every event of this sentence (all tasks and the chip)
};

/// Energy of a report under one table, per sentence on average.
struct PricedReport {
  double energy_pj = 0;                               // per sentence, fixed power included
  std::vector<energy::EventEnergy> events;            // summed over sentences, registry order
  std::vector<std::pair<std::string, double>> by_op;  // pJ per sentence, op order, then leakage
                                                      // (and "fixed" with fixed power)
  std::vector<std::pair<std::string, double>> by_layer;     // layer order, then chip leakage
                                                            // (and "chip fixed")
  std::vector<std::pair<std::string, double>> by_component; // registry component order (then
                                                            // "fixed")
  std::vector<double> sentence_pj;                    // per sentence, in sentence order
  // The table's fixed power (docs/energy.md §2.2): present only if it has a fixed_power section.
  bool has_fixed_power = false;
  double fixed_mw = 0;                                // for this run's chip
  double fixed_pj = 0;                                // fixed_mw × wall time, per sentence
  std::vector<double> sentence_fixed_pj;              // per sentence, in sentence order
  double wall_us_mean = 0;                            // RunReport::wall_time_us, mean
  energy::CoreArea core_area;                         // one core at the table's node
  double chip_area_mm2 = 0;                           // core area × mesh cores
};

/// Contract: op_names / op_layers / op_events are parallel (one entry per model op, in model
/// order, then "host"); sentences are in index order with distinct indices.
struct RunReport {
  std::string model, task, hw, encoding;
  energy::ChipShape chip; // the widths and sizes prices and areas follow (docs/energy.md §2.1)
  int mesh_x = 0, mesh_y = 0, clock_mhz = 0, cores_powered = 0, max_seq_len = 0;
  bool checked = true; // every sentence was compared with the reference
  std::vector<std::string> labels;
  std::vector<std::string> op_names, op_layers;
  std::vector<energy::EnergyCounters> op_events; // summed over sentences
  energy::EnergyCounters chip_events;            // not owned by a task (leakage), summed
  std::array<uint64_t, 4> unit_busy_cycles{};    // accumulate, neuron, ptsoftmax, bspn; summed
  std::vector<SentenceRecord> sentences;
  std::vector<std::pair<std::string, double>> metrics; // empty when unlabelled

  // Timing views (sums over sentences, so shards merge by adding).
  std::vector<std::vector<int>> op_inputs; // per op (not host): indices of its input ops
  int output_op = -1;                      // the op producing the logits
  /// Per op: Σ first-job start, Σ last-job end (cycles from the sentence's start), sentences run.
  std::vector<uint64_t> op_start_sum, op_end_sum, op_runs;
  uint64_t drain_cycles_sum = 0; // Σ cycles from the logits to an idle chip
  /// Per mesh core index: busy cycles per unit (accumulate, neuron, ptsoftmax, bspn), summed.
  std::vector<std::array<uint64_t, 4>> core_busy;
  /// Per mesh router: flits sent out of each port (local, north, east, south, west), summed; the
  /// four mesh ports are the node's outgoing links.
  std::vector<std::array<uint64_t, 5>> router_flits;

  /// Adds one sentence's op spans ({UINT64_MAX, 0} for ops that did not run).
  void add_op_spans(const std::vector<std::pair<uint64_t, uint64_t>> &op_spans);
  /// The chain of ops that bounds a sentence's latency, from the embedding to the logits: each
  /// op's input that finished last (on the mean start/end times).
  std::vector<int> critical_path() const;

  /// An empty report of `model`'s ops (counts to be added by the simulator).
  static RunReport for_model(const model::SorbetModel &model);
  /// Adds a shard's sentences and counts (a shard of the same run: same ops and chip).
  void merge(const RunReport &shard);

  size_t truncated_sentences() const;
  double cycles_mean() const;
  /// The cycle count at percentile p (0..1), nearest rank on the sorted per-sentence cycles.
  uint64_t cycles_percentile(double p) const;

  /// Energy and area under `table` (as loaded: its prices are scaled for `chip` here).
  PricedReport price(const energy::EnergyTable &table) const;
  /// The report's "latency" object: by_op, by_layer, critical_path (docs/report-format.md).
  nlohmann::json latency_json() const;
  /// The JSON report (schema version kRunReportVersion) priced with `table`; it keeps the raw
  /// counts, so from_json() restores the report exactly.
  nlohmann::json to_json(const energy::EnergyTable &table) const;
  /// A report written by to_json(); InputError naming `file` and the key on anything else.
  static RunReport from_json(const nlohmann::json &j, const std::string &file);
  /// The summary table printed by `granita run` (after the per-sentence lines).
  std::string to_text(const energy::EnergyTable &table) const;
  /// One line per sentence: index, prediction and label (index and name), cycles, latency, energy.
  std::string to_csv(const energy::EnergyTable &table) const;
  /// Whether the chip advances in real-time ticks (hardware config `tick_hz`).
  bool tick_driven() const { return chip.tick_hz > 0; }
  /// A sentence's wall time on the chip in us (docs/hw-config.md, Real-time ticks): the chip is
  /// busy for its cycles plus the drain, so max((cycles + drain) / clock, ticks / tick_hz) on a
  /// tick-driven chip, (cycles + drain) / clock otherwise.
  double wall_time_us(const SentenceRecord &s) const {
    return sentence_wall_time_us(s.cycles + s.drain_cycles, s.ticks, clock_mhz, chip.tick_hz);
  }
  static double sentence_wall_time_us(uint64_t cycles, uint64_t ticks, int clock_mhz, int tick_hz);
  /// Sentences whose cycles outlast their ticks (a tick-driven chip falling behind real time).
  size_t sentences_behind_tick() const;

  /// Sentences per second: one after another (cycles + drain; on a tick-driven chip the wall
  /// time if longer), and the bound of a pipelined stream, limited by the busiest unit of any
  /// core (its busy cycles per sentence; ticks not counted).
  double sentences_per_second() const;
  double pipelined_sentences_per_second() const;
  /// A label index as its name ("-" when unlabelled).
  std::string label_name(int index) const;
};

/// The layer each op belongs to, from the graph's structure (not from op names): "embedding"
/// for the ops before the first fire, "layer N" for the ops of encoder layer N (two residual
/// adds per layer, each followed by its BSPN), "pooler+classifier" from the [CLS] selection on.
std::vector<std::string> op_layers(const model::SorbetModel &model);

} // namespace granita::report
