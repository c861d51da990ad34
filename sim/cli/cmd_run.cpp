// SPDX-License-Identifier: Apache-2.0
// granita run: cycle-accurate GLUE inference on the SystemC chip, with energy reports.
#include "compiler/compile.h"
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "sim/run/simulator.h"
#include "src/energy/energy_table.h"
#include "src/eval/evaluate.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/ref/sorbet_reference.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/strings.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace granita::cli {

namespace {

std::string layer_of(const std::string &op) {
  if (op.rfind("layers.", 0) == 0)
    return "layer " + op.substr(7, op.find('.', 7) - 7);
  if (op.rfind("embed", 0) == 0)
    return "embedding";
  return "pooler+classifier";
}

} // namespace

int run_run(const RunOptions &o) {
  // Every input and output is checked before anything is compiled or simulated.
  const model::SorbetModel m = model::load_package(o.model_dir);
  check_task_matches_model(o.task, m);
  const glue::TaskInfo &task = glue::task_info(o.task.empty() ? m.task : o.task);
  check_text_options({o.text_given, o.text_b_given, o.text, o.text_b}, task);
  check_output_path("--json", o.json_out);
  check_output_path("--csv", o.csv_out);
  check_output_path("--vcd", o.vcd);
  check_output_path("--trace", o.trace);
  const config::HwConfig hw = load_hw(o.hw, o.hw_params);
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table = load_energy_table(o.energy, hw, registry);

  mapping::Mapping mp;
  if (o.mapping.empty()) {
    const compiler::CompileResult cr = compiler::compile(m, hw);
    if (!cr.mapping) {
      std::string text = compiler::format_diagnostics(cr.diagnostics);
      while (!text.empty() && text.back() == '\n')
        text.pop_back();
      throw InputError("compilation failed:\n" + text);
    }
    mp = *cr.mapping;
  } else {
    mp = mapping::load_mapping(o.mapping);
    mapping::verify_or_throw(mp, m, hw, o.mapping); // hand-written mappings are checked too
  }

  const text::Vocab vocab = text::Vocab::load(m.vocab_path);
  const text::WordpieceTokenizer tok(vocab);
  const std::string data =
      o.data.empty() && o.text.empty() ? (data_root() / "glue" / task.name / "dev.tsv").string()
                                       : o.data;
  const std::vector<glue::Example> examples =
      read_examples("run", task, data, o.text, o.text_b, o.limit);

  if (!o.trace.empty() && (o.trace_sentence < 0 || size_t(o.trace_sentence) >= examples.size()))
    throw InputError({}, "--trace-sentence",
                     "sentence " + std::to_string(o.trace_sentence) + " is not among the " +
                         std::to_string(examples.size()) + " simulated");
  sim::Simulator simulator(m, hw, mp, o.watchdog_cycles, o.vcd);
  uint64_t trace_start = 0;
  const ref::Reference reference(m);
  eval::EvalReport rep;
  rep.model = m.name;
  rep.task = task.name;
  std::vector<uint64_t> cycles;
  std::vector<energy::EnergyCounters> per_task(mp.tasks.size());
  energy::EnergyCounters chip_events;
  std::vector<double> sentence_pj;
  uint64_t busy[4] = {0, 0, 0, 0};
  const double us_per_cycle = 1.0 / hw.clock_mhz;
  nlohmann::json jsent = nlohmann::json::array();
  std::ostringstream csv;
  csv << "index,prediction,label,cycles,latency_us,energy_pj,bit_exact\n";
  size_t truncated = 0; // sentences cut to max_seq_len
  ProgressBar bar("granita run", examples.size());
  if (!o.quiet)
    std::printf("%6s %10s %10s %10s %12s %12s\n", "#", "prediction", "label", "cycles",
                "latency_us", "energy_nJ");
  for (size_t i = 0; i < examples.size(); ++i) {
    const glue::Example &ex = examples[i];
    std::optional<std::string_view> b;
    if (ex.text_b)
      b = *ex.text_b;
    const text::Encoding enc = tok.encode(ex.text_a, b, size_t(m.arch.max_seq_len));
    if (enc.truncated_tokens) {
      ++truncated;
      if (o.text_given)
        std::fprintf(stderr,
                     "granita: warning: --text: %zu wordpieces beyond max_seq_len %d were dropped\n",
                     enc.truncated_tokens, m.arch.max_seq_len);
    }
    const bool tracing = !o.trace.empty() && int(i) == o.trace_sentence;
    simulator.chip().trace().set_on(tracing);
    if (tracing)
      trace_start = uint64_t(sc_core::sc_time_stamp() / simulator.chip().period());
    sim::SentenceRun r = simulator.run(enc.ids, enc.type_ids);
    simulator.chip().trace().set_on(false);
    bool exact = true;
    if (!o.no_check) {
      const ref::ReferenceResult want = reference.run(enc.ids, enc.type_ids);
      if (want.logits != r.logits) {
        simulator.run(enc.ids, enc.type_ids, true);
        const std::string where = simulator.first_mismatch(enc.ids, enc.type_ids);
        // A mismatch is a Granita bug, never the user's: internal error, exit code 2.
        throw std::runtime_error("sentence " + std::to_string(i) +
                                 ": chip logits differ from the reference: " +
                                 (where.empty() ? "no task output differs" : where));
      }
      exact = want.logits == r.logits;
    }
    energy::EnergyCounters total = r.chip_events;
    for (size_t t = 0; t < r.task_events.size(); ++t) {
      per_task[t] += r.task_events[t];
      total += r.task_events[t];
    }
    chip_events += r.chip_events;
    for (int u = 0; u < 4; ++u)
      busy[u] += r.busy_cycles[u];
    const double pj = table.energy_pj(total);
    sentence_pj.push_back(pj);
    cycles.push_back(r.cycles);
    eval::SentenceResult s;
    s.index = int(i);
    s.ids = enc.ids;
    s.logits = r.logits;
    s.prediction = r.prediction;
    s.label = ex.label;
    s.score = ex.score;
    rep.sentences.push_back(s);
    const std::string label = ex.label >= 0 && size_t(ex.label) < m.labels.size()
                                  ? m.labels[size_t(ex.label)]
                                  : (ex.label >= 0 ? std::to_string(ex.label) : "-");
    const std::string pred = size_t(r.prediction) < m.labels.size()
                                 ? m.labels[size_t(r.prediction)]
                                 : std::to_string(r.prediction);
    if (!o.quiet)
      std::printf("%6zu %10s %10s %10llu %12.2f %12.2f\n", i, pred.c_str(), label.c_str(),
                  (unsigned long long)r.cycles, double(r.cycles) * us_per_cycle, pj / 1e3);
    csv << i << "," << csv_field(pred) << "," << csv_field(label) << "," << r.cycles << ","
        << double(r.cycles) * us_per_cycle << "," << pj << "," << (exact ? 1 : 0) << "\n";
    jsent.push_back({{"index", i},
                     {"prediction", r.prediction},
                     {"label", ex.label},
                     {"logits", r.logits},
                     {"cycles", r.cycles},
                     {"latency_us", double(r.cycles) * us_per_cycle},
                     {"energy_pj", pj},
                     {"bit_exact", exact},
                     {"truncated_tokens", enc.truncated_tokens}});
    bar.update(i + 1);
  }
  bar.finish();
  eval::compute_metrics(rep, m, task, examples);

  const double ns = double(examples.size());
  energy::EnergyCounters all = chip_events;
  for (const auto &c : per_task)
    all += c;
  std::map<std::string, double> by_op, by_layer, by_component;
  std::vector<std::string> op_order;
  for (size_t t = 0; t < mp.tasks.size(); ++t) {
    const mapping::Task &task_t = mp.tasks[t];
    const std::string op = task_t.op >= 0 ? m.ops[size_t(task_t.op)].name : "host";
    if (!by_op.count(op))
      op_order.push_back(op);
    const double e = table.energy_pj(per_task[t]) / ns;
    by_op[op] += e;
    by_layer[layer_of(op)] += e;
  }
  by_op["leakage"] += table.energy_pj(chip_events) / ns;
  op_order.push_back("leakage");
  by_layer["chip leakage"] += table.energy_pj(chip_events) / ns;
  const std::vector<energy::EventEnergy> events = table.breakdown(all);
  for (const auto &e : events)
    by_component[registry.info(e.event).component] += e.energy_pj / ns;
  double total_pj = 0;
  for (const auto &e : events)
    total_pj += e.energy_pj;
  total_pj /= ns;

  std::vector<uint64_t> sorted = cycles;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) {
    return sorted.empty() ? 0ull
                          : (unsigned long long)sorted[std::min(
                                sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5))];
  };
  double mean_cycles = 0;
  for (uint64_t c : cycles)
    mean_cycles += double(c) / ns;
  const double mean_us = mean_cycles * us_per_cycle;

  std::printf("\ngranita run: %s on '%s' (%dx%d mesh, %s), %zu sentences, energy table '%s' (%s)\n",
              m.name.c_str(), hw.name.c_str(), hw.mesh_x, hw.mesh_y, hw.encoding.c_str(),
              examples.size(), table.name().c_str(), table.technology().c_str());
  for (const auto &[k, v] : rep.metrics)
    std::printf("  %-12s %.4f\n", k.c_str(), v);
  if (!o.no_check)
    std::printf("  bit-exact    logits identical to the reference on all %zu sentences\n",
                examples.size());
  if (truncated)
    std::printf("  truncated    %zu of %zu sentences cut to max_seq_len %d\n", truncated,
                examples.size(), m.arch.max_seq_len);
  std::printf("  cycles       mean %.0f  p50 %llu  p99 %llu  (mean %.2f us at %d MHz)\n",
              mean_cycles, pct(0.5), pct(0.99), mean_us, hw.clock_mhz);
  std::printf("  energy       %.2f nJ per sentence, average power %.3f mW\n", total_pj / 1e3,
              mean_us > 0 ? total_pj / mean_us * 1e-3 : 0.0);
  std::printf("\n  %-28s %16s %12s %7s\n", "event", "count/sentence", "nJ/sentence", "share");
  for (const auto &e : events)
    if (e.count)
      std::printf("  %-28s %16.0f %12.3f %6.1f%%\n", e.name.c_str(), double(e.count) / ns,
                  e.energy_pj / ns / 1e3, total_pj > 0 ? 100.0 * e.energy_pj / ns / total_pj : 0);
  std::printf("\n  %-28s %12s\n", "component", "nJ/sentence");
  for (const auto &[k, v] : by_component)
    std::printf("  %-28s %12.3f\n", k.c_str(), v / 1e3);
  std::printf("\n  %-28s %12s\n", "layer", "nJ/sentence");
  for (const auto &[k, v] : by_layer)
    std::printf("  %-28s %12.3f\n", k.c_str(), v / 1e3);
  std::printf("\n  %-28s %12s\n", "op", "nJ/sentence");
  for (const auto &op : op_order)
    std::printf("  %-28s %12.3f\n", op.c_str(), by_op[op] / 1e3);
  const double cyc_all = mean_cycles * ns * double(simulator.chip().cores_powered());
  std::printf("\n  unit utilisation (busy / powered core-cycles): accumulate %.1f%%, neuron %.1f%%, "
              "ptsoftmax %.1f%%, bspn %.1f%%\n",
              cyc_all > 0 ? 100.0 * double(busy[0]) / cyc_all : 0,
              cyc_all > 0 ? 100.0 * double(busy[1]) / cyc_all : 0,
              cyc_all > 0 ? 100.0 * double(busy[2]) / cyc_all : 0,
              cyc_all > 0 ? 100.0 * double(busy[3]) / cyc_all : 0);

  if (!o.json_out.empty()) {
    nlohmann::json j;
    j["version"] = 1;
    j["model"] = m.name;
    j["hw"] = hw.name;
    j["mesh"] = {hw.mesh_x, hw.mesh_y};
    j["encoding"] = hw.encoding;
    j["energy_table"] = table.name();
    j["clock_mhz"] = hw.clock_mhz;
    j["cores_powered"] = simulator.chip().cores_powered();
    j["max_seq_len"] = m.arch.max_seq_len;
    j["truncated_sentences"] = truncated;
    j["sentences"] = jsent;
    for (const auto &[k, v] : rep.metrics)
      j["metrics"][k] = v;
    j["cycles"] = {{"mean", mean_cycles}, {"p50", pct(0.5)}, {"p99", pct(0.99)}};
    j["latency_us_mean"] = mean_us;
    j["energy_pj_per_sentence"] = total_pj;
    j["power_mw"] = mean_us > 0 ? total_pj / mean_us * 1e-3 : 0.0;
    for (const auto &e : events)
      j["events_per_sentence"][e.name] = {{"count", double(e.count) / ns},
                                          {"energy_pj", e.energy_pj / ns}};
    j["energy_pj_by_op"] = by_op;
    j["energy_pj_by_layer"] = by_layer;
    j["energy_pj_by_component"] = by_component;
    write_file_atomic(o.json_out, j.dump(2) + "\n");
  }
  if (!o.csv_out.empty())
    write_file_atomic(o.csv_out, csv.str());
  if (!o.trace.empty())
    write_file_atomic(o.trace, simulator.trace_json(trace_start));
  simulator.commit_vcd();
  return 0;
}

} // namespace granita::cli
