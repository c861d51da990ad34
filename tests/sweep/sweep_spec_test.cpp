// SPDX-License-Identifier: Apache-2.0
#include "sweep/sweep_spec.h"
#include "src/util/error.h"

#include <gtest/gtest.h>

#include <set>

namespace granita::sweep {
namespace {

const std::string kHead = "version: 1\nname: t\nmodel: models/sst2-sorbet\nhw: configs/hw/edge.yaml\n"
                          "task: SST-2\nsentences: {count: 4, seed: 7}\n";

std::string error_of(const std::string &text) {
  try {
    parse_sweep_spec(text, "spec.yaml");
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, GridExpandsFirstAxisSlowest) {
  const SweepSpec s = parse_sweep_spec(
      kHead + "axes:\n  mesh.x: [4, 8]\n  encoding: [rate, bitserial]\n  energy_table: [a, b, c]\n",
      "spec.yaml");
  EXPECT_EQ(s.mode, SweepMode::grid);
  EXPECT_EQ(s.sentence_count, 4);
  EXPECT_EQ(s.sentence_seed, 7u);
  const auto pts = expand_sweep(s);
  ASSERT_EQ(pts.size(), 12u);
  EXPECT_EQ(pts[0].values[0].second, "4");
  EXPECT_EQ(pts[0].values[2].second, "a");
  EXPECT_EQ(pts[1].values[2].second, "b");
  EXPECT_EQ(pts[3].values[1].second, "bitserial");
  EXPECT_EQ(pts[6].values[0].second, "8");
  EXPECT_EQ(pts[11].hw_params, (std::vector<std::string>{"mesh.x=8", "encoding=bitserial"}));
  EXPECT_EQ(pts[11].energy_table, "c");
  std::set<std::string> hashes;
  for (const auto &p : pts) {
    EXPECT_EQ(p.hash.size(), 64u);
    hashes.insert(p.hash);
  }
  EXPECT_EQ(hashes.size(), 12u);
  // Deterministic: the same spec gives the same hashes.
  EXPECT_EQ(expand_sweep(s)[5].hash, pts[5].hash);
}

TEST(SweepSpec, TaskAxisZippedWithModels) {
  const std::string head = "version: 1\nname: t\nhw: configs/hw/edge.yaml\n"
                           "sentences: {count: 4}\nmodel: [m/sst2, m/mrpc]\n";
  const SweepSpec s = parse_sweep_spec(
      head + "mode: zip\naxes:\n  task: [sst-2, MRPC]\n", "spec.yaml");
  EXPECT_TRUE(s.task.empty());
  const auto pts = expand_sweep(s);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].task, "SST-2"); // canonical name
  EXPECT_EQ(pts[0].model, "m/sst2");
  EXPECT_EQ(pts[1].task, "MRPC");
  EXPECT_EQ(pts[1].model, "m/mrpc");
  EXPECT_TRUE(pts[1].hw_params.empty());
  EXPECT_NE(pts[1].canonical_text.find("task=MRPC\n"), std::string::npos);
  EXPECT_NE(error_of(head + "task: SST-2\nmode: zip\naxes:\n  task: [SST-2, MRPC]\n")
                .find("spec.yaml:6:7: task: task is also an axis"),
            std::string::npos);
  EXPECT_NE(error_of(head + "mode: zip\naxes:\n  task: [SST-2, sst-2]\n")
                .find("axes.task[1]: duplicate task 'SST-2'"),
            std::string::npos);
  EXPECT_NE(error_of(head + "mode: zip\naxes:\n  task: [SST-2, XNLI]\n")
                .find("axes.task[1]: unknown GLUE task 'XNLI'"),
            std::string::npos);
}

TEST(SweepSpec, FixedTaskIsPartOfEveryPointsIdentity) {
  const auto a = expand_sweep(parse_sweep_spec(kHead + "axes:\n  mesh.x: [4]\n", "s.yaml"));
  std::string other = kHead;
  other.replace(other.find("SST-2"), 5, "RTE");
  const auto b = expand_sweep(parse_sweep_spec(other + "axes:\n  mesh.x: [4]\n", "s.yaml"));
  EXPECT_EQ(a[0].task, "SST-2");
  EXPECT_NE(a[0].canonical_text.find("task=SST-2\n"), std::string::npos);
  EXPECT_NE(a[0].hash, b[0].hash);
}

TEST(SweepSpec, ZipPairsValues) {
  const auto pts = expand_sweep(parse_sweep_spec(
      kHead + "mode: zip\naxes:\n  core.crossbar.rows: [64, 128]\n  core.crossbar.cols: [32, 256]\n",
      "spec.yaml"));
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[1].hw_params,
            (std::vector<std::string>{"core.crossbar.rows=128", "core.crossbar.cols=256"}));
}

TEST(SweepSpec, ZipGroupsInsideAGrid) {
  const SweepSpec s = parse_sweep_spec(
      kHead + "axes:\n  core.crossbar.rows: [64, 128]\n  mesh.x: [2, 4, 8]\n"
              "  core.crossbar.cols: [32, 256]\nzip: [[core.crossbar.rows, core.crossbar.cols]]\n",
      "spec.yaml");
  ASSERT_EQ(s.dims.size(), 2u);
  const auto pts = expand_sweep(s);
  ASSERT_EQ(pts.size(), 6u);
  EXPECT_EQ(pts[0].hw_params,
            (std::vector<std::string>{"core.crossbar.rows=64", "mesh.x=2", "core.crossbar.cols=32"}));
  EXPECT_EQ(pts[5].hw_params, (std::vector<std::string>{"core.crossbar.rows=128", "mesh.x=8",
                                                        "core.crossbar.cols=256"}));
  EXPECT_NE(error_of(kHead + "axes:\n  mesh.x: [2, 4]\nzip: [[mesh.x, mesh.y]]\n")
                .find("'mesh.y' is not an axis"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "axes:\n  mesh.x: [2, 4]\n  mesh.y: [2]\nzip: [[mesh.x, mesh.y]]\n")
                .find("equal length"),
            std::string::npos);
}

TEST(SweepSpec, ZipLengthMismatch) {
  const std::string e = error_of(
      kHead + "mode: zip\naxes:\n  core.crossbar.rows: [64, 128]\n  core.crossbar.cols: [32]\n");
  EXPECT_NE(e.find("spec.yaml:10"), std::string::npos) << e;
  EXPECT_NE(e.find("axes.core.crossbar.cols"), std::string::npos) << e;
  EXPECT_NE(e.find("equal length"), std::string::npos) << e;
}

TEST(SweepSpec, RandomIsSeededDistinctAndInGridOrder) {
  const std::string axes =
      "axes:\n  mesh.x: [1, 2, 3, 4, 5]\n  mesh.y: [1, 2, 3, 4, 5]\n  clock_mhz: [100, 200]\n";
  const SweepSpec s = parse_sweep_spec(kHead + "mode: random\nsamples: 7\nseed: 3\n" + axes,
                                       "spec.yaml");
  const auto a = expand_sweep(s), b = expand_sweep(s);
  ASSERT_EQ(a.size(), 7u);
  std::set<std::string> hashes;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].hash, b[i].hash);
    EXPECT_EQ(a[i].index, i);
    hashes.insert(a[i].hash);
  }
  EXPECT_EQ(hashes.size(), 7u);
  const auto other = expand_sweep(
      parse_sweep_spec(kHead + "mode: random\nsamples: 7\nseed: 4\n" + axes, "spec.yaml"));
  bool differs = false;
  for (size_t i = 0; i < 7; ++i)
    differs |= other[i].hash != a[i].hash;
  EXPECT_TRUE(differs);
  // More samples than points: the whole grid.
  EXPECT_EQ(expand_sweep(parse_sweep_spec(kHead + "mode: random\nsamples: 99\n" + axes,
                                          "spec.yaml"))
                .size(),
            50u);
}

TEST(SweepSpec, ModelListIsTheSlowestAxis) {
  const auto pts = expand_sweep(parse_sweep_spec(
      "version: 1\nname: t\nmodel: [m1, m2]\nhw: h.yaml\ntask: SST-2\nsentences: all\n"
      "axes:\n  mesh.x: [4, 8]\n",
      "spec.yaml"));
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_EQ(pts[0].model, "m1");
  EXPECT_EQ(pts[1].model, "m1");
  EXPECT_EQ(pts[2].model, "m2");
}

TEST(SweepSpec, UnknownAxisSuggestsClosestKey) {
  const std::string e = error_of(kHead + "axes:\n  core.crossbar.rowz: [64]\n");
  EXPECT_NE(e.find("spec.yaml:8:3: axes.core.crossbar.rowz"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'core.crossbar.rows'"), std::string::npos) << e;
}

TEST(SweepSpec, OtherErrors) {
  EXPECT_NE(error_of(kHead + "axes:\n  mesh.x: [4, 4]\n").find("duplicate value"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "axes:\n  mesh.x: []\n").find("non-empty list"), std::string::npos);
  EXPECT_NE(error_of(kHead + "axes: {}\nmode: grd\n").find("mode"), std::string::npos);
  EXPECT_NE(error_of(kHead + "axes: {}\nsamples: 3\n").find("only used with mode: random"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "axes: {}\nmetrics: [energi]\n").find("did you mean 'energy'"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "axes: {}\nextra: 1\n").find("extra"), std::string::npos);
  EXPECT_NE(error_of("version: 2\n" + kHead.substr(11) + "axes: {}\n").find("version"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "axes: {}\n" + "task: nope\n").find("task"), std::string::npos);
  EXPECT_NE(error_of("version: 1\nname: t\nmodel: m\nhw: h\ntask: SST-2\nsentences: some\naxes: {}\n")
                .find("sentences"),
            std::string::npos);
  // A grid beyond the point limit is refused before it is expanded.
  std::string big = kHead + "axes:\n";
  for (const char *k : {"mesh.x", "mesh.y", "clock_mhz", "core.crossbar.rows"}) {
    big += std::string("  ") + k + ": [";
    for (int i = 1; i <= 20; ++i)
      big += (i > 1 ? ", " : "") + std::to_string(i);
    big += "]\n";
  }
  EXPECT_NE(error_of(big).find("mode: random"), std::string::npos);
}

TEST(SweepSpec, NoAxesIsOnePoint) {
  const auto pts = expand_sweep(parse_sweep_spec(kHead + "axes: {}\n", "spec.yaml"));
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_TRUE(pts[0].hw_params.empty());
}

} // namespace
} // namespace granita::sweep
