// SPDX-License-Identifier: Apache-2.0
// The run report: built from a run, merged across shards, priced, and its views (latency, the
// critical path, throughput). JSON I/O is in run_report_json.cpp, text and CSV in
// run_report_text.cpp.
#include "src/report/run_report.h"

#include "src/model/sorbet_model.h"
#include "src/util/error.h"
#include "src/util/strings.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

namespace granita::report {

std::vector<std::string> op_layers(const model::SorbetModel &m) {
  std::vector<std::string> out(m.ops.size());
  size_t first_fire = m.ops.size(), cls = m.ops.size();
  for (size_t i = 0; i < m.ops.size(); ++i) {
    if (m.ops[i].type == model::OpType::Fire && first_fire == m.ops.size())
      first_fire = i;
    if (m.ops[i].type == model::OpType::SelectCls && cls == m.ops.size())
      cls = i;
  }
  int residuals = 0; // residual adds before op i
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const model::OpType t = m.ops[i].type;
    if (i < first_fire)
      out[i] = "embedding";
    else if (i >= cls)
      out[i] = "pooler+classifier";
    else // a BSPN closes the half-layer of the residual add before it
      out[i] = "layer " + std::to_string(t == model::OpType::Bspn ? (residuals - 1) / 2
                                                                 : residuals / 2);
    if (t == model::OpType::ResidualAdd)
      ++residuals;
  }
  return out;
}

RunReport RunReport::for_model(const model::SorbetModel &m) {
  RunReport r;
  r.model = m.name;
  r.task = m.task;
  r.labels = m.labels;
  r.max_seq_len = m.arch.max_seq_len;
  for (const model::Op &op : m.ops)
    r.op_names.push_back(op.name);
  r.op_layers = report::op_layers(m);
  r.op_names.push_back("host");
  r.op_layers.push_back("host");
  r.op_events.assign(r.op_names.size(), {});
  for (const model::Op &op : m.ops) {
    std::vector<int> ins;
    for (int i : op.inputs)
      if (i >= 0)
        ins.push_back(i);
    r.op_inputs.push_back(ins);
  }
  r.output_op = m.output;
  r.op_start_sum.assign(m.ops.size(), 0);
  r.op_end_sum.assign(m.ops.size(), 0);
  r.op_runs.assign(m.ops.size(), 0);
  return r;
}

void RunReport::add_op_spans(const std::vector<std::pair<uint64_t, uint64_t>> &spans) {
  for (size_t i = 0; i < spans.size() && i < op_runs.size(); ++i)
    if (spans[i].first != UINT64_MAX) {
      op_start_sum[i] += spans[i].first;
      op_end_sum[i] += spans[i].second;
      ++op_runs[i];
    }
}

std::vector<int> RunReport::critical_path() const {
  std::vector<int> path;
  auto mean = [&](const std::vector<uint64_t> &sum, int op) {
    return op_runs[size_t(op)] ? double(sum[size_t(op)]) / double(op_runs[size_t(op)]) : -1.0;
  };
  // An op's end is its last job over all tokens; what held its consumer back is what the input
  // delivered before the consumer's first job could start: the end clipped at that start.
  // Ops that ran on no core (the host's embedding) end the walk.
  for (int op = output_op; op >= 0 && op_runs[size_t(op)] > 0;) {
    path.push_back(op);
    const double start = mean(op_start_sum, op);
    int next = -1;
    double best = -2;
    for (int in : op_inputs[size_t(op)]) {
      const double d = std::min(mean(op_end_sum, in), start);
      if (d > best || (d == best && mean(op_end_sum, in) > mean(op_end_sum, next))) {
        best = d;
        next = in;
      }
    }
    op = next;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

double RunReport::sentences_per_second() const {
  if (sentences.empty() || clock_mhz <= 0)
    return 0;
  const double per = cycles_mean() + double(drain_cycles_sum) / double(sentences.size());
  if (tick_driven()) { // a sentence lasts its ticks (its wall time), or its cycles if longer
    double wall_us = 0;
    for (const SentenceRecord &s : sentences)
      wall_us += wall_time_us(s) / double(sentences.size());
    const double us = std::max(wall_us, per / clock_mhz);
    return us > 0 ? 1e6 / us : 0;
  }
  return per > 0 ? double(clock_mhz) * 1e6 / per : 0;
}

double RunReport::pipelined_sentences_per_second() const {
  uint64_t worst = 0;
  for (const auto &c : core_busy)
    for (uint64_t b : c)
      worst = std::max(worst, b);
  if (worst == 0 || clock_mhz <= 0)
    return 0;
  return double(clock_mhz) * 1e6 / (double(worst) / double(sentences.size()));
}

void RunReport::merge(const RunReport &s) {
  GRANITA_ASSERT(s.op_names == op_names, "merging reports of different models");
  for (size_t i = 0; i < op_events.size(); ++i)
    op_events[i] += s.op_events[i];
  chip_events += s.chip_events;
  for (size_t u = 0; u < unit_busy_cycles.size(); ++u)
    unit_busy_cycles[u] += s.unit_busy_cycles[u];
  checked = checked && s.checked;
  for (size_t i = 0; i < op_runs.size() && i < s.op_runs.size(); ++i) {
    op_start_sum[i] += s.op_start_sum[i];
    op_end_sum[i] += s.op_end_sum[i];
    op_runs[i] += s.op_runs[i];
  }
  drain_cycles_sum += s.drain_cycles_sum;
  if (core_busy.size() < s.core_busy.size())
    core_busy.resize(s.core_busy.size());
  for (size_t c = 0; c < s.core_busy.size(); ++c)
    for (size_t u = 0; u < 4; ++u)
      core_busy[c][u] += s.core_busy[c][u];
  if (router_flits.size() < s.router_flits.size())
    router_flits.resize(s.router_flits.size());
  for (size_t k = 0; k < s.router_flits.size(); ++k)
    for (size_t p = 0; p < 5; ++p)
      router_flits[k][p] += s.router_flits[k][p];
  sentences.insert(sentences.end(), s.sentences.begin(), s.sentences.end());
  std::sort(sentences.begin(), sentences.end(),
            [](const SentenceRecord &a, const SentenceRecord &b) { return a.index < b.index; });
}

size_t RunReport::truncated_sentences() const {
  return size_t(std::count_if(sentences.begin(), sentences.end(),
                              [](const SentenceRecord &s) { return s.truncated_tokens > 0; }));
}

double RunReport::cycles_mean() const {
  double m = 0;
  for (const SentenceRecord &s : sentences)
    m += double(s.cycles) / double(sentences.size());
  return m;
}

uint64_t RunReport::cycles_percentile(double p) const {
  if (sentences.empty())
    return 0;
  std::vector<uint64_t> c;
  for (const SentenceRecord &s : sentences)
    c.push_back(s.cycles);
  std::sort(c.begin(), c.end());
  return c[std::min(c.size() - 1, size_t(p * double(c.size() - 1) + 0.5))];
}

std::string RunReport::label_name(int i) const {
  if (i < 0)
    return "-";
  return size_t(i) < labels.size() ? labels[size_t(i)] : std::to_string(i);
}

PricedReport RunReport::price(const energy::EnergyTable &quoted) const {
  // Prices follow this run's chip (widths, sizes, clock): scale the table's quoted prices once.
  const energy::EnergyTable table = quoted.for_chip(chip);
  PricedReport p;
  p.core_area = table.core_area(chip);
  p.chip_area_mm2 = p.core_area.total_mm2() * chip.cores();
  const double ns = sentences.empty() ? 1.0 : double(sentences.size());
  energy::EnergyCounters all = chip_events;
  std::vector<std::string> layer_order;
  std::map<std::string, double> layer_pj;
  for (size_t i = 0; i < op_names.size(); ++i) {
    all += op_events[i];
    const double e = table.energy_pj(op_events[i]) / ns;
    p.by_op.emplace_back(op_names[i], e);
    if (!layer_pj.count(op_layers[i]))
      layer_order.push_back(op_layers[i]);
    layer_pj[op_layers[i]] += e;
  }
  const double leak = table.energy_pj(chip_events) / ns;
  p.by_op.emplace_back("leakage", leak);
  layer_order.push_back("chip leakage");
  layer_pj["chip leakage"] += leak;
  for (const std::string &l : layer_order)
    p.by_layer.emplace_back(l, layer_pj[l]);
  p.events = table.breakdown(all);
  std::map<std::string, double> comp;
  for (const energy::EventEnergy &e : p.events)
    comp[table.registry().info(e.event).component] += e.energy_pj / ns;
  for (const std::string &c : table.registry().components())
    p.by_component.emplace_back(c, comp[c]);
  for (const energy::EventEnergy &e : p.events)
    p.energy_pj += e.energy_pj / ns;
  for (const SentenceRecord &s : sentences)
    p.sentence_pj.push_back(table.energy_pj(s.events));
  for (const SentenceRecord &s : sentences)
    p.wall_us_mean += wall_time_us(s) / ns;
  // Fixed power is priced over wall time, not per event: its own line in every view.
  if (table.fixed_power()) {
    p.has_fixed_power = true;
    p.fixed_mw = table.fixed_power_mw();
    for (size_t i = 0; i < sentences.size(); ++i) {
      const double pj = p.fixed_mw * wall_time_us(sentences[i]) * 1e3; // mW × us = nJ
      p.sentence_fixed_pj.push_back(pj);
      p.sentence_pj[i] += pj;
      p.fixed_pj += pj / ns;
    }
    p.by_op.emplace_back("fixed", p.fixed_pj);
    p.by_layer.emplace_back("chip fixed", p.fixed_pj);
    p.by_component.emplace_back("fixed", p.fixed_pj);
    p.energy_pj += p.fixed_pj;
  }
  return p;
}

double RunReport::sentence_wall_time_us(uint64_t cycles, uint64_t ticks, int clock_mhz,
                                        int tick_hz) {
  const double cycles_us = clock_mhz > 0 ? double(cycles) / clock_mhz : 0.0;
  // A tick does not end before its work does, nor before its period is over.
  return tick_hz > 0 ? std::max(cycles_us, double(ticks) * 1e6 / tick_hz) : cycles_us;
}

size_t RunReport::sentences_behind_tick() const {
  if (!tick_driven())
    return 0;
  return size_t(std::count_if(sentences.begin(), sentences.end(), [&](const SentenceRecord &s) {
    return double(s.cycles + s.drain_cycles) / clock_mhz > double(s.ticks) * 1e6 / chip.tick_hz;
  }));
}

nlohmann::json RunReport::latency_json() const {
  // Per op and layer: mean first job start / last job end, cycles from the sentence's start.
  auto mean = [](uint64_t sum, uint64_t n) { return n ? double(sum) / double(n) : 0.0; };
  nlohmann::json lat = nlohmann::json::object();
  std::map<std::string, std::pair<double, double>> layer_span;
  std::vector<std::string> layer_order;
  for (size_t i = 0; i < op_runs.size(); ++i) {
    if (!op_runs[i])
      continue;
    const double s0 = mean(op_start_sum[i], op_runs[i]), s1 = mean(op_end_sum[i], op_runs[i]);
    lat["by_op"][op_names[i]] = {{"start", s0}, {"end", s1}, {"span", s1 - s0}};
    auto it = layer_span.find(op_layers[i]);
    if (it == layer_span.end()) {
      layer_order.push_back(op_layers[i]);
      layer_span[op_layers[i]] = {s0, s1};
    } else {
      it->second = {std::min(it->second.first, s0), std::max(it->second.second, s1)};
    }
  }
  for (const std::string &l : layer_order)
    lat["by_layer"][l] = {{"start", layer_span[l].first},
                          {"end", layer_span[l].second},
                          {"span", layer_span[l].second - layer_span[l].first}};
  lat["critical_path"] = nlohmann::json::array();
  for (int op : critical_path())
    lat["critical_path"].push_back(op_names[size_t(op)]);
  return lat;
}


} // namespace granita::report
