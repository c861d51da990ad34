// SPDX-License-Identifier: Apache-2.0
#include "src/config/hw_config.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace granita::config {
namespace {

std::string preset_text() {
  std::ifstream in(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/default.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Loads `text` (written to a temp file) and returns the InputError message, or "" if it loaded.
std::string load_error(const std::string &text, const std::vector<std::string> &ov = {}) {
  test::TempDir dir;
  const auto p = dir.path() / "chip.yaml";
  test::write_file(p, text);
  try {
    load_hw_config(p, ov);
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string s, const std::string &from, const std::string &to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(HwConfig, EveryShippedPresetLoads) {
  for (const char *name : {"default", "edge", "bert-base", "truenorth", "loihi"}) {
    const auto c = load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/" + name + ".yaml");
    EXPECT_EQ(c.name, name);
    EXPECT_GT(c.cores(), 0);
  }
  const auto d = load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/default.yaml");
  EXPECT_EQ(d.mesh_x, 8);
  EXPECT_EQ(d.crossbar_rows, 256);
  EXPECT_EQ(d.routing, "xy");
  EXPECT_EQ(d.encoding, "rate");
}

TEST(HwConfig, OverridesReplaceValuesBeforeValidation) {
  const auto c = load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/default.yaml",
                                {"core.crossbar.rows=128", "mesh.x=3", "encoding=bitserial"});
  EXPECT_EQ(c.crossbar_rows, 128);
  EXPECT_EQ(c.mesh_x, 3);
  EXPECT_EQ(c.encoding, "bitserial");
  EXPECT_NE(load_error(preset_text(), {"core.crossbar.rows=-3"}).find("core.crossbar.rows"),
            std::string::npos);
  const std::string e = load_error(preset_text(), {"core.crosbar.rows=4"});
  EXPECT_NE(e.find("unknown key path"), std::string::npos) << e;
  EXPECT_NE(e.find("core.crossbar.rows"), std::string::npos) << e;
  EXPECT_NE(load_error(preset_text(), {"mesh.x"}).find("key.path=value"), std::string::npos);
}

TEST(HwConfig, ParseFromTextEqualsLoad) {
  const auto path = std::string(GRANITA_SOURCE_DIR) + "/configs/hw/default.yaml";
  const HwConfig a = parse_hw_config(preset_text(), "mem.yaml", {"mesh.y=5"});
  const HwConfig b = load_hw_config(path, {"mesh.y=5"});
  EXPECT_EQ(a.mesh_y, 5);
  EXPECT_EQ(a.mesh_y, b.mesh_y);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.crossbar_rows, b.crossbar_rows);
  EXPECT_EQ(a.energy_table, b.energy_table);
  const std::string e = test::input_error_message(
      [&] { parse_hw_config(replace(preset_text(), "x: 8", "x: 257"), "mem.yaml"); });
  EXPECT_NE(e.find("mem.yaml:5:11: mesh.x: expected an integer in [1, 256], got 257"),
            std::string::npos)
      << e;
}

TEST(HwConfig, ErrorsNameFileLineAndKeyPath) {
  const std::string base = preset_text();
  // Negative crossbar rows: line 7 of default.yaml holds core.crossbar.
  std::string e = load_error(replace(base, "rows: 256", "rows: -3"));
  EXPECT_NE(e.find("chip.yaml:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("core.crossbar.rows: expected an integer in [1, 4096], got -3"),
            std::string::npos)
      << e;
  e = load_error(replace(base, "clock_mhz: 500", "clock_mhz: fast"));
  EXPECT_NE(e.find("clock_mhz: expected an integer, got 'fast'"), std::string::npos) << e;
  e = load_error(replace(base, "routing: xy", "routing: yz"));
  EXPECT_NE(e.find("did you mean 'yx'"), std::string::npos) << e;
  e = load_error(replace(base, "flit_bits: 64", "flit_bits: 64\n  flitbits: 32"));
  EXPECT_NE(e.find("router.flitbits: unknown key (did you mean 'flit_bits'?)"), std::string::npos)
      << e;
  e = load_error(replace(base, "version: 1", "version: 9"));
  EXPECT_NE(e.find("unsupported hardware config version 9"), std::string::npos) << e;
  e = load_error(replace(base, "clock_mhz: 500", "clock_mhz: 500\nclock_mhz: 600"));
  EXPECT_NE(e.find("duplicate key"), std::string::npos) << e;
  e = load_error(replace(base, "mesh: {x: 8, y: 8}\n", ""));
  EXPECT_NE(e.find("mesh: missing required key"), std::string::npos) << e;
  e = load_error("mesh: [1, 2");
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
  e = load_error("");
  EXPECT_NE(e.find("empty"), std::string::npos) << e;
}

TEST(HwConfig, PlacementIsOptionalAndChecked) {
  const std::string text = preset_text();
  EXPECT_EQ(parse_hw_config(text, "d.yaml").placement, "metis"); // absent: the fallback
  EXPECT_EQ(parse_hw_config(text, "d.yaml", {"compiler.placement=greedy"}).placement, "greedy");
  EXPECT_EQ(parse_hw_config(text + "compiler: {placement: greedy}\n", "d.yaml").placement, "greedy");
  EXPECT_EQ(parse_hw_config(text + "compiler: {}\n", "d.yaml").placement, "metis");
  const std::string bad = load_error(text, {"compiler.placement=scotch"});
  EXPECT_NE(bad.find("-p compiler.placement=scotch: expected one of greedy, metis, got 'scotch'"),
            std::string::npos)
      << bad;
  const std::string in_file = load_error(text + "compiler:\n  placement: metiss\n");
  EXPECT_NE(in_file.find("compiler.placement: expected one of greedy, metis, got 'metiss'"),
            std::string::npos)
      << in_file;
  // A misspelt key in the compiler section is still an error, not silently the fallback.
  const std::string typo = load_error(text + "compiler:\n  placment: metis\n");
  EXPECT_NE(typo.find("placment"), std::string::npos) << typo;
}

TEST(HwConfig, TickIsOptionalAndChecked) {
  const std::string text = preset_text();
  EXPECT_EQ(parse_hw_config(text, "d.yaml").tick_hz, 0); // absent: no real-time tick
  EXPECT_EQ(parse_hw_config(text + "tick_hz: 1000\n", "d.yaml").tick_hz, 1000);
  EXPECT_EQ(parse_hw_config(text, "d.yaml", {"tick_hz=250"}).tick_hz, 250);
  const auto tn = load_hw_config(std::string(GRANITA_SOURCE_DIR) + "/configs/hw/truenorth.yaml");
  EXPECT_EQ(tn.tick_hz, 1000); // TrueNorth: 1 ms ticks at real time (Akopyan et al. 2015)
  // Bad values name the file, line and key with the accepted range.
  std::string e = load_error(text + "tick_hz: 0\n");
  EXPECT_NE(e.find("chip.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("tick_hz: expected an integer in [1, 1000000], got 0"), std::string::npos) << e;
  e = load_error(text + "tick_hz: 1kHz\n");
  EXPECT_NE(e.find("chip.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("tick_hz: expected an integer, got '1kHz'"), std::string::npos) << e;
  e = load_error(text + "tick_hz: 1e3\n");
  EXPECT_NE(e.find("tick_hz: expected an integer"), std::string::npos) << e;
  e = load_error(text + "tick_hz: -1000\n");
  EXPECT_NE(e.find("tick_hz: expected an integer in [1, 1000000], got -1000"), std::string::npos)
      << e;
  e = load_error(text, {"tick_hz=2000000"});
  EXPECT_NE(e.find("-p tick_hz=2000000: expected an integer in [1, 1000000], got 2000000"),
            std::string::npos)
      << e;
  e = load_error(text + "tick_hz: 1000\ntick_hz: 1000\n");
  EXPECT_NE(e.find("duplicate key"), std::string::npos) << e;
  e = load_error(text + "tick_hzz: 1000\n");
  EXPECT_NE(e.find("tick_hzz: unknown key (did you mean 'tick_hz'?)"), std::string::npos) << e;
}

} // namespace
} // namespace granita::config
