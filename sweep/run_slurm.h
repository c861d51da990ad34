// SPDX-License-Identifier: Apache-2.0
#pragma once

// `granita run --backend slurm` (docs/chip.md "Runs on a cluster"): the sentences of one run are
// split into N shards (sentence i goes to shard i mod N, as --shard I/N does), submitted as one
// Slurm job array whose task I runs `granita run ... --shard I/N --json DIR/shards/shard-I.json`.
// The folder DIR keeps the run (DIR/run.json), the shard reports and the submitted jobs; the same
// command again submits only the shards that have neither a report nor a live task, so a killed
// or failed shard is rerun alone. `granita run --collect DIR` merges the shard reports into the
// run's report once all are there.

#include "sweep/slurm_client.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace granita::sweep {

/// A run to shard over a job array.
struct RunShardJob {
  std::filesystem::path dir;         // the run folder (-o)
  std::filesystem::path granita_exe; // the program array tasks start
  std::vector<std::string> args;     // `granita run` arguments without --shard/--json/-q/-j
  std::string model_dir;             // absolute, for --collect
  size_t shards = 0;                 // N
  size_t sentences = 0;              // sentences of the whole run
  slurm::JobOptions job;
  bool dry_run = false;              // write the run folder and script, print sbatch only
};

/// Writes (or checks) DIR/run.json, then submits the shards with neither a report nor a live task
/// as one job array. Throws InputError when DIR holds another run. Returns 0.
int submit_run_shards(const RunShardJob &j);

/// Where a sharded run stands.
struct RunShardStatus {
  nlohmann::json run;                  // DIR/run.json
  std::vector<std::filesystem::path> reports; // shard reports present, by shard
  std::map<size_t, std::string> queued;       // shard -> "JOB_TASK" of its live task
  std::vector<size_t> missing;                // shards with neither a report nor a live task
  bool squeue_known = true;                   // false: squeue did not answer
};

/// Reads DIR's run and shards; with `wait`, first polls squeue (every 2 s, with a progress bar)
/// until the run's tasks have left the queue. Throws InputError when DIR is not a sharded run.
RunShardStatus run_shard_status(const std::filesystem::path &dir, bool wait);

/// The shard report file of shard `i`.
std::filesystem::path shard_report(const std::filesystem::path &dir, size_t i);

} // namespace granita::sweep
