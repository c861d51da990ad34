// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/model/sorbet_model.h"
#include "src/text/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace granita::eval {

/// One sentence (or pair) through the functional reference.
struct SentenceResult {
  int index = 0;
  std::vector<int32_t> ids;
  std::vector<int64_t> logits;
  int prediction = 0;
  int label = -1;
  double score = 0; // STS-B gold score
  int64_t spikes = 0;
  int64_t synaptic_ops = 0;
  size_t truncated_tokens = 0; // wordpieces dropped to fit the model's max_seq_len
};

/// A whole evaluation: per-sentence results, metrics and throughput.
struct EvalReport {
  std::string model;
  std::string task;
  std::vector<SentenceResult> sentences;
  std::vector<std::pair<std::string, double>> metrics; // empty if no labels
  std::vector<std::vector<int64_t>> confusion;         // [gold][predicted]
  double seconds = 0;
  int max_seq_len = 0;

  /// Sentences cut to max_seq_len.
  size_t truncated_sentences() const;
  nlohmann::json to_json() const;
};

/// Runs the integer reference over `examples` on `threads` worker threads. Results are in input
/// order and independent of the thread count. `progress` (optional) is called with the number of
/// finished sentences.
EvalReport evaluate(const model::SorbetModel &model, const text::WordpieceTokenizer &tokenizer,
                    const glue::TaskInfo &task, const std::vector<glue::Example> &examples,
                    int threads, const std::function<void(size_t)> &progress = {});

/// Fills rep.metrics and rep.confusion from rep.sentences' predictions / logits (nothing if
/// the examples are unlabelled).
void compute_metrics(EvalReport &rep, const model::SorbetModel &model, const glue::TaskInfo &task,
                     const std::vector<glue::Example> &examples);

/// Human-readable summary table of a report.
std::string format_report(const EvalReport &r, const std::vector<std::string> &labels);

} // namespace granita::eval
