// SPDX-License-Identifier: Apache-2.0
#include "sweep/result_store.h"
#include "sweep/sweep_runner.h"
#include "src/util/file_io.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace granita::sweep {
namespace {

TEST(ResultStore, DropsTruncatedLastLine) {
  const std::string text = "{\"hash\":\"a\",\"status\":\"ok\"}\n{\"hash\":\"b\",\"status\":\"failed\"}\n"
                           "{\"hash\":\"c\",\"sta";
  const StoreContents c = parse_store(text, "r.jsonl");
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.partial_bytes, 16u);
  EXPECT_EQ(c.complete_bytes, text.size() - 16);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("r.jsonl:3: partial last line"), std::string::npos);
}

TEST(ResultStore, ReportsCorruptLinesAndKeepsLatestRow) {
  const StoreContents c = parse_store(
      "{\"hash\":\"a\",\"status\":\"failed\"}\nnot json\n[1]\n{\"hash\":\"a\",\"status\":\"ok\"}\n",
      "r.jsonl");
  EXPECT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.partial_bytes, 0u);
  const auto latest = latest_rows(c.rows);
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0]["status"], "ok");
}

TEST(ResultStore, OpenCutsPartialLineThenAppends) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("granita_store_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "results.jsonl";
  write_file_atomic(path, "{\"hash\":\"a\"}\n{\"hash\":\"b\",\"x\":");
  {
    ResultStore s(path);
    EXPECT_EQ(s.contents().rows.size(), 1u);
    s.append({{"hash", "c"}, {"status", "ok"}});
  }
  const StoreContents c = parse_store(read_file(path), "r");
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[1]["hash"], "c");
  std::filesystem::remove_all(dir);
}

TEST(ResultStore, CsvHasAxisAndComponentColumns) {
  std::vector<nlohmann::json> rows = {
      {{"hash", "h1"}, {"index", 0}, {"status", "ok"}, {"model", "m"},
       {"axes", {{"mesh.x", "4"}}}, {"metrics", {{"accuracy", 0.5}}},
       {"area_mm2", 2.5}, {"energy_pj_by_component", {{"router", 1.5}}}},
      {{"hash", "h2"}, {"index", 1}, {"status", "failed"}, {"model", "m"},
       {"axes", {{"mesh.x", "8"}}}, {"error", "bad, \"very\""}}};
  const std::string csv = rows_to_csv(rows, {"mesh.x"});
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "hash,index,status,model,mesh.x,accuracy,cycles_mean,cycles_p50,cycles_p99,"
            "latency_us_mean,energy_pj_per_sentence,area_mm2,core_area_mm2,power_mw,cores_powered,"
            "sentences,wall_s,energy_pj.router,error");
  EXPECT_NE(csv.find("h1,0,ok,m,4,0.5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",1.5,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",,2.5,,"), std::string::npos) << csv; // area beside the (absent) energy
  EXPECT_NE(csv.find("\"bad, \"\"very\"\"\""), std::string::npos) << csv;
}

TEST(SweepRunner, SampleKeepsHeaderOrderAndSeed) {
  std::string tsv = "sentence\tlabel\n";
  for (int i = 0; i < 20; ++i)
    tsv += "s" + std::to_string(i) + "\t" + std::to_string(i % 2) + "\n";
  const std::string a = sample_tsv(tsv, 5, 1), b = sample_tsv(tsv, 5, 1), c = sample_tsv(tsv, 5, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.rfind("sentence\tlabel\n", 0), 0u);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 6);
  EXPECT_EQ(sample_tsv(tsv, 50, 1), tsv);
}

} // namespace
} // namespace granita::sweep
