// SPDX-License-Identifier: Apache-2.0
#pragma once

// The Slurm back end of `granita sweep` (docs/sweeps.md): the points still to run are written to
// a plan (DIR/slurm/plan-N.json: which points each array task runs) and submitted with `sbatch`
// as one job array. Each task runs `granita sweep-task`, which simulates its points one by one
// and writes each result row to DIR/points/<hash>.row.json (atomically). `granita sweep
// --collect DIR` merges those rows into DIR/results.jsonl and reports what is missing or failed;
// submitting again runs only the points with neither a row nor a live task.

#include "sweep/sweep_runner.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace granita::sweep {

/// Slurm's default MaxArraySize is 1001 (task ids 0..1000); plans stay below it by chunking.
constexpr size_t kMaxArrayTasks = 1000;

struct SlurmSubmitOptions {
  SweepRunOptions run;            // spec, out_dir, granita_exe, retry_failed (jobs unused)
  std::string partition;          // --partition, empty: the cluster default
  std::string time_limit;         // --time per task, empty: the partition default
  size_t chunk = 0;               // points per array task; 0: 1, or more above kMaxArrayTasks
  std::vector<std::string> sbatch_args; // passed to sbatch as they are
  bool dry_run = false;           // write the plan and script, print the command, submit nothing
};

/// Splits `n` points into array tasks of `chunk` points (0: automatic); returns the first point
/// index of every task plus a final `n`.
std::vector<size_t> chunk_bounds(size_t n, size_t chunk);

/// The sbatch command line (program first) that submits `tasks` array tasks of `script`.
std::vector<std::string> sbatch_command(const SlurmSubmitOptions &o, const std::string &job_name,
                                        size_t tasks, const std::filesystem::path &log_dir,
                                        const std::filesystem::path &workdir,
                                        const std::filesystem::path &script);

/// `granita sweep SPEC -o DIR --backend slurm`: merges finished rows, then submits one job array
/// for the points that have neither a row nor a pending/running task. Returns 0.
int submit_slurm_sweep(const SlurmSubmitOptions &o);

/// `granita sweep-task DIR --plan FILE --task I` (run by Slurm): simulates the points of task I.
/// Returns 0 when every point got a row (failed simulations are rows too).
int run_sweep_task(const std::filesystem::path &dir, const std::filesystem::path &plan,
                   long task, const std::filesystem::path &granita_exe);

/// `granita sweep --collect DIR [--wait]`: merges task rows into the store, rewrites
/// results.csv, prints ok/failed/missing points (missing ones with their Slurm task's state).
/// With `wait`, first polls squeue until the sweep's jobs have left the queue. Returns 0 when
/// every point has a row, 3 when some are missing.
int collect_sweep(const std::filesystem::path &dir, bool wait);

} // namespace granita::sweep
