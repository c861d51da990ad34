// SPDX-License-Identifier: Apache-2.0
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

namespace {

constexpr const char *kUnits[4] = {"accumulate", "neuron", "ptsoftmax", "bspn"};
constexpr const char *kPorts[5] = {"local", "north", "east", "south", "west"};

nlohmann::json counts_json(const energy::EnergyCounters &c, const energy::EventRegistry &reg) {
  nlohmann::json j = nlohmann::json::object();
  c.for_each([&](energy::Event e, uint64_t n) {
    if (n)
      j[reg.info(e).name()] = n;
  });
  return j;
}

energy::EnergyCounters counts_from(const nlohmann::json &j, const energy::EventRegistry &reg,
                                   const std::string &file, const std::string &where) {
  if (!j.is_object())
    throw InputError({file}, where, "expected an object of event counts");
  energy::EnergyCounters c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto e = reg.find(it.key());
    if (!e)
      throw InputError({file}, where + "." + it.key(), "unknown energy event");
    if (!it.value().is_number_unsigned())
      throw InputError({file}, where + "." + it.key(), "expected a count (unsigned integer)");
    c.add(*e, it.value().get<uint64_t>());
  }
  return c;
}

const nlohmann::json &need(const nlohmann::json &j, const char *key, const std::string &file,
                           const std::string &where) {
  if (!j.is_object() || !j.contains(key))
    throw InputError({file}, where.empty() ? key : where + "." + key, "missing");
  return j.at(key);
}

template <class T>
T get(const nlohmann::json &j, const char *key, const std::string &file,
      const std::string &where = "") {
  const nlohmann::json &v = need(j, key, file, where);
  try {
    return v.get<T>();
  } catch (const nlohmann::json::exception &) {
    throw InputError({file}, where.empty() ? key : where + "." + key, "has the wrong type");
  }
}

} // namespace

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
  return p;
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

nlohmann::json RunReport::to_json(const energy::EnergyTable &table) const {
  const PricedReport p = price(table);
  const energy::EventRegistry &reg = table.registry();
  const double ns = sentences.empty() ? 1.0 : double(sentences.size());
  const double us_per_cycle = clock_mhz > 0 ? 1.0 / clock_mhz : 0.0;
  const double mean_us = cycles_mean() * us_per_cycle;
  nlohmann::json j;
  j["version"] = kRunReportVersion;
  j["model"] = model;
  j["task"] = task;
  j["hw"] = hw;
  j["mesh"] = {mesh_x, mesh_y};
  j["encoding"] = encoding;
  j["energy_table"] = table.name();
  j["technology"] = table.technology();
  j["chip"] = chip.to_json();
  j["area_mm2"] = {{"core", p.core_area.total_mm2()}, {"chip", p.chip_area_mm2}};
  for (const auto &[block, mm2] : p.core_area.parts())
    j["area_mm2"]["core_by_block"][block] = mm2;
  j["clock_mhz"] = clock_mhz;
  j["cores_powered"] = cores_powered;
  j["max_seq_len"] = max_seq_len;
  j["checked"] = checked;
  j["labels"] = labels;
  j["metrics"] = nlohmann::json::object();
  for (const auto &[k, v] : metrics)
    j["metrics"][k] = v;
  j["truncated_sentences"] = truncated_sentences();
  j["cycles"] = {{"mean", cycles_mean()},
                 {"p50", cycles_percentile(0.5)},
                 {"p99", cycles_percentile(0.99)}};
  j["latency_us_mean"] = mean_us;
  j["energy_pj_per_sentence"] = p.energy_pj;
  j["power_mw"] = mean_us > 0 ? p.energy_pj / mean_us * 1e-3 : 0.0;
  for (const energy::EventEnergy &e : p.events)
    j["events_per_sentence"][e.name] = {{"count", double(e.count) / ns},
                                        {"energy_pj", e.energy_pj / ns}};
  for (const auto &[k, v] : p.by_op)
    j["energy_pj_by_op"][k] = v;
  for (const auto &[k, v] : p.by_layer)
    j["energy_pj_by_layer"][k] = v;
  for (const auto &[k, v] : p.by_component)
    j["energy_pj_by_component"][k] = v;
  const double core_cycles = cycles_mean() * ns * double(cores_powered);
  for (size_t u = 0; u < 4; ++u)
    j["unit_utilization"][kUnits[u]] =
        core_cycles > 0 ? double(unit_busy_cycles[u]) / core_cycles : 0.0;
  // Timing views: latency per op and layer and the critical path, throughput, and per-core /
  // per-router load on the mesh.
  auto mean = [](uint64_t sum, uint64_t n) { return n ? double(sum) / double(n) : 0.0; };
  j["latency"] = latency_json();
  j["throughput"] = {{"drain_cycles_mean", mean(drain_cycles_sum, sentences.size())},
                     {"sentences_per_second", sentences_per_second()},
                     {"pipelined_sentences_per_second_bound", pipelined_sentences_per_second()}};
  j["mesh_load"] = nlohmann::json::array();
  const double sentence_cycles = cycles_mean() * ns;
  for (size_t c = 0; c < size_t(mesh_x * mesh_y); ++c) {
    nlohmann::json node = {{"core", c}, {"x", mesh_x ? int(c) % mesh_x : 0},
                           {"y", mesh_x ? int(c) / mesh_x : 0}};
    for (size_t u = 0; u < 4; ++u)
      node["utilization"][kUnits[u]] =
          c < core_busy.size() && sentence_cycles > 0 ? double(core_busy[c][u]) / sentence_cycles
                                                      : 0.0;
    uint64_t through = 0;
    for (size_t p = 0; c < router_flits.size() && p < 5; ++p) {
      through += router_flits[c][p];
      if (p > 0)
        node["link_flits_per_sentence"][kPorts[p]] = double(router_flits[c][p]) / ns;
    }
    node["router_flits_per_sentence"] = double(through) / ns;
    j["mesh_load"].push_back(node);
  }
  nlohmann::json ops = nlohmann::json::array();
  for (size_t i = 0; i < op_names.size(); ++i) {
    nlohmann::json o = {{"name", op_names[i]},
                        {"layer", op_layers[i]},
                        {"events", counts_json(op_events[i], reg)}};
    if (i < op_runs.size())
      o["time"] = {op_start_sum[i], op_end_sum[i], op_runs[i]};
    if (i < op_inputs.size())
      o["inputs"] = op_inputs[i];
    ops.push_back(o);
  }
  j["counts"] = {{"ops", ops},
                 {"chip", counts_json(chip_events, reg)},
                 {"unit_busy_cycles", unit_busy_cycles},
                 {"output_op", output_op},
                 {"drain_cycles", drain_cycles_sum},
                 {"core_busy", core_busy},
                 {"router_flits", router_flits}};
  nlohmann::json sj = nlohmann::json::array();
  for (size_t i = 0; i < sentences.size(); ++i) {
    const SentenceRecord &s = sentences[i];
    sj.push_back({{"index", s.index},
                  {"prediction", s.prediction},
                  {"prediction_name", label_name(s.prediction)},
                  {"label", s.label},
                  {"label_name", label_name(s.label)},
                  {"score", s.score},
                  {"logits", s.logits},
                  {"cycles", s.cycles},
                  {"latency_us", double(s.cycles) * us_per_cycle},
                  {"energy_pj", p.sentence_pj[i]},
                  {"bit_exact", s.bit_exact},
                  {"truncated_tokens", s.truncated_tokens},
                  {"events", counts_json(s.events, reg)}});
  }
  j["sentences"] = sj;
  return j;
}

RunReport RunReport::from_json(const nlohmann::json &j, const std::string &file) {
  const int v = get<int>(j, "version", file);
  if (v != kRunReportVersion)
    throw InputError({file}, "version",
                     "run report version " + std::to_string(v) + " (this Granita reads " +
                         std::to_string(kRunReportVersion) +
                         "; rerun `granita run --json` to get one)");
  const energy::EventRegistry reg = energy::build_event_registry();
  RunReport r;
  r.model = get<std::string>(j, "model", file);
  r.task = get<std::string>(j, "task", file);
  r.hw = get<std::string>(j, "hw", file);
  r.encoding = get<std::string>(j, "encoding", file);
  r.chip = energy::ChipShape::from_json(need(j, "chip", file, ""), file);
  const auto mesh = get<std::vector<int>>(j, "mesh", file);
  if (mesh.size() != 2)
    throw InputError({file}, "mesh", "expected [x, y]");
  r.mesh_x = mesh[0];
  r.mesh_y = mesh[1];
  r.clock_mhz = get<int>(j, "clock_mhz", file);
  r.cores_powered = get<int>(j, "cores_powered", file);
  r.max_seq_len = get<int>(j, "max_seq_len", file);
  r.checked = get<bool>(j, "checked", file);
  r.labels = get<std::vector<std::string>>(j, "labels", file);
  for (auto it = need(j, "metrics", file, "").begin(); it != j["metrics"].end(); ++it)
    r.metrics.emplace_back(it.key(), it.value().get<double>());
  const nlohmann::json &counts = need(j, "counts", file, "");
  const nlohmann::json &ops = need(counts, "ops", file, "counts");
  if (!ops.is_array())
    throw InputError({file}, "counts.ops", "expected a list");
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string where = "counts.ops[" + std::to_string(i) + "]";
    r.op_names.push_back(get<std::string>(ops[i], "name", file, where));
    r.op_layers.push_back(get<std::string>(ops[i], "layer", file, where));
    r.op_events.push_back(counts_from(need(ops[i], "events", file, where), reg, file,
                                      where + ".events"));
    if (ops[i].contains("time")) {
      const auto t = get<std::vector<uint64_t>>(ops[i], "time", file, where);
      if (t.size() != 3)
        throw InputError({file}, where + ".time", "expected [start sum, end sum, runs]");
      r.op_start_sum.push_back(t[0]);
      r.op_end_sum.push_back(t[1]);
      r.op_runs.push_back(t[2]);
      r.op_inputs.push_back(get<std::vector<int>>(ops[i], "inputs", file, where));
      for (int in : r.op_inputs.back())
        if (in < 0 || size_t(in) >= ops.size())
          throw InputError({file}, where + ".inputs", "input op index out of range");
    }
  }
  r.output_op = get<int>(counts, "output_op", file, "counts");
  if (r.output_op < -1 || r.output_op >= int(r.op_inputs.size()))
    throw InputError({file}, "counts.output_op", "not an op index");
  r.drain_cycles_sum = get<uint64_t>(counts, "drain_cycles", file, "counts");
  r.core_busy = get<std::vector<std::array<uint64_t, 4>>>(counts, "core_busy", file, "counts");
  r.router_flits =
      get<std::vector<std::array<uint64_t, 5>>>(counts, "router_flits", file, "counts");
  r.chip_events = counts_from(need(counts, "chip", file, "counts"), reg, file, "counts.chip");
  const auto busy = get<std::vector<uint64_t>>(counts, "unit_busy_cycles", file, "counts");
  if (busy.size() != 4)
    throw InputError({file}, "counts.unit_busy_cycles", "expected 4 counts");
  std::copy(busy.begin(), busy.end(), r.unit_busy_cycles.begin());
  const nlohmann::json &sents = need(j, "sentences", file, "");
  for (size_t i = 0; i < sents.size(); ++i) {
    const std::string where = "sentences[" + std::to_string(i) + "]";
    SentenceRecord s;
    s.index = get<int>(sents[i], "index", file, where);
    s.prediction = get<int>(sents[i], "prediction", file, where);
    s.label = get<int>(sents[i], "label", file, where);
    s.score = get<double>(sents[i], "score", file, where);
    s.logits = get<std::vector<int64_t>>(sents[i], "logits", file, where);
    s.cycles = get<uint64_t>(sents[i], "cycles", file, where);
    s.bit_exact = get<bool>(sents[i], "bit_exact", file, where);
    s.truncated_tokens = get<size_t>(sents[i], "truncated_tokens", file, where);
    s.events = counts_from(need(sents[i], "events", file, where), reg, file, where + ".events");
    r.sentences.push_back(std::move(s));
  }
  return r;
}

std::string RunReport::to_text(const energy::EnergyTable &table) const {
  const PricedReport p = price(table);
  const double ns = sentences.empty() ? 1.0 : double(sentences.size());
  const double mean_us = clock_mhz > 0 ? cycles_mean() / clock_mhz : 0.0;
  std::ostringstream os;
  char b[512];
  std::snprintf(b, sizeof b, "\ngranita run: %s on '%s' (%dx%d mesh, %s), %zu sentences, energy "
                             "table '%s' (%s)\n",
                model.c_str(), hw.c_str(), mesh_x, mesh_y, encoding.c_str(), sentences.size(),
                table.name().c_str(), table.technology().c_str());
  os << b;
  for (const auto &[k, v] : metrics) {
    std::snprintf(b, sizeof b, "  %-12s %.4f\n", k.c_str(), v);
    os << b;
  }
  if (checked) {
    std::snprintf(b, sizeof b, "  bit-exact    logits identical to the reference on all %zu "
                               "sentences\n",
                  sentences.size());
    os << b;
  }
  if (const size_t t = truncated_sentences()) {
    std::snprintf(b, sizeof b, "  truncated    %zu of %zu sentences cut to max_seq_len %d\n", t,
                  sentences.size(), max_seq_len);
    os << b;
  }
  std::snprintf(b, sizeof b, "  cycles       mean %.0f  p50 %llu  p99 %llu  (mean %.2f us at %d "
                             "MHz)\n",
                cycles_mean(), (unsigned long long)cycles_percentile(0.5),
                (unsigned long long)cycles_percentile(0.99), mean_us, clock_mhz);
  os << b;
  std::snprintf(b, sizeof b, "  energy       %.2f nJ per sentence, average power %.3f mW\n",
                p.energy_pj / 1e3, mean_us > 0 ? p.energy_pj / mean_us * 1e-3 : 0.0);
  os << b;
  std::snprintf(b, sizeof b, "  area         %.3f mm2 per core, %.2f mm2 for the %d cores of the "
                             "mesh\n            ",
                p.core_area.total_mm2(), p.chip_area_mm2, chip.cores());
  os << b;
  for (const auto &[block, mm2] : p.core_area.parts()) {
    std::snprintf(b, sizeof b, " %s %.4f", block.c_str(), mm2);
    os << b;
  }
  os << " (mm2 per core)\n";
  std::snprintf(b, sizeof b, "\n  %-28s %16s %12s %7s\n", "event", "count/sentence",
                "nJ/sentence", "share");
  os << b;
  for (const energy::EventEnergy &e : p.events)
    if (e.count) {
      std::snprintf(b, sizeof b, "  %-28s %16.0f %12.3f %6.1f%%\n", e.name.c_str(),
                    double(e.count) / ns, e.energy_pj / ns / 1e3,
                    p.energy_pj > 0 ? 100.0 * e.energy_pj / ns / p.energy_pj : 0);
      os << b;
    }
  auto table_of = [&](const char *title, const std::vector<std::pair<std::string, double>> &rows) {
    std::snprintf(b, sizeof b, "\n  %-28s %12s\n", title, "nJ/sentence");
    os << b;
    for (const auto &[k, v] : rows) {
      std::snprintf(b, sizeof b, "  %-28s %12.3f\n", k.c_str(), v / 1e3);
      os << b;
    }
  };
  table_of("component", p.by_component);
  table_of("layer", p.by_layer);
  table_of("op", p.by_op);
  const double core_cycles = cycles_mean() * ns * double(cores_powered);
  // Latency per layer and the critical path (mean first start / last end of each op).
  const nlohmann::json lat = latency_json(); // no second pricing of the whole report
  if (lat.contains("by_layer")) {
    std::snprintf(b, sizeof b, "\n  %-28s %12s %12s %12s\n", "latency by layer", "start",
                  "end", "span");
    os << b;
    for (auto it = lat["by_layer"].begin(); it != lat["by_layer"].end(); ++it) {
      std::snprintf(b, sizeof b, "  %-28s %12.0f %12.0f %12.0f\n", it.key().c_str(),
                    it.value()["start"].get<double>(), it.value()["end"].get<double>(),
                    it.value()["span"].get<double>());
      os << b;
    }
    os << "\n  critical path (each op's input that finished last), cycles:\n";
    for (const auto &op : lat["critical_path"]) {
      const auto &t = lat["by_op"].at(op.get<std::string>());
      std::snprintf(b, sizeof b, "    %-26s %12.0f %12.0f\n", op.get<std::string>().c_str(),
                    t["start"].get<double>(), t["end"].get<double>());
      os << b;
    }
  }
  // The busiest links (a node's outgoing port towards a neighbour, or the host).
  std::vector<std::tuple<uint64_t, size_t, size_t>> links;
  for (size_t c = 0; c < router_flits.size(); ++c)
    for (size_t p = 1; p < 5; ++p)
      if (router_flits[c][p])
        links.emplace_back(router_flits[c][p], c, p);
  std::sort(links.begin(), links.end(), [](const auto &a, const auto &b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : a < b;
  });
  if (!links.empty()) {
    os << "\n  busiest links (flits per sentence):";
    for (size_t k = 0; k < links.size() && k < 5; ++k) {
      const auto [f, c, port] = links[k];
      std::snprintf(b, sizeof b, "%s (%d,%d) %s %.0f", k ? "," : "",
                    mesh_x ? int(c) % mesh_x : 0, mesh_x ? int(c) / mesh_x : 0, kPorts[port],
                    double(f) / ns);
      os << b;
    }
    os << "\n";
  }
  std::snprintf(b, sizeof b, "\n  throughput   %.1f sentences/s one after another (drain %.0f "
                             "cycles after the logits); pipelined bound %.1f sentences/s\n",
                sentences_per_second(),
                sentences.empty() ? 0.0 : double(drain_cycles_sum) / ns,
                pipelined_sentences_per_second());
  os << b;
  os << "\n  unit utilisation (busy / powered core-cycles):";
  for (size_t u = 0; u < 4; ++u) {
    std::snprintf(b, sizeof b, "%s %s %.1f%%", u ? "," : "", kUnits[u],
                  core_cycles > 0 ? 100.0 * double(unit_busy_cycles[u]) / core_cycles : 0);
    os << b;
  }
  os << "\n";
  return os.str();
}

std::string RunReport::to_csv(const energy::EnergyTable &table) const {
  const PricedReport p = price(table);
  const double us_per_cycle = clock_mhz > 0 ? 1.0 / clock_mhz : 0.0;
  std::ostringstream csv;
  csv << "index,prediction,prediction_name,label,label_name,cycles,latency_us,energy_pj,"
         "bit_exact,truncated_tokens\n";
  for (size_t i = 0; i < sentences.size(); ++i) {
    const SentenceRecord &s = sentences[i];
    csv << s.index << "," << s.prediction << "," << csv_field(label_name(s.prediction)) << ","
        << s.label << "," << csv_field(label_name(s.label)) << "," << s.cycles << ","
        << double(s.cycles) * us_per_cycle << "," << p.sentence_pj[i] << ","
        << (s.bit_exact ? 1 : 0) << "," << s.truncated_tokens << "\n";
  }
  return csv.str();
}

} // namespace granita::report
