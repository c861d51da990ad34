// SPDX-License-Identifier: Apache-2.0
// The pure parts of the Slurm back end: chunking, the sbatch command, squeue parsing, merging
// task rows into the store, and the store's one-writer lock. The round trip through a real
// Slurm is tests/sweep/design_space_test.sh.
#include "sweep/result_store.h"
#include "sweep/slurm_backend.h"
#include "sweep/slurm_client.h"
#include "sweep/sweep_runner.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace granita::sweep {
namespace {

namespace fs = std::filesystem;

TEST(SlurmChunks, OnePointPerTaskByDefault) {
  EXPECT_EQ(chunk_bounds(3, 0), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(chunk_bounds(0, 0), (std::vector<size_t>{0}));
}

TEST(SlurmChunks, ExplicitChunkLeavesAShortLastTask) {
  EXPECT_EQ(chunk_bounds(12, 5), (std::vector<size_t>{0, 5, 10, 12}));
}

TEST(SlurmChunks, AutomaticChunkStaysWithinMaxArraySize) {
  const auto b = chunk_bounds(2500, 0); // 3 points per task -> 834 tasks
  EXPECT_EQ(b.size() - 1, 834u);
  EXPECT_LE(b.size() - 1, kMaxArrayTasks);
  EXPECT_EQ(b.back(), 2500u);
}

TEST(SlurmSbatch, CommandCarriesArrayLogsWorkdirAndUserOptions) {
  SlurmSubmitOptions o;
  o.partition = "short";
  o.time_limit = "10:00";
  o.sbatch_args = {"--mem=2G"};
  const auto cmd = sbatch_command(o, "granita-x", 7, "/d/slurm", "/w", "/d/slurm/task.sh");
  auto has = [&](const std::string &a) { return std::find(cmd.begin(), cmd.end(), a) != cmd.end(); };
  EXPECT_EQ(cmd.front(), "sbatch");
  EXPECT_EQ(cmd.back(), "/d/slurm/task.sh");
  EXPECT_TRUE(has("--parsable"));
  EXPECT_TRUE(has("--array=0-6"));
  EXPECT_TRUE(has("--output=/d/slurm/%A_%a.out"));
  EXPECT_TRUE(has("--chdir=/w"));
  EXPECT_TRUE(has("--partition=short"));
  EXPECT_TRUE(has("--time=10:00"));
  EXPECT_TRUE(has("--mem=2G"));
  SlurmSubmitOptions plain;
  const auto cmd2 = sbatch_command(plain, "g", 1, "/l", "/w", "/s");
  EXPECT_TRUE(std::none_of(cmd2.begin(), cmd2.end(), [](const std::string &a) {
    return a.rfind("--partition", 0) == 0 || a.rfind("--time", 0) == 0;
  }));
}

TEST(SlurmSqueue, ParsesRunningAndExpandsPendingRanges) {
  const auto ids = slurm::parse_squeue_tasks("41_0\n41_1\n42_[3-5,7%2]\n\n43_[9]\n");
  EXPECT_EQ(ids, (std::set<std::string>{"41_0", "41_1", "42_3", "42_4", "42_5", "42_7", "43_9"}));
}

TEST(SlurmSqueue, IgnoresNonTaskLines) {
  EXPECT_TRUE(slurm::parse_squeue_tasks("garbage\n").empty());
  EXPECT_EQ(slurm::parse_squeue_tasks("5_[x-y,2]\n"), (std::set<std::string>{"5_2"}));
}

TEST(SlurmArray, RunsCollapseIntoRanges) {
  EXPECT_EQ(slurm::array_spec({0, 1, 2, 3}), "0-3");
  EXPECT_EQ(slurm::array_spec({0, 2, 3, 4, 7}), "0,2-4,7");
  EXPECT_EQ(slurm::array_spec({5}), "5");
  EXPECT_EQ(slurm::array_spec({}), "");
}

TEST(SlurmScript, QuotesWordsForSh) {
  EXPECT_EQ(slurm::shell_quote("a b"), "'a b'");
  EXPECT_EQ(slurm::shell_quote("it's"), "'it'\\''s'");
}

class MergeRows : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("granita_merge_test_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "points");
    m_ps.dir = m_dir;
    m_ps.spec.name = "t";
    for (const char *h : {"aaa", "bbb"}) {
      SweepPoint p;
      p.index = m_ps.points.size();
      p.hash = h;
      m_ps.points.push_back(p);
    }
  }
  void TearDown() override { fs::remove_all(m_dir); }
  void write_row(const std::string &hash, const std::string &runner, const std::string &status) {
    nlohmann::json r = {{"hash", hash}, {"runner", runner}, {"status", status}};
    write_file_atomic(m_dir / "points" / (hash + ".row.json"), r.dump() + "\n");
  }
  fs::path m_dir;
  PreparedSweep m_ps;
};

TEST_F(MergeRows, EachTaskResultIsMergedOnce) {
  write_row("aaa", "slurm:1_0", "failed");
  {
    ResultStore store(m_dir / "results.jsonl");
    EXPECT_EQ(merge_row_files(m_ps, store), 1u);
    EXPECT_EQ(merge_row_files(m_ps, store), 0u);
    const auto todo = points_to_run(m_ps, store, false);
    ASSERT_EQ(todo.size(), 1u);
    EXPECT_EQ(todo[0]->hash, "bbb");
    EXPECT_EQ(points_to_run(m_ps, store, true).size(), 2u); // --retry-failed
  }
  // A retry by another task replaces the row; reopening the store does not merge it twice.
  write_row("aaa", "slurm:2_0", "ok");
  write_row("bbb", "slurm:2_1", "ok");
  {
    ResultStore store(m_dir / "results.jsonl");
    EXPECT_EQ(merge_row_files(m_ps, store), 2u);
  }
  ResultStore store(m_dir / "results.jsonl");
  EXPECT_EQ(merge_row_files(m_ps, store), 0u);
  EXPECT_EQ(store.contents().rows.size(), 3u);
  EXPECT_TRUE(points_to_run(m_ps, store, true).empty());
}

TEST_F(MergeRows, IgnoresARowFileOfAnotherPoint) {
  write_row("zzz", "slurm:1_0", "ok");
  fs::rename(m_dir / "points" / "zzz.row.json", m_dir / "points" / "aaa.row.json");
  write_file_atomic(m_dir / "points" / "bbb.row.json", "{not json\n");
  ResultStore store(m_dir / "results.jsonl");
  EXPECT_EQ(merge_row_files(m_ps, store), 0u);
  EXPECT_TRUE(store.contents().rows.empty());
}

TEST_F(MergeRows, StoreAdmitsOneWriterAtATime) {
  ResultStore first(m_dir / "results.jsonl");
  try {
    ResultStore second(m_dir / "results.jsonl");
    FAIL() << "a second writer opened a locked store";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("in use by another granita sweep"), std::string::npos)
        << e.what();
  }
}

} // namespace
} // namespace granita::sweep
