// SPDX-License-Identifier: Apache-2.0
#pragma once

// What Granita asks of Slurm, shared by the sweep back end (slurm_backend.h) and sharded
// `granita run` (run_slurm.h): the sbatch command of a job array, its submission, which array
// tasks are still pending or running (squeue), and the record of submitted jobs.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace granita::sweep::slurm {

/// The user's say in a submission.
struct JobOptions {
  std::string partition;                // --partition, empty: the cluster default
  std::string time_limit;               // --time per task, empty: the partition default
  std::vector<std::string> sbatch_args; // passed to sbatch as they are
};

/// The sbatch command line (program first) of a job array: `array` is Slurm's --array value
/// ("0-6", "1,4,7"); logs go to log_dir/JOB_TASK.out/.err; tasks start in `workdir`.
std::vector<std::string> sbatch_command(const JobOptions &o, const std::string &job_name,
                                        const std::string &array,
                                        const std::filesystem::path &log_dir,
                                        const std::filesystem::path &workdir,
                                        const std::filesystem::path &script);

/// The --array value of task ids (ascending, distinct): runs collapse into ranges ("0-3,7").
std::string array_spec(const std::vector<size_t> &ids);

/// Runs an sbatch command and returns the job id it printed (--parsable). Throws InputError
/// naming `option` when sbatch is missing, fails or prints no id.
std::string submit(const std::vector<std::string> &cmd, const std::string &option);

/// Parses `squeue --noheader --array --format=%F_%K` output into "JOB_TASK" ids; a range line
/// such as "12_[3-5,7]" (possible for pending arrays) is expanded.
std::set<std::string> parse_squeue_tasks(const std::string &out);

/// The "JOB_TASK" ids of the array tasks of these job records (load_jobs) still pending or
/// running. Sets `known` to false (with a warning on stderr naming `who`) when squeue cannot be
/// asked.
std::set<std::string> live_tasks(const nlohmann::json &jobs, bool *known, const std::string &who);

/// --collect --wait: polls squeue every 2 s until none of these jobs' array tasks is pending or
/// running (or squeue cannot say), with a progress bar `label` of `done()` out of `total`.
void wait_for_jobs(const nlohmann::json &jobs, const std::string &who, const std::string &label,
                   size_t total, const std::function<size_t()> &done, bool *known);

/// Single-quotes a word for sh.
std::string shell_quote(const std::string &s);

/// Writes an executable sh script atomically.
void write_script(const std::filesystem::path &path, const std::string &body);

/// DIR/slurm: the Slurm side of a sweep or sharded-run folder (scripts, plans, logs, jobs.json).
std::filesystem::path folder(const std::filesystem::path &dir);
/// DIR/slurm/jobs.json: the record of the folder's submitted job arrays.
std::filesystem::path jobs_file(const std::filesystem::path &dir);

/// The submitted-jobs record (a JSON array of objects with a string "job" and the string fields
/// in `required`); an absent file is an empty record. Throws InputError naming the file.
nlohmann::json load_jobs(const std::filesystem::path &file,
                         const std::vector<std::string> &required);

} // namespace granita::sweep::slurm
