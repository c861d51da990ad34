// SPDX-License-Identifier: Apache-2.0
// The run report type: layers from the graph, pricing by hand, JSON round trip, shard merging.
#include "src/model/sorbet_model.h"
#include "src/report/run_report.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace granita::report {
namespace {

using energy::Event;

const std::filesystem::path kSource = GRANITA_SOURCE_DIR;

// Prices chosen so that every sum below is exact in binary: row_read 2, synop 0.5, link 0.25,
// leak 1; everything else 0.
const char *kTable = R"(version: 2
name: t
technology: test
source: hand-made prices
events:
  crossbar: {row_read: 2}
  accumulate: {synop: 0.5, add: 0, shift: 0}
  neuron: {update: 0, spike: 0}
  ptsoftmax: {shift: 0, add: 0, compare: 0}
  bspn: {shift: 0, add: 0, compare: 0}
  sram: {read_bit: 0, write_bit: 0}
  router: {buffer_write_bit: 0, buffer_read_bit: 0, switch_bit: 0, route: 0}
  link: {bit: 0.25}
  core: {leak_cycle: 1}
scaling:
  crossbar_cols: 256
  sram_bank_kib: 8
  leakage: {per: core, clock_mhz: 500}
area: {crossbar_um2_per_bit: 1, sram_um2_per_bit: 1, register_um2_per_bit: 1, mux_um2_per_bit: 1,
       accumulate_lane_um2: 1, neuron_lane_um2: 1, ptsoftmax_lane_um2: 1, bspn_lane_um2: 1}
)";

RunReport two_op_report() {
  RunReport r;
  r.model = "m";
  r.task = "SST-2";
  r.hw = "h";
  r.encoding = "rate";
  r.mesh_x = 2;
  r.mesh_y = 1;
  r.clock_mhz = 500;
  r.cores_powered = 2;
  r.max_seq_len = 8;
  r.labels = {"negative", "positive"};
  r.op_names = {"a", "b", "host"};
  r.op_layers = {"embedding", "layer 0", "host"};
  r.op_events.assign(3, {});
  return r;
}

SentenceRecord sentence(int index, uint64_t cycles, uint64_t rows, uint64_t leak) {
  SentenceRecord s;
  s.index = index;
  s.prediction = index % 2;
  s.label = 1;
  s.logits = {int64_t(index), -int64_t(index)};
  s.cycles = cycles;
  s.bit_exact = true;
  s.events.add(Event::CrossbarRowRead, rows);
  s.events.add(Event::CoreLeakCycle, leak);
  return s;
}

TEST(RunReport, LayersComeFromTheGraph) {
  // The shipped model names its ops layers.N.*: an independent way to know their layer.
  const model::SorbetModel m = model::load_package(kSource / "models" / "sst2-sorbet");
  const std::vector<std::string> layers = op_layers(m);
  ASSERT_EQ(layers.size(), m.ops.size());
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const std::string &n = m.ops[i].name;
    SCOPED_TRACE(n);
    if (n.rfind("layers.", 0) == 0)
      EXPECT_EQ(layers[i], "layer " + n.substr(7, n.find('.', 7) - 7));
    else if (n.rfind("embed", 0) == 0)
      EXPECT_EQ(layers[i], "embedding");
    else
      EXPECT_EQ(layers[i], "pooler+classifier");
  }
}

TEST(RunReport, PricesByOpLayerComponentAndSentence) {
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  RunReport r = two_op_report();
  // Two sentences: op a reads 10 rows (20 pJ), op b does 8 synops (4 pJ) and the chip leaks 6
  // core-cycles (6 pJ): 30 pJ in all, 15 per sentence.
  r.op_events[0].add(Event::CrossbarRowRead, 10);
  r.op_events[1].add(Event::AccumulateSynop, 8);
  r.chip_events.add(Event::CoreLeakCycle, 6);
  r.sentences = {sentence(0, 100, 4, 2), sentence(1, 300, 6, 4)};
  const PricedReport p = r.price(t);
  EXPECT_DOUBLE_EQ(p.energy_pj, 15.0);
  ASSERT_EQ(p.by_op.size(), 4u); // a, b, host, leakage
  EXPECT_EQ(p.by_op[0], std::make_pair(std::string("a"), 10.0));
  EXPECT_EQ(p.by_op[1], std::make_pair(std::string("b"), 2.0));
  EXPECT_EQ(p.by_op[3], std::make_pair(std::string("leakage"), 3.0));
  ASSERT_EQ(p.by_layer.size(), 4u); // embedding, layer 0, host, chip leakage
  EXPECT_DOUBLE_EQ(p.by_layer[1].second, 2.0);
  EXPECT_DOUBLE_EQ(p.sentence_pj[0], 8.0 + 2.0);  // 4 rows × 2 + 2 leak cycles × 1
  EXPECT_DOUBLE_EQ(p.sentence_pj[1], 12.0 + 4.0);
  double components = 0;
  for (const auto &[c, v] : p.by_component)
    components += v;
  EXPECT_DOUBLE_EQ(components, 15.0);
  EXPECT_DOUBLE_EQ(r.cycles_mean(), 200.0);
  EXPECT_EQ(r.cycles_percentile(0.0), 100u);
  EXPECT_EQ(r.cycles_percentile(1.0), 300u);
  // 200 cycles × 2 cores × 2 sentences = 800 core-cycles; 200 accumulate-busy = 25%.
  r.unit_busy_cycles = {200, 0, 0, 0};
  EXPECT_DOUBLE_EQ(r.to_json(t)["unit_utilization"]["accumulate"].get<double>(), 0.25);
  // Units that work on after the logits (a drain of 600 cycles over the two sentences) are
  // busy in powered core-cycles too: (400 + 600) × 2 = 2000; 1600 busy = 80%, not 200%.
  r.drain_cycles_sum = 600;
  r.unit_busy_cycles = {1600, 0, 0, 0};
  EXPECT_DOUBLE_EQ(r.to_json(t)["unit_utilization"]["accumulate"].get<double>(), 0.8);
}

TEST(RunReport, PricesFollowTheRunsChipAndTheAreaIsReported) {
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  RunReport r = two_op_report();
  r.op_events[0].add(Event::CrossbarRowRead, 10);
  r.sentences = {sentence(0, 100, 4, 2), sentence(1, 300, 6, 4)};
  EXPECT_DOUBLE_EQ(r.price(t).energy_pj, 10.0); // 10 rows × 2 pJ (256 columns) / 2 sentences
  r.chip.crossbar_cols = 128;                   // the table quotes 256 columns: 1 pJ a row
  EXPECT_DOUBLE_EQ(r.price(t).energy_pj, 5.0);
  // kTable's densities are all 1 (µm² per bit or per lane): the default core has 4 × 256 × 128
  // crossbar cells, 64 × 8192 SRAM bits, 5 × 2 × 4 × 64 buffer + 25 × 64 switch bits, and
  // 64 + 16 + 8 + 8 lanes.
  const double core_um2 = 4 * 256 * 128 + 64 * 8192 + 5 * 2 * 4 * 64 + 25 * 64 + 64 + 16 + 8 + 8;
  const nlohmann::json j = r.to_json(t);
  EXPECT_NEAR(j["area_mm2"]["core"].get<double>(), core_um2 / 1e6, 1e-12);
  EXPECT_NEAR(j["area_mm2"]["chip"].get<double>(), 64 * core_um2 / 1e6, 1e-12);
  EXPECT_EQ(j["chip"]["crossbar_cols"], 128);
  EXPECT_EQ(RunReport::from_json(j, "r.json").chip, r.chip);
  EXPECT_NE(r.to_text(t).find("area "), std::string::npos);
}

TEST(RunReport, JsonKeepsEveryCountAndLabelNamesMatchTheCsv) {
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  RunReport r = two_op_report();
  r.op_events[1].add(Event::AccumulateSynop, 8);
  r.op_events[2].add(Event::LinkBit, 3);
  r.chip_events.add(Event::CoreLeakCycle, 6);
  r.unit_busy_cycles = {1, 2, 3, 4};
  r.metrics = {{"accuracy", 0.5}};
  r.sentences = {sentence(0, 100, 4, 2), sentence(1, 300, 6, 4)};
  r.sentences[1].truncated_tokens = 7;
  const nlohmann::json j = r.to_json(t);
  const RunReport back = RunReport::from_json(j, "r.json");
  EXPECT_EQ(back.to_json(t), j);
  EXPECT_EQ(back.op_events[2].count(Event::LinkBit), 3u);
  EXPECT_EQ(back.sentences[1].events, r.sentences[1].events);
  EXPECT_EQ(back.truncated_sentences(), 1u);
  EXPECT_EQ(j["sentences"][1]["label"], 1);
  EXPECT_EQ(j["sentences"][1]["label_name"], "positive");
  const std::string csv = r.to_csv(t);
  EXPECT_NE(csv.find("\n1,1,positive,1,positive,300,0.6,16,1,7\n"), std::string::npos) << csv;
  nlohmann::json bad = j;
  bad["version"] = 1;
  EXPECT_NE(test::input_error_message([&] { RunReport::from_json(bad, "r.json"); })
                .find("r.json: version: run report version 1"),
            std::string::npos);
  bad = j;
  bad["counts"]["chip"]["core.leak_cycl"] = 1;
  EXPECT_NE(test::input_error_message([&] { RunReport::from_json(bad, "r.json"); })
                .find("counts.chip.core.leak_cycl: unknown energy event"),
            std::string::npos);
}

TEST(RunReport, ShardsMergeIntoTheWholeRun) {
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  RunReport whole = two_op_report(), even = two_op_report(), odd = two_op_report();
  for (int i = 0; i < 5; ++i) {
    RunReport &shard = i % 2 ? odd : even;
    const SentenceRecord s = sentence(i, 100 + uint64_t(i), uint64_t(i), 1);
    for (RunReport *r : {&whole, &shard}) {
      r->sentences.push_back(s);
      r->op_events[0].add(Event::CrossbarRowRead, uint64_t(i));
      r->chip_events.add(Event::CoreLeakCycle, 1);
      r->unit_busy_cycles[1] += 10;
    }
  }
  RunReport merged = two_op_report();
  merged.merge(odd);
  merged.merge(even);
  EXPECT_EQ(merged.to_json(t), whole.to_json(t));
}

TEST(RunReport, FixedPowerTimesWallTimeByHand) {
  // kTable with 2 mW of fixed power quoted for 64 cores (the default 8 x 8 chip's), so it applies
  // unscaled; events as in PricesByOpLayerComponentAndSentence (15 pJ per sentence).
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(
      std::string(kTable) + "fixed_power: {mw: 2, cores: 64, source: hand-made}\n", "t.yaml", reg);
  RunReport r = two_op_report();
  r.op_events[0].add(Event::CrossbarRowRead, 10);
  r.op_events[1].add(Event::AccumulateSynop, 8);
  r.chip_events.add(Event::CoreLeakCycle, 6);
  r.sentences = {sentence(0, 100, 4, 2), sentence(1, 300, 6, 4)};
  r.sentences[0].ticks = 32; // e.g. 2 tokens x 16 steps
  r.sentences[1].ticks = 64;

  // No tick: wall time = cycles / clock = 0.2 and 0.6 us; 2 mW x 0.2 us = 0.4 nJ = 400 pJ.
  PricedReport p = r.price(t);
  ASSERT_TRUE(p.has_fixed_power);
  EXPECT_DOUBLE_EQ(p.fixed_mw, 2.0);
  EXPECT_DOUBLE_EQ(p.sentence_fixed_pj[0], 400.0);
  EXPECT_DOUBLE_EQ(p.sentence_fixed_pj[1], 1200.0);
  EXPECT_DOUBLE_EQ(p.fixed_pj, 800.0);
  EXPECT_DOUBLE_EQ(p.energy_pj, 815.0);
  EXPECT_DOUBLE_EQ(p.sentence_pj[0], 10.0 + 400.0);
  EXPECT_DOUBLE_EQ(p.wall_us_mean, 0.4);

  // A 1 kHz tick: 32 and 64 ticks are 32 and 64 ms, far beyond 0.2 and 0.6 us of cycles:
  // P x ticks / rate = 2 mW x 32 ms = 64 uJ = 6.4e7 pJ, and 1.28e8 pJ.
  r.chip.tick_hz = 1000;
  p = r.price(t);
  EXPECT_DOUBLE_EQ(p.sentence_fixed_pj[0], 6.4e7);
  EXPECT_DOUBLE_EQ(p.sentence_fixed_pj[1], 1.28e8);
  EXPECT_DOUBLE_EQ(p.fixed_pj, 9.6e7);
  EXPECT_DOUBLE_EQ(p.energy_pj, 15.0 + 9.6e7);
  EXPECT_DOUBLE_EQ(p.wall_us_mean, 48000.0);
  EXPECT_EQ(p.by_op.back(), std::make_pair(std::string("fixed"), 9.6e7));
  EXPECT_EQ(p.by_layer.back(), std::make_pair(std::string("chip fixed"), 9.6e7));
  EXPECT_EQ(p.by_component.back(), std::make_pair(std::string("fixed"), 9.6e7));
  double components = 0;
  for (const auto &[c, v] : p.by_component)
    components += v;
  EXPECT_DOUBLE_EQ(components, p.energy_pj);
  EXPECT_EQ(r.sentences_behind_tick(), 0u);
  // One after another, a sentence lasts its ticks: 1 / 48 ms.
  EXPECT_DOUBLE_EQ(r.sentences_per_second(), 1e6 / 48000.0);

  // The fixed power follows the mesh's cores: 16 of the quoted 64 give 0.5 mW.
  r.chip.mesh_x = r.chip.mesh_y = 4;
  EXPECT_DOUBLE_EQ(r.price(t).fixed_pj, 9.6e7 / 4);
  r.chip.mesh_x = r.chip.mesh_y = 8;

  // JSON: the new keys, the average power over wall time, and a round trip.
  const nlohmann::json j = r.to_json(t);
  EXPECT_EQ(j["chip"]["tick_hz"], 1000);
  EXPECT_DOUBLE_EQ(j["wall_time_us_mean"].get<double>(), 48000.0);
  EXPECT_DOUBLE_EQ(j["fixed_power"]["mw"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["fixed_power"]["energy_pj_per_sentence"].get<double>(), 9.6e7);
  EXPECT_DOUBLE_EQ(j["energy_pj_by_component"]["fixed"].get<double>(), 9.6e7);
  EXPECT_DOUBLE_EQ(j["energy_pj_by_layer"]["chip fixed"].get<double>(), 9.6e7);
  EXPECT_DOUBLE_EQ(j["energy_pj_by_op"]["fixed"].get<double>(), 9.6e7);
  EXPECT_DOUBLE_EQ(j["power_mw"].get<double>(), (15.0 + 9.6e7) / 48000.0 * 1e-3);
  EXPECT_EQ(j["sentences"][1]["ticks"], 64);
  EXPECT_DOUBLE_EQ(j["sentences"][1]["wall_time_us"].get<double>(), 64000.0);
  EXPECT_DOUBLE_EQ(j["sentences"][1]["latency_us"].get<double>(), 0.6); // cycles, as before
  const RunReport back = RunReport::from_json(j, "r.json");
  EXPECT_EQ(back.chip, r.chip);
  EXPECT_EQ(back.to_json(t), j);
  nlohmann::json bad = j;
  bad["sentences"][0].erase("ticks");
  EXPECT_NE(test::input_error_message([&] { RunReport::from_json(bad, "r.json"); })
                .find("r.json: sentences[0].ticks: missing"),
            std::string::npos);
  bad = j;
  bad["chip"]["tick_hz"] = 0;
  EXPECT_NE(test::input_error_message([&] { RunReport::from_json(bad, "r.json"); })
                .find("r.json: chip.tick_hz: expected a tick rate in Hz"),
            std::string::npos);

  // Text and CSV give the fixed part its own line and columns.
  const std::string text = r.to_text(t);
  EXPECT_NE(text.find("wall time    mean 48000.00 us per sentence: 48.0 ticks at 1000 Hz"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fixed power  2.000 mW x wall time = 96000.00 nJ per sentence"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chip fixed"), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << text;
  const std::string csv = r.to_csv(t);
  EXPECT_NE(csv.find("truncated_tokens,wall_time_us,fixed_energy_pj\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n1,1,positive,1,positive,300,0.6,1.28e+08,1,0,64000,1.28e+08\n"),
            std::string::npos)
      << csv;

  // Re-priced with a table without fixed power, the tick run has no fixed line but keeps its
  // wall time.
  const energy::EnergyTable plain = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  const nlohmann::json jp = back.to_json(plain);
  EXPECT_FALSE(jp.contains("fixed_power"));
  EXPECT_FALSE(jp["energy_pj_by_component"].contains("fixed"));
  EXPECT_DOUBLE_EQ(jp["energy_pj_per_sentence"].get<double>(), 15.0);
  EXPECT_DOUBLE_EQ(jp["wall_time_us_mean"].get<double>(), 48000.0);
}

TEST(RunReport, ATickTheCyclesOutlastIsWallTimeAndAWarning) {
  // 1 tick at 1 kHz is 1000 us; 1,000,000 cycles at 500 MHz are 2000 us: the chip fell behind.
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(
      std::string(kTable) + "fixed_power: {mw: 1, cores: 64, source: hand-made}\n", "t.yaml", reg);
  RunReport r = two_op_report();
  r.chip.tick_hz = 1000;
  r.sentences = {sentence(0, 1000000, 0, 0), sentence(1, 100, 0, 0)};
  r.sentences[0].ticks = 1;
  r.sentences[1].ticks = 1;
  EXPECT_DOUBLE_EQ(r.wall_time_us(r.sentences[0]), 2000.0);
  EXPECT_DOUBLE_EQ(r.wall_time_us(r.sentences[1]), 1000.0);
  EXPECT_EQ(r.sentences_behind_tick(), 1u);
  EXPECT_DOUBLE_EQ(r.price(t).sentence_fixed_pj[0], 2e6); // 1 mW x 2000 us
  EXPECT_NE(r.to_text(t).find("warning      1 of 2 sentences take more cycles than their ticks"),
            std::string::npos);
}

TEST(RunReport, WithoutTickOrFixedPowerTheReportHasNoneOfTheirKeys) {
  // Reports of chips without a tick, priced by tables without fixed power, have no tick or
  // fixed-power keys; their wall time is the cycles plus the drain at the clock.
  const energy::EventRegistry reg = energy::build_event_registry();
  const energy::EnergyTable t = energy::EnergyTable::parse(kTable, "t.yaml", reg);
  RunReport r = two_op_report();
  r.sentences = {sentence(0, 100, 4, 2)};
  r.sentences[0].ticks = 16;
  r.sentences[0].drain_cycles = 150;
  const nlohmann::json j = r.to_json(t);
  EXPECT_FALSE(j["chip"].contains("tick_hz"));
  EXPECT_DOUBLE_EQ(j["wall_time_us_mean"].get<double>(), 0.5);            // 250 cycles at 500 MHz
  EXPECT_DOUBLE_EQ(j["sentences"][0]["wall_time_us"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["power_mw"].get<double>(), j["energy_pj_per_sentence"].get<double>() / 0.5 *
                                                    1e-3);
  EXPECT_FALSE(j.contains("fixed_power"));
  EXPECT_FALSE(j["sentences"][0].contains("ticks"));
  EXPECT_FALSE(j["energy_pj_by_component"].contains("fixed"));
  EXPECT_FALSE(j["energy_pj_by_layer"].contains("chip fixed"));
  EXPECT_EQ(r.to_csv(t).find("wall_time_us"), std::string::npos);
  EXPECT_EQ(r.to_text(t).find("fixed"), std::string::npos);
}

} // namespace
} // namespace granita::report
