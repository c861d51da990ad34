// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a sweep: one `granita run` child process per point (a SystemC kernel elaborates only
// once per process), a local pool of N children, results appended to DIR/results.jsonl.

#include "sweep/result_store.h"
#include "sweep/sweep_spec.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace granita::sweep {

/// Options of `granita sweep`.
struct SweepRunOptions {
  std::filesystem::path spec;
  std::filesystem::path out_dir;
  std::filesystem::path granita_exe; // the binary that runs each point (`granita run`)
  int jobs = 1;
  bool retry_failed = false; // rerun points whose last row has status failed
};

/// Rows of the seeded sentence sample: the header and the chosen data lines of a GLUE TSV, in
/// file order. All lines are kept when `count` is at least the number of data lines.
std::string sample_tsv(const std::string &tsv_text, size_t count, uint64_t seed);

/// The `granita run` arguments of one point (without the program name).
std::vector<std::string> point_run_args(const SweepSpec &spec, const SweepPoint &p,
                                        const std::filesystem::path &data,
                                        const std::filesystem::path &json_out);

/// A sweep folder ready to run points: the spec, its points in order, the sentence file.
struct PreparedSweep {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::map<std::string, std::filesystem::path> data; // task -> the TSV its points read (absolute)
  std::filesystem::path dir;
};

/// Loads and checks a spec (every point's config, models, energy tables), creates the sweep
/// folder with spec.yaml and the sentence sample.
PreparedSweep prepare_sweep(const std::filesystem::path &spec, const std::filesystem::path &dir);
/// Opens an existing sweep folder from its spec.yaml, writing nothing (Slurm tasks, --collect).
PreparedSweep open_sweep(const std::filesystem::path &dir);

/// "key=value ..." of a point's axes, for progress lines and messages.
std::string describe_point(const SweepPoint &p);

/// The child command of a point: `granita run ...` writing DIR/points/<hash>.json.
std::vector<std::string> point_command(const PreparedSweep &ps, const SweepPoint &p,
                                       const std::filesystem::path &granita_exe);
/// The store row of a point whose child ended with `wait_status` (as from waitpid). `runner`
/// says where it ran ("local", or "slurm:JOB_TASK"); --collect uses it to merge each result once.
nlohmann::json point_row(const PreparedSweep &ps, const SweepPoint &p, int wait_status,
                         double wall_s, const std::string &runner);
/// A point's file in DIR/points: <hash><ext> (".json" report, ".log", ".stderr", ".row.json").
std::filesystem::path point_file(const std::filesystem::path &dir, const SweepPoint &p,
                                 const char *ext);
/// Starts a point's child (killed if this process dies) after removing an earlier report.
pid_t start_point(const PreparedSweep &ps, const SweepPoint &p,
                  const std::filesystem::path &granita_exe);
/// Runs one point's child to the end and returns its row.
nlohmann::json run_point(const PreparedSweep &ps, const SweepPoint &p,
                         const std::filesystem::path &granita_exe, const std::string &runner);

/// Appends to the store every DIR/points/<hash>.row.json (written by Slurm tasks) whose runner
/// differs from the latest stored row of that point. Returns how many rows were appended.
size_t merge_row_files(const PreparedSweep &ps, ResultStore &store);
/// Points without a stored row (or whose latest row failed, with `retry_failed`), in spec order.
std::vector<const SweepPoint *> points_to_run(const PreparedSweep &ps, const ResultStore &store,
                                              bool retry_failed);
/// Rewrites DIR/results.csv (atomically): the latest row per point, in spec order.
void export_results_csv(const PreparedSweep &ps, const ResultStore &store);
void print_store_warnings(const ResultStore &store);

/// Runs every point that has no row in the store yet. Failed points are recorded and do not
/// stop the sweep. Returns 0 when the sweep ran to the end (also with failed points).
int run_sweep(const SweepRunOptions &o);

/// `granita report DIR`: runs scripts/sweep-report (Python, matplotlib) on a sweep folder and
/// returns its exit code.
/// Runs scripts/sweep-report on `dir`; `out` (optional) is the folder for report.md and plots.
int run_sweep_report(const std::filesystem::path &dir, const std::filesystem::path &out = {});

} // namespace granita::sweep
