// SPDX-License-Identifier: Apache-2.0
// The local back end of `granita sweep`: N child `granita run`s at once, each point's row
// appended to the store as it ends; and `granita report`, which runs scripts/sweep-report.
#include "sweep/result_store.h"
#include "sweep/sweep_runner.h"
#include "src/util/error.h"
#include "src/util/progress.h"
#include "src/util/subprocess.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace granita::sweep {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int run_sweep(const SweepRunOptions &o) {
  if (o.jobs < 1)
    throw InputError({}, "-j", "expected at least 1 job");
  const PreparedSweep ps = prepare_sweep(o.spec, o.out_dir);
  const fs::path &dir = ps.dir;
  ResultStore store(dir / "results.jsonl");
  print_store_warnings(store);
  merge_row_files(ps, store); // results of Slurm tasks not collected yet
  const std::vector<const SweepPoint *> todo = points_to_run(ps, store, o.retry_failed);

  std::printf("sweep %s: %zu points, %zu already in %s, %zu to run with %d job%s\n",
              ps.spec.name.c_str(), ps.points.size(), ps.points.size() - todo.size(),
              (dir / "results.jsonl").string().c_str(), todo.size(), o.jobs,
              o.jobs == 1 ? "" : "s");
  std::fflush(stdout);

  struct Running {
    const SweepPoint *point;
    Clock::time_point start;
  };
  std::map<pid_t, Running> running;
  size_t next = 0, finished = 0, failed = 0;
  ProgressBar bar("sweep " + ps.spec.name, todo.size());
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < size_t(o.jobs)) {
      const SweepPoint &p = *todo[next++];
      running[start_point(ps, p, o.granita_exe)] = {&p, Clock::now()};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR)
        continue;
      throw InputError("waiting for the sweep's child processes failed");
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue;
    const SweepPoint &p = *it->second.point;
    const double wall = std::chrono::duration<double>(Clock::now() - it->second.start).count();
    running.erase(it);

    const nlohmann::json row = point_row(ps, p, status, wall, "local");
    const std::string error = row.value("error", "");
    store.append(row);
    export_results_csv(ps, store);
    ++finished;
    failed += error.empty() ? 0 : 1;
    std::printf("[%zu/%zu] %-6s %6.1f s  %s  %s\n", finished, todo.size(),
                error.empty() ? "ok" : "failed", wall, p.hash.substr(0, 12).c_str(),
                describe_point(p).c_str());
    if (!error.empty()) {
      std::string brief = error.substr(0, 240);
      std::replace(brief.begin(), brief.end(), '\n', ' ');
      std::printf("         %s\n", brief.c_str());
    }
    std::fflush(stdout);
    bar.update(finished);
  }
  bar.finish();
  export_results_csv(ps, store);
  std::printf("sweep %s: %zu run, %zu failed; results in %s and %s\n", ps.spec.name.c_str(),
              finished, failed, (dir / "results.jsonl").string().c_str(),
              (dir / "results.csv").string().c_str());
  // Exit 3 (partial) while any point of the sweep lacks a successful result.
  const size_t missing = points_to_run(ps, store, true).size();
  if (missing > 0)
    std::printf("sweep %s: %zu of %zu points have no successful result (exit code 3); "
                "--retry-failed runs them again\n",
                ps.spec.name.c_str(), missing, ps.points.size());
  return missing > 0 ? 3 : 0;
}

int run_sweep_report(const fs::path &dir, const fs::path &out) {
  if (!fs::exists(dir / "results.jsonl"))
    throw InputError({dir.string()}, "", "no results.jsonl here; run `granita sweep` first");
  const char *env = std::getenv("GRANITA_SWEEP_REPORT");
  const fs::path script = env && *env ? fs::path(env) : fs::path(GRANITA_SCRIPTS_DIR) / "sweep-report";
  if (!fs::exists(script))
    throw InputError({script.string()}, "", "report script not found");
  std::vector<std::string> argv = {"/usr/bin/python3", script.string(), dir.string()};
  if (!out.empty()) {
    std::error_code ec;
    if (!fs::is_directory(out, ec))
      throw InputError({}, "--out " + out.string(), "no such folder (create it first)");
    argv.push_back("--out");
    argv.push_back(out.string());
  }
  const int code = proc::run(argv);
  if (code == proc::kNotStarted)
    throw InputError({"/usr/bin/python3"}, "", "cannot run the report script");
  return code;
}

} // namespace granita::sweep
