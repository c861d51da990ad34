// SPDX-License-Identifier: Apache-2.0
#pragma once

// The parts of `granita run` that split a run into shards and put them back together: --shard,
// --merge, and the Slurm back end (--backend slurm -o DIR, --collect DIR).

#include "sim/cli/commands.h"
#include "src/glue/glue_task.h"
#include "src/model/sorbet_model.h"
#include "src/report/run_report.h"

#include <string>
#include <utility>
#include <vector>

namespace granita::cli {

/// "I/N" of --shard as {I, N}; N = 0 when no shard is asked for.
std::pair<size_t, size_t> parse_shard(const std::string &s);

/// GLUE metrics of a report's sentences (the functional report computes them).
void fill_metrics(report::RunReport &rep, const model::SorbetModel &m, const glue::TaskInfo &task,
                  const std::vector<glue::Example> &examples);

/// --merge: shard reports of one run (same model, chip and sentences) into the run's report,
/// printed and written to o.json_out / o.csv_out.
int merge_shards(const RunOptions &o, const model::SorbetModel &m,
                 const std::vector<std::string> &files);

/// Options that --backend slurm cannot take or that make no sense with it; throws InputError.
void check_slurm_run_options(const RunOptions &o);

/// --backend slurm, after every input was checked: submits the run's shards.
int submit_sharded_run(const RunOptions &o, size_t sentences);

/// --collect DIR: where the shards stand; when all are in, the merged report (DIR/report.json,
/// DIR/report.csv, plus --json/--csv). Returns 0, or 3 while shards are missing.
int collect_sharded_run(const RunOptions &o);

} // namespace granita::cli
