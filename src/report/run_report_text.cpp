// SPDX-License-Identifier: Apache-2.0
// The run report as the text `granita run` prints and as per-sentence CSV rows.
#include "src/report/report_names.h"
#include "src/report/run_report.h"

#include "src/util/strings.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

namespace granita::report {

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
  // Wall time: the chip is busy for a sentence's cycles plus its drain, and at least its ticks
  // on a tick-driven chip (docs/hw-config.md); power is energy over it.
  const double wall_us = p.wall_us_mean;
  if (!tick_driven()) {
    std::snprintf(b, sizeof b, "  wall time    mean %.2f us per sentence (latency + drain)\n",
                  wall_us);
    os << b;
  } else {
    uint64_t ticks = 0;
    for (const SentenceRecord &s : sentences)
      ticks += s.ticks;
    std::snprintf(b, sizeof b, "  wall time    mean %.2f us per sentence: %.1f ticks at %d Hz "
                               "(the chip's real-time tick)\n",
                  wall_us, double(ticks) / ns, chip.tick_hz);
    os << b;
    if (const size_t behind = sentences_behind_tick()) {
      std::snprintf(b, sizeof b, "  warning      %zu of %zu sentences take more cycles than their "
                                 "ticks last: the chip would fall behind its real-time tick "
                                 "(their wall time is (cycles + drain) / clock)\n",
                    behind, sentences.size());
      os << b;
    }
  }
  std::snprintf(b, sizeof b, "  energy       %.2f nJ per sentence, average power %.3f mW\n",
                p.energy_pj / 1e3, wall_us > 0 ? p.energy_pj / wall_us * 1e-3 : 0.0);
  os << b;
  if (p.has_fixed_power) {
    std::snprintf(b, sizeof b, "  fixed power  %.3f mW x wall time = %.2f nJ per sentence (%.1f%% "
                               "of the energy)\n",
                  p.fixed_mw, p.fixed_pj / 1e3,
                  p.energy_pj > 0 ? 100.0 * p.fixed_pj / p.energy_pj : 0.0);
    os << b;
  }
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
  if (p.has_fixed_power) { // not an event: power × wall time
    std::snprintf(b, sizeof b, "  %-28s %16s %12.3f %6.1f%%\n", "fixed power (x wall time)", "-",
                  p.fixed_pj / 1e3, p.energy_pj > 0 ? 100.0 * p.fixed_pj / p.energy_pj : 0);
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
  // Units keep working after the logits leave (the drain): busy cycles count them, so the
  // powered core-cycles do too (a unit is never more than 100% busy).
  const double core_cycles =
      (cycles_mean() * ns + double(drain_cycles_sum)) * double(cores_powered);
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
                    mesh_x ? int(c) % mesh_x : 0, mesh_x ? int(c) / mesh_x : 0, kPortNames[port],
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
    std::snprintf(b, sizeof b, "%s %s %.1f%%", u ? "," : "", kUnitNames[u],
                  core_cycles > 0 ? 100.0 * double(unit_busy_cycles[u]) / core_cycles : 0);
    os << b;
  }
  os << "\n";
  return os.str();
}

std::string RunReport::to_csv(const energy::EnergyTable &table) const {
  const PricedReport p = price(table);
  const double us_per_cycle = clock_mhz > 0 ? 1.0 / clock_mhz : 0.0;
  // The static columns only where they say something: a tick or a table with fixed power.
  const bool statics = tick_driven() || p.has_fixed_power;
  std::ostringstream csv;
  csv << "index,prediction,prediction_name,label,label_name,cycles,latency_us,energy_pj,"
         "bit_exact,truncated_tokens"
      << (statics ? ",wall_time_us,fixed_energy_pj" : "") << "\n";
  for (size_t i = 0; i < sentences.size(); ++i) {
    const SentenceRecord &s = sentences[i];
    csv << s.index << "," << s.prediction << "," << csv_field(label_name(s.prediction)) << ","
        << s.label << "," << csv_field(label_name(s.label)) << "," << s.cycles << ","
        << double(s.cycles) * us_per_cycle << "," << p.sentence_pj[i] << ","
        << (s.bit_exact ? 1 : 0) << "," << s.truncated_tokens;
    if (statics)
      csv << "," << wall_time_us(s) << "," << (p.has_fixed_power ? p.sentence_fixed_pj[i] : 0.0);
    csv << "\n";
  }
  return csv.str();
}


} // namespace granita::report
