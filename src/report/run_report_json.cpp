// SPDX-License-Identifier: Apache-2.0
// The run report as versioned JSON (docs/report-format.md): written with raw counts, read back
// for --merge, --reprice and sweeps.
#include "src/report/report_names.h"
#include "src/report/run_report.h"

#include "src/util/error.h"

#include <algorithm>
#include <map>

namespace granita::report {

namespace {

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
  // Wall time: the chip is busy for a sentence's cycles plus its drain, and at least its ticks
  // on a tick-driven chip (docs/hw-config.md); power is energy over it.
  const double wall_us = p.wall_us_mean;
  j["wall_time_us_mean"] = wall_us;
  j["energy_pj_per_sentence"] = p.energy_pj;
  j["power_mw"] = wall_us > 0 ? p.energy_pj / wall_us * 1e-3 : 0.0;
  if (p.has_fixed_power)
    j["fixed_power"] = {{"mw", p.fixed_mw}, {"energy_pj_per_sentence", p.fixed_pj}};
  for (const energy::EventEnergy &e : p.events)
    j["events_per_sentence"][e.name] = {{"count", double(e.count) / ns},
                                        {"energy_pj", e.energy_pj / ns}};
  for (const auto &[k, v] : p.by_op)
    j["energy_pj_by_op"][k] = v;
  for (const auto &[k, v] : p.by_layer)
    j["energy_pj_by_layer"][k] = v;
  for (const auto &[k, v] : p.by_component)
    j["energy_pj_by_component"][k] = v;
  // Units keep working after the logits leave (the drain): busy cycles count them, so the
  // powered core-cycles do too (a unit is never more than 100% busy).
  const double core_cycles =
      (cycles_mean() * ns + double(drain_cycles_sum)) * double(cores_powered);
  for (size_t u = 0; u < 4; ++u)
    j["unit_utilization"][kUnitNames[u]] =
        core_cycles > 0 ? double(unit_busy_cycles[u]) / core_cycles : 0.0;
  // Timing views: latency per op and layer and the critical path, throughput, and per-core /
  // per-router load on the mesh.
  auto mean = [](uint64_t sum, uint64_t n) { return n ? double(sum) / double(n) : 0.0; };
  j["latency"] = latency_json();
  j["throughput"] = {{"drain_cycles_mean", mean(drain_cycles_sum, sentences.size())},
                     {"sentences_per_second", sentences_per_second()},
                     {"pipelined_sentences_per_second_bound", pipelined_sentences_per_second()}};
  j["mesh_load"] = nlohmann::json::array();
  const double sentence_cycles = cycles_mean() * ns + double(drain_cycles_sum);
  for (size_t c = 0; c < size_t(mesh_x * mesh_y); ++c) {
    nlohmann::json node = {{"core", c}, {"x", mesh_x ? int(c) % mesh_x : 0},
                           {"y", mesh_x ? int(c) / mesh_x : 0}};
    for (size_t u = 0; u < 4; ++u)
      node["utilization"][kUnitNames[u]] =
          c < core_busy.size() && sentence_cycles > 0 ? double(core_busy[c][u]) / sentence_cycles
                                                      : 0.0;
    uint64_t through = 0;
    for (size_t p = 0; c < router_flits.size() && p < 5; ++p) {
      through += router_flits[c][p];
      if (p > 0)
        node["link_flits_per_sentence"][kPortNames[p]] = double(router_flits[c][p]) / ns;
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
    nlohmann::json o = {{"index", s.index},
                        {"prediction", s.prediction},
                        {"prediction_name", label_name(s.prediction)},
                        {"label", s.label},
                        {"label_name", label_name(s.label)},
                        {"score", s.score},
                        {"logits", s.logits},
                        {"cycles", s.cycles},
                        {"drain_cycles", s.drain_cycles},
                        {"latency_us", double(s.cycles) * us_per_cycle},
                        {"energy_pj", p.sentence_pj[i]},
                        {"bit_exact", s.bit_exact},
                        {"truncated_tokens", s.truncated_tokens},
                        {"events", counts_json(s.events, reg)}};
    o["wall_time_us"] = wall_time_us(s);
    if (tick_driven())
      o["ticks"] = s.ticks;
    sj.push_back(std::move(o));
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
    s.drain_cycles = get<uint64_t>(sents[i], "drain_cycles", file, where);
    s.bit_exact = get<bool>(sents[i], "bit_exact", file, where);
    s.truncated_tokens = get<size_t>(sents[i], "truncated_tokens", file, where);
    s.events = counts_from(need(sents[i], "events", file, where), reg, file, where + ".events");
    if (r.tick_driven()) // the wall time of a tick-driven chip's sentence is its ticks'
      s.ticks = get<uint64_t>(sents[i], "ticks", file, where);
    r.sentences.push_back(std::move(s));
  }
  return r;
}


} // namespace granita::report
