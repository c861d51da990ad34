// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a sweep: one `granita run` child process per point (a SystemC kernel elaborates only
// once per process), a local pool of N children, results appended to DIR/results.jsonl.

#include "sim/sweep/sweep_spec.h"

#include <filesystem>
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

/// Runs every point that has no row in the store yet. Failed points are recorded and do not
/// stop the sweep. Returns 0 when the sweep ran to the end (also with failed points).
int run_sweep(const SweepRunOptions &o);

/// `granita report DIR`: runs scripts/sweep-report (Python, matplotlib) on a sweep folder and
/// returns its exit code.
int run_sweep_report(const std::filesystem::path &dir);

} // namespace granita::sweep
