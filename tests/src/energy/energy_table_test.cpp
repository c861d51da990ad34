// SPDX-License-Identifier: Apache-2.0
// Energy tables: the shipped tables load and say what the docs say; every malformed table gives
// an InputError naming file:line:col and key path; pricing counters; resolving table names.
#include "src/energy/energy_table.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace granita::energy {
namespace {

const std::filesystem::path kSource = GRANITA_SOURCE_DIR;

std::string read_text(const std::filesystem::path &p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A valid table, one component per line (line 6 is `crossbar`, line 14 `core`), quoted for the
/// default chip shape (256 columns, 500 MHz, leakage per core), so its prices apply unscaled.
const char *kValid = R"(version: 2
name: test
technology: 45nm
source: a test table
events:
  crossbar: {row_read: 1.5}
  accumulate: {synop: 0.25, add: 0.5, shift: 0}
  neuron: {update: 2, spike: 3}
  ptsoftmax: {shift: 0, add: 0, compare: 0}
  bspn: {shift: 0, add: 0, compare: 0}
  sram: {read_bit: 0.125, write_bit: 0.125}
  router: {buffer_write_bit: 0, buffer_read_bit: 0, switch_bit: 0, route: 0}
  link: {bit: 0.0625}
  core: {leak_cycle: 1e-3}
scaling:
  crossbar_cols: 256
  sram_bank_kib: 8
  leakage: {per: core, clock_mhz: 500}
area: {crossbar_um2_per_bit: 1, sram_um2_per_bit: 1, register_um2_per_bit: 1, mux_um2_per_bit: 1,
       accumulate_lane_um2: 1, neuron_lane_um2: 1, ptsoftmax_lane_um2: 1, bspn_lane_um2: 1}
)";

std::string replace(std::string s, const std::string &from, const std::string &to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

std::string parse_error(const std::string &text) {
  const EventRegistry reg = build_event_registry();
  return test::input_error_message([&] { EnergyTable::parse(text, "t.yaml", reg); });
}

TEST(EnergyTable, EveryShippedTableLoadsAndPricesEveryEvent) {
  const EventRegistry reg = build_event_registry();
  for (const char *name : {"45nm-horowitz", "snn-ac-mac", "loihi"}) {
    const auto path = resolve_energy_table(name, kSource / "configs");
    EXPECT_EQ(path, kSource / "configs" / "energy" / (std::string(name) + ".yaml"));
    const EnergyTable t = EnergyTable::load(path, reg);
    EXPECT_EQ(t.name(), name);
    EXPECT_FALSE(t.technology().empty());
    EXPECT_FALSE(t.source().empty());
    EXPECT_FALSE(t.notes().empty());
    for (const EventInfo &e : reg.events())
      EXPECT_TRUE(std::isfinite(t.pj(e.id)) && t.pj(e.id) >= 0) << name << " " << e.name();
  }
}

TEST(EnergyTable, ShippedTablesFollowTheirStatedDerivations) {
  const EventRegistry reg = build_event_registry();
  const auto dir = kSource / "configs";
  const EnergyTable conv = EnergyTable::load(resolve_energy_table("snn-ac-mac", dir), reg);
  ASSERT_TRUE(conv.convention());
  EXPECT_DOUBLE_EQ(conv.convention()->ac_pj, 0.9);
  EXPECT_DOUBLE_EQ(conv.convention()->mac_pj, 4.6);
  // The convention counts accumulates only.
  for (const EventInfo &e : reg.events()) {
    const bool ac = e.id == Event::AccumulateSynop || e.id == Event::AccumulateAdd;
    EXPECT_DOUBLE_EQ(conv.pj(e.id), ac ? 0.9 : 0.0) << e.name();
  }

  const EnergyTable h = EnergyTable::load(resolve_energy_table("45nm-horowitz", dir), reg);
  EXPECT_EQ(h.technology(), "45nm");
  EXPECT_DOUBLE_EQ(h.pj(Event::AccumulateSynop), 0.03);  // 8-bit add
  EXPECT_DOUBLE_EQ(h.pj(Event::AccumulateAdd), 0.1);     // 32-bit add
  EXPECT_DOUBLE_EQ(h.pj(Event::SramReadBit), 10.0 / 64); // 8 KB array, 64-bit read
  EXPECT_DOUBLE_EQ(h.pj(Event::CrossbarRowRead), 256 * 10.0 / 64);
  // Leakage: 8.09 mW/mm² (Aladdin 40 nm adder, 2.25e-3 mW over 278 µm²) × the quoted core area
  // at the quoted clock; and the quoted core area is the area model's default core.
  ASSERT_EQ(h.scaling().leakage, PriceScaling::Leakage::PerMm2);
  EXPECT_NEAR(h.pj(Event::CoreLeakCycle),
              2.25e-3 / 278e-6 * h.scaling().leakage_core_mm2 * 1e-3 /
                  (h.scaling().leakage_clock_mhz * 1e6) * 1e12,
              1e-3);
  EXPECT_NEAR(h.core_area(ChipShape{}).total_mm2(), h.scaling().leakage_core_mm2, 1e-5);
  EXPECT_EQ(h.scaling().crossbar_cols, 256);
  EXPECT_EQ(h.scaling().sram_bank_kib, 8);

  const EnergyTable l = EnergyTable::load(resolve_energy_table("loihi", dir), reg);
  EXPECT_EQ(l.technology(), "14nm");
  EXPECT_FALSE(l.convention());
  EXPECT_DOUBLE_EQ(l.pj(Event::AccumulateSynop), 35.5);
  EXPECT_DOUBLE_EQ(l.pj(Event::NeuronUpdate), 51.2 + 21.6);
  EXPECT_DOUBLE_EQ(l.pj(Event::NeuronSpike), 69.3 + 111.0);
  EXPECT_DOUBLE_EQ(l.pj(Event::RouterRoute), (3.0 + 4.2) / 2);
  EXPECT_NEAR(l.pj(Event::CoreLeakCycle), 0.815e-3 * 2e-9 * 1e12, 1e-9);
}

TEST(EnergyTable, EnergyIsCountTimesPriceSummedInRegistryOrder) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t = EnergyTable::parse(kValid, "t.yaml", reg);
  EXPECT_EQ(t.file(), "t.yaml");
  EXPECT_FALSE(t.convention());
  EXPECT_EQ(t.notes(), "");
  EnergyCounters c;
  EXPECT_EQ(t.energy_pj(c), 0.0);
  c.add(Event::CrossbarRowRead, 4);  // 6
  c.add(Event::AccumulateSynop, 8);  // 2
  c.add(Event::NeuronSpike, 1);      // 3
  c.add(Event::LinkBit, 16);         // 1
  c.add(Event::CoreLeakCycle, 1000); // 1
  EXPECT_DOUBLE_EQ(t.energy_pj(c), 13.0);
  const std::vector<EventEnergy> b = t.breakdown(c);
  ASSERT_EQ(b.size(), kNumEvents);
  double sum = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(event_index(b[i].event), i);
    EXPECT_EQ(b[i].name, reg.events()[i].name());
    EXPECT_EQ(b[i].count, c.count(b[i].event));
    EXPECT_DOUBLE_EQ(b[i].energy_pj, double(b[i].count) * b[i].pj_per_event);
    sum += b[i].energy_pj;
  }
  EXPECT_DOUBLE_EQ(sum, 13.0);
  EXPECT_EQ(b[0].name, "crossbar.row_read");
  EXPECT_EQ(b[0].unit, "row");
  EXPECT_DOUBLE_EQ(b[0].energy_pj, 6.0);
}

TEST(EnergyTable, OptionalEventsMayBeLeftOutUntilARunCountsThem) {
  // neuron.multiply and sync.reduce came after tables existed (official numerics profile): kValid
  // leaves them out and still loads; a run that counts them cannot be priced with it.
  const EventRegistry reg = build_event_registry();
  const EnergyTable t = EnergyTable::parse(kValid, "t.yaml", reg);
  EnergyCounters c;
  c.add(Event::CrossbarRowRead, 2);
  EXPECT_DOUBLE_EQ(t.energy_pj(c), 3.0);
  c.add(Event::NeuronMultiply, 1);
  const std::string msg = test::input_error_message([&] { t.energy_pj(c); });
  EXPECT_NE(msg.find("t.yaml: events.neuron.multiply: energy table 'test' has no price for "
                     "'neuron.multiply', which this run counts"),
            std::string::npos)
      << msg;
  EXPECT_NE(test::input_error_message([&] { t.breakdown(c); }).find("neuron.multiply"),
            std::string::npos);
  const EnergyTable priced = EnergyTable::parse(
      replace(replace(kValid, "spike: 3}", "spike: 3, multiply: 4}"), "link: {bit: 0.0625}",
              "link: {bit: 0.0625}\n  sync: {reduce: 0.5}"),
      "t.yaml", reg);
  c.add(Event::SyncReduce, 2);
  EXPECT_DOUBLE_EQ(priced.energy_pj(c), 3.0 + 4.0 + 1.0);
}

TEST(EnergyTable, OptionalConventionSection) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t = EnergyTable::parse(
      replace(kValid, "events:", "convention: {ac_pj: 0.9, mac_pj: 4.6}\nevents:"), "t.yaml", reg);
  ASSERT_TRUE(t.convention());
  EXPECT_DOUBLE_EQ(t.convention()->mac_pj, 4.6);
  std::string e = parse_error(replace(kValid, "events:", "convention: {ac_pj: 0.9}\nevents:"));
  EXPECT_NE(e.find("t.yaml:5:13: convention.mac_pj: missing required key"), std::string::npos) << e;
  e = parse_error(
      replace(kValid, "events:", "convention: {ac_pj: 0.9, mac_pj: 4.6, mac_jp: 1}\nevents:"));
  EXPECT_NE(e.find("t.yaml:5:39: convention.mac_jp: unknown key (did you mean 'mac_pj'?)"),
            std::string::npos)
      << e;
  e = parse_error(replace(kValid, "events:", "convention:\nevents:"));
  EXPECT_NE(e.find("t.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("convention: expected a mapping"), std::string::npos) << e;
}

TEST(EnergyTable, MissingUnknownNegativeAndDuplicateEventsNameFileLineAndKey) {
  // Missing event: the location is the component's map.
  std::string e = parse_error(replace(kValid, "{bit: 0.0625}", "{}"));
  EXPECT_NE(e.find("t.yaml:13:9: events.link.bit: missing price for registered event 'link.bit'"),
            std::string::npos)
      << e;
  // Missing component.
  e = parse_error(replace(kValid, "  link: {bit: 0.0625}\n", ""));
  EXPECT_NE(e.find("t.yaml:6:3: events.link: missing component 'link'"), std::string::npos) << e;
  // Unknown (misspelt) event, with a did-you-mean.
  e = parse_error(replace(kValid, "row_read", "row_reed"));
  EXPECT_NE(e.find("t.yaml:6:14: events.crossbar.row_reed: unknown event 'crossbar.row_reed' "
                   "(did you mean 'row_read'?)"),
            std::string::npos)
      << e;
  // An event of another component.
  e = parse_error(replace(kValid, "spike: 3}", "spike: 3, synop: 1}"));
  EXPECT_NE(e.find("t.yaml:8:33: events.neuron.synop: unknown event 'neuron.synop' (did you mean "
                   "'accumulate.synop'?)"),
            std::string::npos)
      << e;
  // Unknown component, with a did-you-mean.
  e = parse_error(replace(kValid, "  sram:", "  sarm:"));
  EXPECT_NE(e.find("t.yaml:11:3: events.sarm: unknown component 'sarm' (did you mean 'sram'?)"),
            std::string::npos)
      << e;
  // Negative and non-numeric prices.
  e = parse_error(replace(kValid, "update: 2", "update: -2"));
  EXPECT_NE(e.find("t.yaml:8:20: events.neuron.update: energy must be non-negative, got -2 pJ"),
            std::string::npos)
      << e;
  e = parse_error(replace(kValid, "update: 2", "update: two"));
  EXPECT_NE(e.find("t.yaml:8:20: events.neuron.update: expected an energy in pJ (a finite "
                   "number), got 'two'"),
            std::string::npos)
      << e;
  e = parse_error(replace(kValid, "update: 2", "update: [2]"));
  EXPECT_NE(e.find("events.neuron.update: expected an energy in pJ"), std::string::npos) << e;
  e = parse_error(replace(kValid, "update: 2", "update: .nan"));
  EXPECT_NE(e.find("got '.nan'"), std::string::npos) << e;
  // Duplicates.
  e = parse_error(replace(kValid, "{bit: 0.0625}", "{bit: 0.0625, bit: 1}"));
  EXPECT_NE(e.find("t.yaml:13:23: events.link.bit: duplicate event"), std::string::npos) << e;
  e = parse_error(replace(kValid, "  core: {leak_cycle: 1e-3}\n",
                          "  core: {leak_cycle: 1e-3}\n  link: {bit: 1}\n"));
  EXPECT_NE(e.find("t.yaml:15:3: events.link: duplicate component"), std::string::npos) << e;
}

TEST(EnergyTable, TopLevelChecks) {
  std::string e = parse_error(replace(kValid, "version: 2", "version: 3"));
  EXPECT_NE(e.find("t.yaml:1:10: version: unsupported energy table version 3"), std::string::npos)
      << e;
  e = parse_error(replace(kValid, "version: 2", "version: 1"));
  EXPECT_NE(e.find("t.yaml:1:10: version: energy table 'test' is version 1; version 2 tables add "
                   "a 'scaling' section"),
            std::string::npos)
      << e;
  // Without a name, the table is named by its file (found by the energy-table fuzzer).
  e = parse_error(replace(replace(kValid, "version: 2", "version: 1"), "name: test\n", ""));
  EXPECT_NE(e.find("version: energy table 't.yaml' is version 1"), std::string::npos) << e;
  e = parse_error(replace(kValid, "technology: 45nm\n", ""));
  EXPECT_NE(e.find("technology: missing required key"), std::string::npos) << e;
  e = parse_error(replace(kValid, "name: test", "name: test\nsorce: x"));
  EXPECT_NE(e.find("t.yaml:3:1: sorce: unknown key"), std::string::npos) << e;
  e = parse_error(replace(kValid, "events:", "events: 3\nold:"));
  EXPECT_NE(e.find("events: expected a mapping"), std::string::npos) << e;
  e = parse_error("");
  EXPECT_NE(e.find("t.yaml: file is empty"), std::string::npos) << e;
  e = parse_error("[1, 2]");
  EXPECT_NE(e.find("expected a mapping"), std::string::npos) << e;
  e = parse_error(replace(kValid, "source: a test table", "source: \"\""));
  EXPECT_NE(e.find("source: must cite"), std::string::npos) << e;
}

TEST(EnergyTable, LoadNamesTheFileAndRejectsMissingOrBinaryFiles) {
  const EventRegistry reg = build_event_registry();
  test::TempDir dir;
  const auto p = dir.path() / "bad.yaml";
  test::write_file(p, replace(kValid, "synop: 0.25", "synop: -1"));
  std::string e = test::input_error_message([&] { EnergyTable::load(p, reg); });
  EXPECT_NE(e.find(p.string() + ":7:"), std::string::npos) << e;
  e = test::input_error_message([&] { EnergyTable::load(dir.path() / "none.yaml", reg); });
  EXPECT_NE(e.find("none.yaml"), std::string::npos) << e;
  test::write_file(p, std::string("version: 1\0", 11));
  e = test::input_error_message([&] { EnergyTable::load(p, reg); });
  EXPECT_NE(e.find("NUL"), std::string::npos) << e;
}

TEST(EnergyTable, BadInputCorpus) {
  // tests/inputs/bad/energy: <name>.yaml is rejected with the substring in <name>.expect.
  const EventRegistry reg = build_event_registry();
  const auto dir = kSource / "tests" / "inputs" / "bad" / "energy";
  int checked = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml")
      continue;
    auto expect_path = entry.path();
    expect_path.replace_extension(".expect");
    ASSERT_TRUE(std::filesystem::exists(expect_path)) << expect_path;
    std::string expected = read_text(expect_path);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r'))
      expected.pop_back();
    ASSERT_FALSE(expected.empty()) << expect_path;
    const std::string e = test::input_error_message([&] { EnergyTable::load(entry.path(), reg); });
    EXPECT_NE(e.find(expected), std::string::npos)
        << entry.path().filename() << "\n  got:      " << e << "\n  expected: " << expected;
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(EnergyTable, ResolvesNamesAndPaths) {
  const auto configs = kSource / "configs";
  EXPECT_EQ(resolve_energy_table("loihi", configs), configs / "energy" / "loihi.yaml");
  EXPECT_EQ(resolve_energy_table("my/table", configs), std::filesystem::path("my/table"));
  EXPECT_EQ(resolve_energy_table("table.yaml", configs), std::filesystem::path("table.yaml"));
  std::string e = test::input_error_message([&] { resolve_energy_table("45nm-horowtz", configs); });
  EXPECT_NE(e.find("no table named '45nm-horowtz'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean '45nm-horowitz'?"), std::string::npos) << e;
  EXPECT_NE(e.find("available: 45nm-horowitz, loihi, snn-ac-mac"), std::string::npos) << e;
  if (!std::getenv("GRANITA_CONFIGS")) {
    EXPECT_TRUE(std::filesystem::exists(default_configs_dir() / "energy" / "snn-ac-mac.yaml"));
  }
}

TEST(EnergyTable, TrueNorthIsFixedPowerAndOneCalibratedMarginalPrice) {
  // configs/energy/truenorth.yaml: (65 - 42) mW / (2^20 neurons x 20 Hz x 128 synapses) per
  // synaptic operation (Akopyan et al., TCAD 2015: 65 mW at that operating point, 42 mW at zero
  // activity), rounded to 0.01 pJ, and nothing else per event; the 42 mW is the fixed power of
  // the whole 4096-core chip, priced over wall time.
  const EventRegistry reg = build_event_registry();
  const EnergyTable t =
      EnergyTable::load(resolve_energy_table("truenorth", kSource / "configs"), reg);
  EXPECT_EQ(t.name(), "truenorth");
  EXPECT_EQ(t.technology(), "28nm");
  EXPECT_FALSE(t.convention());
  ASSERT_TRUE(t.fixed_power());
  EXPECT_EQ(t.fixed_power()->mw, 42.0);
  EXPECT_EQ(t.fixed_power()->cores, 4096);
  EXPECT_NE(t.fixed_power()->source.find("Akopyan"), std::string::npos);
  ChipShape tn;
  tn.mesh_x = tn.mesh_y = 64;
  EXPECT_EQ(t.for_chip(tn).fixed_power_mw(), 42.0);
  EXPECT_NEAR(t.pj(Event::AccumulateSynop), (65e-3 - 42e-3) / (1048576.0 * 20 * 128) * 1e12,
              0.005);
  for (const EventInfo &e : reg.events()) {
    if (e.id != Event::AccumulateSynop) {
      EXPECT_EQ(t.pj(e.id), 0.0) << e.name();
    }
  }
}

TEST(EnergyTable, FixedPowerIsOptionalAndScalesWithTheMeshCores) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable none = EnergyTable::parse(kValid, "t.yaml", reg);
  EXPECT_FALSE(none.fixed_power());
  EXPECT_EQ(none.fixed_power_mw(), 0.0);
  EXPECT_EQ(none.for_chip(ChipShape{}).fixed_power_mw(), 0.0);
  const EnergyTable t = EnergyTable::parse(
      std::string(kValid) + "fixed_power: {mw: 12.5, cores: 16, source: a test figure, "
                            "notes: at 0.7 V}\n",
      "t.yaml", reg);
  ASSERT_TRUE(t.fixed_power());
  EXPECT_EQ(t.fixed_power()->mw, 12.5);
  EXPECT_EQ(t.fixed_power()->cores, 16);
  EXPECT_EQ(t.fixed_power()->source, "a test figure");
  EXPECT_EQ(t.fixed_power()->notes, "at 0.7 V");
  EXPECT_EQ(t.fixed_power_mw(), 12.5); // as quoted
  ChipShape s;                         // the default 8 x 8 mesh: 64 cores = 4 x 16
  EXPECT_EQ(t.for_chip(s).fixed_power_mw(), 50.0);
  s.mesh_x = 2;
  s.mesh_y = 2; // 4 cores = 16 / 4
  EXPECT_EQ(t.for_chip(s).fixed_power_mw(), 3.125);
  // Per-event prices are untouched by it.
  EXPECT_EQ(t.pj(Event::CrossbarRowRead), none.pj(Event::CrossbarRowRead));
}

TEST(EnergyTable, BadFixedPowerNamesFileLineAndField) {
  const std::string base = kValid;
  // kValid has 20 lines; the section starts on line 21.
  std::string e = parse_error(base + "fixed_power: {mw: 0, cores: 4, source: s}\n");
  EXPECT_NE(e.find("t.yaml:21:19: fixed_power.mw: expected the chip's fixed power in mW (a "
                   "finite number > 0), got '0'"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: -42, cores: 4, source: s}\n");
  EXPECT_NE(e.find("fixed_power.mw: expected the chip's fixed power in mW (a finite number > 0), "
                   "got '-42'"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: 42mW, cores: 4, source: s}\n");
  EXPECT_NE(e.find("fixed_power.mw: expected the chip's fixed power in mW (a finite number > 0), "
                   "got '42mW'"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: .inf, cores: 4, source: s}\n");
  EXPECT_NE(e.find("fixed_power.mw: expected the chip's fixed power in mW"), std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: 42, cores: 0, source: s}\n");
  EXPECT_NE(e.find("t.yaml:21:"), std::string::npos) << e;
  EXPECT_NE(e.find("fixed_power.cores: expected an integer in [1, 1073741824], got 0"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: 42, cores: 4}\n");
  EXPECT_NE(e.find("fixed_power.source: missing required key"), std::string::npos) << e;
  e = parse_error(base + "fixed_power: {mw: 42, cores: 4, source: ''}\n");
  EXPECT_NE(e.find("fixed_power.source: must cite where the fixed power comes from"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: 42, cores: 4, source: s, core: 4}\n");
  EXPECT_NE(e.find("fixed_power.core: unknown key (did you mean 'cores'?)"), std::string::npos)
      << e;
  e = parse_error(base + "fixed_power: {mw: 42, source: s}\n");
  EXPECT_NE(e.find("fixed_power.cores: missing required key"), std::string::npos) << e;
  e = parse_error(base + "fixed_power: 42\n");
  EXPECT_NE(e.find("t.yaml:21:14: fixed_power: expected a mapping {mw: ..., cores: ..., source: "
                   "...}, or leave it out"),
            std::string::npos)
      << e;
  e = parse_error(base + "fixed_power:\n");
  EXPECT_NE(e.find("fixed_power: expected a mapping"), std::string::npos) << e;
}

} // namespace
} // namespace granita::energy
