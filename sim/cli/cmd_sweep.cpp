// SPDX-License-Identifier: Apache-2.0
// granita sweep / granita report: design-space sweeps (docs/sweeps.md).
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "sweep/slurm_backend.h"
#include "sweep/sweep_runner.h"
#include "src/util/error.h"

#include <filesystem>

namespace granita::cli {

int run_sweep_cmd(const SweepOptions &o) {
  if (!o.collect_dir.empty()) {
    if (!o.spec.empty() || !o.out_dir.empty())
      throw InputError({}, "--collect", "takes only the sweep folder (no SPEC, no -o)");
    return sweep::collect_sweep(o.collect_dir, o.wait);
  }
  if (o.wait)
    throw InputError({}, "--wait", "goes with --collect DIR");
  if (o.spec.empty() || o.out_dir.empty())
    throw InputError({}, "sweep", "expected SPEC and -o DIR (or --collect DIR)");
  sweep::SweepRunOptions r;
  r.spec = o.spec;
  r.out_dir = o.out_dir;
  r.jobs = o.jobs;
  r.retry_failed = o.retry_failed;
  r.granita_exe = self_exe();
  const bool slurm_only = !o.partition.empty() || !o.time_limit.empty() || o.chunk != 0 ||
                          !o.sbatch_args.empty() || o.dry_run;
  if (o.backend == "local") {
    if (slurm_only)
      throw InputError({}, "--backend",
                       "--partition, --time, --chunk, --sbatch-arg and --dry-run need "
                       "--backend slurm");
    return sweep::run_sweep(r);
  }
  if (o.backend != "slurm")
    throw InputError({}, "--backend", "expected local or slurm, got '" + o.backend + "'");
  sweep::SlurmSubmitOptions s;
  s.run = r;
  s.partition = o.partition;
  s.time_limit = o.time_limit;
  s.chunk = o.chunk;
  s.sbatch_args = o.sbatch_args;
  s.dry_run = o.dry_run;
  return sweep::submit_slurm_sweep(s);
}

int run_sweep_task_cmd(const std::string &dir, const std::string &plan, long task) {
  return sweep::run_sweep_task(dir, plan, task, self_exe());
}

int run_report_cmd(const std::string &dir, const std::string &out) {
  return sweep::run_sweep_report(dir, out);
}

} // namespace granita::cli
