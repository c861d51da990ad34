// SPDX-License-Identifier: Apache-2.0
// The one parameter table: the reader, the known keys, `granita describe` and docs/hw-config.md
// all follow it.
#include "src/config/hw_config.h"
#include "src/config/hw_params.h"
#include "src/util/file_io.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <set>

namespace granita::config {
namespace {

const std::filesystem::path kSource = GRANITA_SOURCE_DIR;

TEST(HwParams, DocsHoldTheGeneratedTable) {
  const std::string doc = read_file(kSource / "docs" / "hw-config.md");
  const std::string begin = "<!-- hw-params:begin -->\n", end = "<!-- hw-params:end -->";
  const size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), hw_params_markdown())
      << "docs/hw-config.md's parameter table drifted from src/config/hw_params.cpp; put this "
         "between the markers:\n"
      << hw_params_markdown();
}

TEST(HwParams, TheReaderTakesExactlyTheTablesKeys) {
  std::vector<std::string> keys;
  for (const HwParam &p : hw_params())
    keys.push_back(p.key);
  EXPECT_EQ(hw_config_key_paths(), keys);
  // Every preset sets every required key, and reads back each table value; an optional Int
  // (tick_hz) the preset leaves out reads as 0 (none).
  for (const char *preset : {"default", "edge", "bert-base", "truenorth"}) {
    const HwConfig c = load_hw_config(kSource / "configs" / "hw" / (std::string(preset) + ".yaml"));
    for (const HwParam &p : hw_params()) {
      if (p.int_field && p.fallback && c.*p.int_field == 0) {
        EXPECT_NE(std::string(preset), "truenorth") << p.key; // TrueNorth sets its tick
      } else if (p.int_field) {
        EXPECT_TRUE(c.*p.int_field >= p.lo && c.*p.int_field <= p.hi) << preset << " " << p.key;
      }
    }
  }
  // A value out of the table's range is refused with the table's range.
  const std::string text = read_file(kSource / "configs" / "hw" / "default.yaml");
  const std::string msg = test::input_error_message(
      [&] { parse_hw_config(text, "d.yaml", {"core.accumulate.lanes=0"}); });
  EXPECT_NE(msg.find("-p core.accumulate.lanes=0: expected an integer in [1, 65536], got 0"),
            std::string::npos)
      << msg;
}

TEST(HwParams, EveryKeyHasOneBlockAndAType) {
  std::set<std::string> keys;
  for (const HwParam &p : hw_params()) {
    EXPECT_TRUE(keys.insert(p.key).second) << p.key;
    EXPECT_FALSE(std::string(p.block).empty()) << p.key;
    EXPECT_FALSE(hw_param_type(p).empty()) << p.key;
    EXPECT_TRUE((p.kind == HwParam::Kind::Int) == (p.int_field != nullptr) || std::string(p.key) == "version")
        << p.key;
  }
  EXPECT_EQ(hw_param_type(hw_params()[0]), "1"); // version: exactly 1
}

} // namespace
} // namespace granita::config
