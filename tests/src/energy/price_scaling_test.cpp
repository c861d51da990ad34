// SPDX-License-Identifier: Apache-2.0
// Prices that follow the chip (docs/energy.md §2.1) and the area model (§5): every expected value
// below is worked out by hand from the stated rules, not by calling the code under test.
#include "src/energy/energy_table.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace granita::energy {
namespace {

const std::filesystem::path kSource = GRANITA_SOURCE_DIR;

/// Round prices and densities so that the hand arithmetic is exact.
std::string table_text(const std::string &leakage) {
  return R"(version: 2
name: scaled
technology: test
source: hand-made
events:
  crossbar: {row_read: 40}
  accumulate: {synop: 0.03, add: 0.1, shift: 0.2}
  neuron: {update: 1, spike: 1}
  ptsoftmax: {shift: 0, add: 0, compare: 0}
  bspn: {shift: 0, add: 0, compare: 0}
  sram: {read_bit: 0.16, write_bit: 0.16}
  router: {buffer_write_bit: 0.02, buffer_read_bit: 0.01, switch_bit: 0.005, route: 0.06}
  link: {bit: 0.05}
  core: {leak_cycle: 10}
scaling:
  crossbar_cols: 256
  sram_bank_kib: 8
  leakage: )" +
         leakage + R"(
area:
  crossbar_um2_per_bit: 0.5
  sram_um2_per_bit: 0.25
  register_um2_per_bit: 2
  mux_um2_per_bit: 1
  accumulate_lane_um2: 100
  neuron_lane_um2: 200
  ptsoftmax_lane_um2: 300
  bspn_lane_um2: 400
)";
}

/// configs/hw/edge.yaml: 4×4 mesh at 200 MHz, two 128×128 crossbars, 16 lanes, 4 neuron
/// updates, 2 PTsoftmax and 2 BSPN elements per cycle, 16 KiB scratch, 1 VC × 4 flits of 32 bits.
ChipShape edge() {
  ChipShape s;
  s.mesh_x = s.mesh_y = 4;
  s.clock_mhz = 200;
  s.crossbar_rows = s.crossbar_cols = 128;
  s.crossbars_per_core = 2;
  s.accumulate_lanes = 16;
  s.neuron_updates_per_cycle = 4;
  s.ptsoftmax_elements_per_cycle = s.bspn_elements_per_cycle = 2;
  s.scratch_sram_kib = 16;
  s.router_virtual_channels = 1;
  s.router_buffer_depth_flits = 4;
  s.flit_bits = 32;
  return s;
}

TEST(PriceScaling, AReferenceChipIsPricedAsQuoted) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t =
      EnergyTable::parse(table_text("{per: core, clock_mhz: 500}"), "t.yaml", reg);
  const EnergyTable s = t.for_chip(ChipShape{}); // 256 columns, 64 KiB scratch, 500 MHz
  for (const EventInfo &e : reg.events())
    EXPECT_DOUBLE_EQ(s.pj(e.id), t.pj(e.id)) << e.name();
  ASSERT_TRUE(s.chip());
  EXPECT_EQ(*s.chip(), ChipShape{});
  EXPECT_FALSE(t.chip());
}

TEST(PriceScaling, RowReadsFollowColumnsSramFollowsBankSizeLeakageFollowsClock) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t =
      EnergyTable::parse(table_text("{per: core, clock_mhz: 500}"), "t.yaml", reg);
  ChipShape c;
  c.crossbar_cols = 128;
  c.scratch_sram_kib = 2; // smaller than one 8 KiB bank: sqrt(2 / 8) = 0.5
  c.clock_mhz = 250;      // a cycle twice as long leaks twice the energy
  const EnergyTable s = t.for_chip(c);
  EXPECT_DOUBLE_EQ(s.pj(Event::CrossbarRowRead), 20.0); // 40 pJ × 128 / 256
  EXPECT_DOUBLE_EQ(s.pj(Event::SramReadBit), 0.08);
  EXPECT_DOUBLE_EQ(s.pj(Event::SramWriteBit), 0.08);
  EXPECT_DOUBLE_EQ(s.pj(Event::CoreLeakCycle), 20.0);
  // Per-bit and fixed-width events do not move.
  EXPECT_DOUBLE_EQ(s.pj(Event::LinkBit), 0.05);
  EXPECT_DOUBLE_EQ(s.pj(Event::RouterBufferWriteBit), 0.02);
  EXPECT_DOUBLE_EQ(s.pj(Event::AccumulateSynop), 0.03);
  // A larger scratch SRAM is more banks of the quoted size: the per-bit price stays.
  c.scratch_sram_kib = 128;
  EXPECT_DOUBLE_EQ(t.for_chip(c).pj(Event::SramReadBit), 0.16);
  // Counts × scaled prices: 10 row reads of 128 columns cost 200 pJ.
  EnergyCounters n;
  n.add(Event::CrossbarRowRead, 10);
  EXPECT_DOUBLE_EQ(s.energy_pj(n), 200.0);
}

TEST(PriceScaling, AreaOfTheEdgeCoreByBlock) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t =
      EnergyTable::parse(table_text("{per: core, clock_mhz: 500}"), "t.yaml", reg);
  const CoreArea a = t.core_area(edge());
  EXPECT_DOUBLE_EQ(a.crossbar_mm2, 2 * 128 * 128 * 0.5e-6);                  // 16384 µm²
  EXPECT_DOUBLE_EQ(a.sram_mm2, 16 * 8192 * 0.25e-6);                         // 32768 µm²
  EXPECT_DOUBLE_EQ(a.router_mm2, (5 * 1 * 4 * 32 * 2 + 25 * 32 * 1) * 1e-6); // 2080 µm²
  EXPECT_DOUBLE_EQ(a.accumulate_mm2, 16 * 100e-6);
  EXPECT_DOUBLE_EQ(a.neuron_mm2, 4 * 200e-6);
  EXPECT_DOUBLE_EQ(a.ptsoftmax_mm2, 2 * 300e-6);
  EXPECT_DOUBLE_EQ(a.bspn_mm2, 2 * 400e-6);
  EXPECT_NEAR(a.total_mm2(), 0.055032, 1e-12);
  ASSERT_EQ(a.parts().size(), 7u);
  EXPECT_EQ(a.parts()[0].first, "crossbar");
}

TEST(PriceScaling, LeakagePerMm2FollowsCoreAreaAndClock) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable t =
      EnergyTable::parse(table_text("{per: mm2, clock_mhz: 500, core_mm2: 0.5}"), "t.yaml", reg);
  // 10 pJ for a 0.5 mm² core at 500 MHz; the edge core is 0.055032 mm² at 200 MHz.
  EXPECT_NEAR(t.for_chip(edge()).pj(Event::CoreLeakCycle), 10 * 0.055032 / 0.5 * 500 / 200, 1e-12);
}

TEST(PriceScaling, ShippedHorowitzTableOnTheDefaultAndEdgeChips) {
  const EventRegistry reg = build_event_registry();
  const EnergyTable h =
      EnergyTable::load(resolve_energy_table("45nm-horowitz", kSource / "configs"), reg);
  const EnergyTable d = h.for_chip(ChipShape{}); // configs/hw/default.yaml's shape
  EXPECT_DOUBLE_EQ(d.pj(Event::CrossbarRowRead), 40.0);
  EXPECT_NEAR(d.pj(Event::CoreLeakCycle), h.pj(Event::CoreLeakCycle), 1e-4);
  const EnergyTable e = h.for_chip(edge());
  EXPECT_DOUBLE_EQ(e.pj(Event::CrossbarRowRead), 20.0);  // 128 × 10 pJ / 64 bits
  EXPECT_DOUBLE_EQ(e.pj(Event::SramReadBit), 10.0 / 64); // 16 KiB = two 8 KB banks
  // Edge core at 45 nm (0.4943 µm²/bit, Aladdin 40 nm logic): crossbar 32768 bits 16197.2,
  // SRAM 131072 bits 64788.9, router 640 × 5.98 + 800 × 1.575 = 5087.2, lanes 16 × 469.36,
  // neuron 4 × 1362, PTsoftmax 2 × 806, BSPN 2 × 1612 µm²: 0.10386706 mm².
  const double edge_mm2 = (16197.2224 + 64788.8896 + 5087.2 + 7509.76 + 5448 + 1612 + 3224) / 1e6;
  EXPECT_NEAR(h.core_area(edge()).total_mm2(), edge_mm2, 1e-9);
  EXPECT_NEAR(e.pj(Event::CoreLeakCycle), 7.7332 * edge_mm2 / 0.477737 * 500.0 / 200.0, 1e-9);
}

TEST(PriceScaling, MissingOrMalformedSectionsNameTheTableAndField) {
  const EventRegistry reg = build_event_registry();
  const std::string ok = table_text("{per: core, clock_mhz: 500}");
  auto error = [&](const std::string &text) {
    return test::input_error_message([&] { EnergyTable::parse(text, "t.yaml", reg); });
  };
  std::string e = error(ok.substr(0, ok.find("scaling:")) + ok.substr(ok.find("area:")));
  EXPECT_NE(e.find("t.yaml:1:1: scaling: energy table 'scaled' has no 'scaling' section"),
            std::string::npos)
      << e;
  e = error(ok.substr(0, ok.find("area:")));
  EXPECT_NE(e.find("area: energy table 'scaled' has no 'area' section"), std::string::npos) << e;
  e = error(table_text("{per: core, clock_mhz: 500, core_mm2: 1}"));
  EXPECT_NE(e.find("scaling.leakage.core_mm2: only a `per: mm2` leakage price"), std::string::npos)
      << e;
  e = error(table_text("{per: mm2, clock_mhz: 500}"));
  EXPECT_NE(e.find("scaling.leakage.core_mm2: missing required key"), std::string::npos) << e;
  e = error(table_text("{per: chip, clock_mhz: 500}"));
  EXPECT_NE(e.find("scaling.leakage.per"), std::string::npos) << e;
  std::string bad = ok;
  bad.replace(bad.find("crossbar_cols: 256"), 18, "crossbar_cols: 0");
  EXPECT_NE(error(bad).find("scaling.crossbar_cols"), std::string::npos) << error(bad);
  bad = ok;
  bad.replace(bad.find("mux_um2_per_bit: 1"), 18, "mux_um2_per_bit: -1");
  EXPECT_NE(error(bad).find("area.mux_um2_per_bit"), std::string::npos) << error(bad);
  bad = ok;
  bad.replace(bad.find("  bspn_lane_um2: 400"), 19, "  bspn_lane_um2: 400\n  bspn_lanes_um2: 1");
  EXPECT_NE(error(bad).find("area.bspn_lanes_um2: unknown key (did you mean 'bspn_lane_um2'?)"),
            std::string::npos)
      << error(bad);
}

TEST(PriceScaling, ChipShapeJsonRoundTripAndErrors) {
  const ChipShape s = edge();
  EXPECT_EQ(ChipShape::from_json(s.to_json(), "r.json"), s);
  nlohmann::json j = s.to_json();
  j.erase("crossbar_cols");
  std::string e = test::input_error_message([&] { ChipShape::from_json(j, "r.json"); });
  EXPECT_NE(e.find("r.json: chip.crossbar_cols: missing"), std::string::npos) << e;
  j = s.to_json();
  j["flit_bits"] = 0;
  e = test::input_error_message([&] { ChipShape::from_json(j, "r.json"); });
  EXPECT_NE(e.find("chip.flit_bits: expected a positive integer"), std::string::npos) << e;
}

} // namespace
} // namespace granita::energy
