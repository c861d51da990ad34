// SPDX-License-Identifier: Apache-2.0
#include "src/eval/evaluate.h"

#include "src/glue/metrics.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

namespace granita::eval {

void compute_metrics(EvalReport &rep, const model::SorbetModel &model, const glue::TaskInfo &task,
                     const std::vector<glue::Example> &examples) {
  bool labelled = !examples.empty();
  for (const auto &ex : examples)
    labelled = labelled && (task.num_labels == 1 || ex.label >= 0);
  if (!labelled)
    return;
  if (task.num_labels == 1) {
    std::vector<double> pred, gold;
    const int exp = model.ops[size_t(model.output)].out_exp;
    for (const auto &s : rep.sentences) {
      pred.push_back(std::ldexp(double(s.logits[0]), exp));
      gold.push_back(s.score);
    }
    rep.metrics = {{"pearson", glue::pearson(pred, gold)}, {"spearman", glue::spearman(pred, gold)}};
    return;
  }
  std::vector<int> pred, gold;
  for (const auto &s : rep.sentences) {
    pred.push_back(s.prediction);
    gold.push_back(s.label);
  }
  for (const std::string &m : task.metrics) {
    if (m == "accuracy")
      rep.metrics.emplace_back(m, glue::accuracy(pred, gold));
    else if (m == "f1")
      rep.metrics.emplace_back(m, glue::f1_binary(pred, gold));
    else if (m == "matthews")
      rep.metrics.emplace_back(m, glue::matthews_corrcoef(pred, gold));
  }
  rep.confusion = glue::confusion_matrix(pred, gold, task.num_labels);
  return;
}

EvalReport evaluate(const model::SorbetModel &model, const text::WordpieceTokenizer &tokenizer,
                    const glue::TaskInfo &task, const std::vector<glue::Example> &examples,
                    int threads, const std::function<void(size_t)> &progress) {
  if (task.num_labels != int(model.labels.size()))
    throw InputError("task " + task.name + " has " + std::to_string(task.num_labels) +
                     " label(s) but model '" + model.name + "' has " +
                     std::to_string(model.labels.size()));
  EvalReport rep;
  rep.max_seq_len = model.arch.max_seq_len;
  rep.model = model.name;
  rep.task = task.name;
  rep.sentences.resize(examples.size());
  const ref::Reference reference(model);
  const auto t0 = std::chrono::steady_clock::now();

  std::atomic<size_t> next{0}, done{0};
  std::exception_ptr error;
  std::mutex mu;
  auto worker = [&]() {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= examples.size())
        return;
      try {
        const glue::Example &ex = examples[i];
        std::optional<std::string_view> b;
        if (ex.text_b)
          b = *ex.text_b;
        text::Encoding enc = tokenizer.encode(ex.text_a, b, size_t(model.arch.max_seq_len));
        ref::ReferenceResult r = reference.run(enc.ids, enc.type_ids);
        SentenceResult &s = rep.sentences[i];
        s.index = int(i);
        s.ids = std::move(enc.ids);
        s.logits = std::move(r.logits);
        s.prediction = r.prediction;
        s.label = ex.label;
        s.score = ex.score;
        s.spikes = r.spikes;
        s.synaptic_ops = r.synaptic_ops;
        s.truncated_tokens = enc.truncated_tokens;
      } catch (const InputError &e) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error)
          error = std::make_exception_ptr(
              InputError("sentence " + std::to_string(i) + " (line " +
                         std::to_string(examples[i].line) + "): " + e.what()));
        next = examples.size();
        return;
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error)
          error = std::current_exception();
        next = examples.size();
        return;
      }
      const size_t d = done.fetch_add(1) + 1;
      if (progress) {
        std::lock_guard<std::mutex> lock(mu);
        progress(d);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t)
    pool.emplace_back(worker);
  worker();
  for (auto &t : pool)
    t.join();
  if (error)
    std::rethrow_exception(error);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  compute_metrics(rep, model, task, examples);
  return rep;
}

size_t EvalReport::truncated_sentences() const {
  size_t n = 0;
  for (const auto &s : sentences)
    n += s.truncated_tokens > 0;
  return n;
}

nlohmann::json EvalReport::to_json() const {
  nlohmann::json j;
  j["version"] = 1;
  j["model"] = model;
  j["task"] = task;
  j["metrics"] = nlohmann::json::object();
  for (const auto &[k, v] : metrics)
    j["metrics"][k] = v;
  j["confusion"] = confusion;
  j["seconds"] = seconds;
  j["sentences_per_second"] = seconds > 0 ? double(sentences.size()) / seconds : 0.0;
  j["max_seq_len"] = max_seq_len;
  j["truncated_sentences"] = truncated_sentences();
  auto &arr = j["sentences"] = nlohmann::json::array();
  for (const auto &s : sentences)
    arr.push_back({{"index", s.index},
                   {"ids", s.ids},
                   {"logits", s.logits},
                   {"prediction", s.prediction},
                   {"label", s.label},
                   {"spikes", s.spikes},
                   {"synaptic_ops", s.synaptic_ops},
                   {"truncated_tokens", s.truncated_tokens}});
  return j;
}

std::string format_report(const EvalReport &r, const std::vector<std::string> &labels) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "model %s  task %s  sentences %zu\n", r.model.c_str(),
                r.task.c_str(), r.sentences.size());
  out += buf;
  for (const auto &[k, v] : r.metrics) {
    std::snprintf(buf, sizeof buf, "  %-10s %8.4f\n", k.c_str(), v);
    out += buf;
  }
  if (!r.confusion.empty()) {
    out += "  confusion (rows: gold, columns: predicted)\n";
    std::snprintf(buf, sizeof buf, "    %-16s", "");
    out += buf;
    for (const auto &l : labels) {
      std::snprintf(buf, sizeof buf, "%12s", l.c_str());
      out += buf;
    }
    out += "\n";
    for (size_t g = 0; g < r.confusion.size(); ++g) {
      std::snprintf(buf, sizeof buf, "    %-16s", g < labels.size() ? labels[g].c_str() : "?");
      out += buf;
      for (int64_t c : r.confusion[g]) {
        std::snprintf(buf, sizeof buf, "%12lld", static_cast<long long>(c));
        out += buf;
      }
      out += "\n";
    }
  }
  int64_t spikes = 0, synops = 0;
  for (const auto &s : r.sentences) {
    spikes += s.spikes;
    synops += s.synaptic_ops;
  }
  if (!r.sentences.empty()) {
    std::snprintf(buf, sizeof buf,
                  "  spikes/sentence %.0f  synaptic ops/sentence %.0f\n  %.1f sentences/s "
                  "(%.3f s)\n",
                  double(spikes) / double(r.sentences.size()),
                  double(synops) / double(r.sentences.size()),
                  r.seconds > 0 ? double(r.sentences.size()) / r.seconds : 0.0, r.seconds);
    out += buf;
  }
  if (const size_t t = r.truncated_sentences()) {
    std::snprintf(buf, sizeof buf, "  truncated %zu of %zu sentences to max_seq_len %d\n", t,
                  r.sentences.size(), r.max_seq_len);
    out += buf;
  }
  return out;
}

} // namespace granita::eval
