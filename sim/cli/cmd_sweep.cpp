// SPDX-License-Identifier: Apache-2.0
// granita sweep / granita report: design-space sweeps (docs/sweeps.md).
#include "sim/cli/commands.h"
#include "sim/sweep/sweep_runner.h"
#include "src/util/error.h"

#include <filesystem>

namespace granita::cli {

int run_sweep_cmd(const SweepOptions &o) {
  sweep::SweepRunOptions r;
  r.spec = o.spec;
  r.out_dir = o.out_dir;
  r.jobs = o.jobs;
  r.retry_failed = o.retry_failed;
  // Each point runs in a child `granita run` of this very binary.
  std::error_code ec;
  r.granita_exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw InputError("cannot find the running granita binary (/proc/self/exe): " + ec.message());
  return sweep::run_sweep(r);
}

int run_report_cmd(const std::string &dir) { return sweep::run_sweep_report(dir); }

} // namespace granita::cli
