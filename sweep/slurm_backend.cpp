// SPDX-License-Identifier: Apache-2.0
#include "sweep/slurm_backend.h"

#include "sweep/result_store.h"
#include "sweep/slurm_client.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/log.h"
#include "src/util/strings.h"

#include <nlohmann/json.hpp>


#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

namespace granita::sweep {

namespace {

namespace fs = std::filesystem;


/// DIR/slurm/jobs.json: one record per submitted job array {job, plan, tasks, points}.
nlohmann::json load_jobs(const fs::path &dir) {
  return slurm::load_jobs(slurm::jobs_file(dir), {"plan"});
}

/// A plan: for each array task, the hashes of the points it runs.
std::vector<std::vector<std::string>> load_plan(const fs::path &f) {
  nlohmann::json j = nlohmann::json::parse(read_file(f), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tasks") || !j["tasks"].is_array())
    throw InputError({f.string()}, "tasks", "not a sweep plan (an object with a tasks list)");
  std::vector<std::vector<std::string>> tasks;
  for (const auto &t : j["tasks"]) {
    if (!t.is_array())
      throw InputError({f.string()}, "tasks", "every task must be a list of point hashes");
    std::vector<std::string> hashes;
    for (const auto &h : t) {
      if (!h.is_string())
        throw InputError({f.string()}, "tasks", "every task must be a list of point hashes");
      hashes.push_back(h.get<std::string>());
    }
    tasks.push_back(std::move(hashes));
  }
  return tasks;
}

/// Point hash -> "JOB_TASK" of the live task that will run it.
std::map<std::string, std::string> live_points(const fs::path &dir, const nlohmann::json &jobs,
                                               const std::set<std::string> &live) {
  std::map<std::string, std::string> out;
  for (const auto &r : jobs) {
    const std::string job = r["job"].get<std::string>();
    const fs::path plan = slurm::folder(dir) / r["plan"].get<std::string>();
    std::vector<std::vector<std::string>> tasks;
    try {
      tasks = load_plan(plan);
    } catch (const InputError &e) {
      log::warn(std::string("sweep: ") + e.what());
      continue;
    }
    for (size_t t = 0; t < tasks.size(); ++t) {
      const std::string id = job + "_" + std::to_string(t);
      if (live.count(id))
        for (const std::string &h : tasks[t])
          out[h] = id;
    }
  }
  return out;
}

std::string runner_id() {
  const char *job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char *task = std::getenv("SLURM_ARRAY_TASK_ID");
  const char *restart = std::getenv("SLURM_RESTART_COUNT");
  std::string id = std::string("slurm:") + (job ? job : "none") + "_" + (task ? task : "none");
  if (restart && *restart && std::string(restart) != "0")
    id += ".r" + std::string(restart);
  return id;
}

/// An error message on one line: line breaks become " / ", cut at `max_chars`.
std::string one_line(const std::string &s, size_t max_chars) {
  std::string l;
  for (char c : s.substr(0, s.find_last_not_of("\n\r ") + 1))
    l += c == '\n' ? std::string(" / ") : std::string(1, c);
  if (l.size() > max_chars)
    l = l.substr(0, max_chars) + "...";
  return l;
}

} // namespace

std::vector<size_t> chunk_bounds(size_t n, size_t chunk) {
  if (chunk == 0)
    chunk = std::max<size_t>(1, (n + kMaxArrayTasks - 1) / kMaxArrayTasks);
  std::vector<size_t> b;
  for (size_t i = 0; i < n; i += chunk)
    b.push_back(i);
  b.push_back(n);
  return b;
}

std::vector<std::string> sbatch_command(const SlurmSubmitOptions &o, const std::string &job_name,
                                        size_t tasks, const fs::path &log_dir,
                                        const fs::path &workdir, const fs::path &script) {
  return slurm::sbatch_command({o.partition, o.time_limit, o.sbatch_args}, job_name,
                               "0-" + std::to_string(tasks - 1), log_dir, workdir, script);
}

int submit_slurm_sweep(const SlurmSubmitOptions &o) {
  const PreparedSweep ps = prepare_sweep(o.run.spec, o.run.out_dir);
  const fs::path dir = fs::absolute(ps.dir);
  std::error_code ec;
  fs::create_directories(slurm::folder(dir), ec);
  if (ec)
    throw InputError({slurm::folder(dir).string()}, "", "cannot create: " + ec.message());

  ResultStore store(dir / "results.jsonl");
  print_store_warnings(store);
  const size_t merged = merge_row_files(ps, store);
  export_results_csv(ps, store);

  nlohmann::json jobs = load_jobs(dir);
  bool known = true;
  const auto live = live_points(dir, jobs, slurm::live_tasks(jobs, &known, "sweep"));
  if (!known && !o.dry_run)
    throw InputError({}, "--backend slurm",
                     "squeue does not answer, so points already queued cannot be told apart; is "
                     "Slurm reachable from here (SLURM_CONF)?");
  std::vector<const SweepPoint *> todo;
  size_t queued = 0;
  for (const SweepPoint *p : points_to_run(ps, store, o.run.retry_failed)) {
    if (live.count(p->hash))
      ++queued; // a pending or running task will write it
    else
      todo.push_back(p);
  }

  std::printf("sweep %s: %zu points, %zu with results (%zu merged from tasks), %zu queued or "
              "running, %zu to submit\n",
              ps.spec.name.c_str(), ps.points.size(), ps.points.size() - todo.size() - queued,
              merged, queued, todo.size());
  if (todo.empty())
    return 0;

  const std::vector<size_t> bounds = chunk_bounds(todo.size(), o.chunk);
  const size_t ntasks = bounds.size() - 1;
  if (ntasks > kMaxArrayTasks)
    throw InputError({}, "--chunk",
                     std::to_string(ntasks) + " array tasks exceed Slurm's default MaxArraySize; "
                     "use a larger --chunk");
  nlohmann::json plan;
  plan["version"] = 1;
  plan["sweep"] = ps.spec.name;
  plan["tasks"] = nlohmann::json::array();
  for (size_t t = 0; t < ntasks; ++t) {
    nlohmann::json hashes = nlohmann::json::array();
    for (size_t i = bounds[t]; i < bounds[t + 1]; ++i)
      hashes.push_back(todo[i]->hash);
    plan["tasks"].push_back(hashes);
  }
  const std::string plan_name = "plan-" + std::to_string(jobs.size() + 1) + ".json";
  const fs::path plan_path = slurm::folder(dir) / plan_name;
  write_file_atomic(plan_path, plan.dump(1) + "\n");

  const fs::path script = slurm::folder(dir) / "task.sh";
  slurm::write_script(script, "#!/bin/sh\n"
                              "# One array task of a granita sweep (docs/sweeps.md); $1 is the plan.\n"
                              "exec " + slurm::shell_quote(o.run.granita_exe.string()) +
                                  " sweep-task " + slurm::shell_quote(dir.string()) +
                                  " --plan \"$1\" --task \"$SLURM_ARRAY_TASK_ID\"\n");
  std::vector<std::string> cmd = sbatch_command(o, "granita-" + ps.spec.name, ntasks,
                                                slurm::folder(dir), fs::current_path(), script);
  cmd.push_back(plan_path.string());
  if (o.dry_run) {
    std::printf("dry run: %s\n", join(cmd, " ").c_str());
    return 0;
  }
  std::string job;
  try {
    job = slurm::submit(cmd, "--backend slurm");
  } catch (const InputError &) {
    fs::remove(plan_path, ec);
    throw;
  }
  nlohmann::json rec;
  rec["job"] = job;
  rec["plan"] = plan_name;
  rec["tasks"] = ntasks;
  rec["points"] = todo.size();
  rec["submitted_unix"] = int64_t(std::time(nullptr));
  jobs.push_back(rec);
  write_file_atomic(slurm::jobs_file(dir), jobs.dump(1) + "\n");
  std::printf("submitted job %s: %zu array task%s, %zu point%s; logs in %s\n"
              "follow it with: granita sweep --collect %s --wait\n",
              job.c_str(), ntasks, ntasks == 1 ? "" : "s", todo.size(),
              todo.size() == 1 ? "" : "s", slurm::folder(dir).string().c_str(),
              o.run.out_dir.string().c_str());
  return 0;
}

int run_sweep_task(const fs::path &dir, const fs::path &plan, long task,
                   const fs::path &granita_exe) {
  const PreparedSweep ps = open_sweep(dir);
  const auto tasks = load_plan(plan);
  if (task < 0 || size_t(task) >= tasks.size())
    throw InputError({plan.string()}, "--task",
                     "task " + std::to_string(task) + " not in the plan (0.." +
                         std::to_string(tasks.size() - 1) + ")");
  std::map<std::string, const SweepPoint *> by_hash;
  for (const SweepPoint &p : ps.points)
    by_hash[p.hash] = &p;
  const std::string runner = runner_id();
  const auto &hashes = tasks[size_t(task)];
  int status = 0;
  for (size_t i = 0; i < hashes.size(); ++i) {
    auto it = by_hash.find(hashes[i]);
    if (it == by_hash.end()) {
      log::warn("sweep-task: point " + hashes[i] + " is not in " + (dir / "spec.yaml").string() +
                " (the spec changed?)");
      status = 1;
      continue;
    }
    const SweepPoint &p = *it->second;
    const nlohmann::json row = run_point(ps, p, granita_exe, runner);
    write_file_atomic(dir / "points" / (p.hash + ".row.json"), row.dump() + "\n");
    std::printf("[%zu/%zu] %-6s %6.1f s  %s  %s\n", i + 1, hashes.size(),
                row["status"].get<std::string>().c_str(), row["wall_s"].get<double>(),
                p.hash.substr(0, 12).c_str(), describe_point(p).c_str());
    std::fflush(stdout);
  }
  return status;
}

int collect_sweep(const fs::path &dir_in, bool wait) {
  const PreparedSweep ps = open_sweep(dir_in);
  const fs::path dir = fs::absolute(ps.dir);
  const nlohmann::json jobs = load_jobs(dir);
  bool known = true;
  if (wait)
    slurm::wait_for_jobs(jobs, "sweep", "sweep " + ps.spec.name, ps.points.size(), [&] {
      size_t have = 0;
      for (const SweepPoint &p : ps.points)
        have += fs::exists(dir / "points" / (p.hash + ".row.json")) ? 1 : 0;
      return have;
    }, &known);

  ResultStore store(dir / "results.jsonl");
  print_store_warnings(store);
  const size_t merged = merge_row_files(ps, store);
  export_results_csv(ps, store);

  const auto live = live_points(dir, jobs, slurm::live_tasks(jobs, &known, "sweep"));
  std::map<std::string, nlohmann::json> latest;
  for (const nlohmann::json &r : latest_rows(store.contents().rows))
    latest[r["hash"].get<std::string>()] = r;
  std::vector<const SweepPoint *> failed, queued, missing;
  size_t ok = 0;
  for (const SweepPoint &p : ps.points) {
    auto it = latest.find(p.hash);
    if (it == latest.end())
      (live.count(p.hash) ? queued : missing).push_back(&p);
    else if (it->second.value("status", "") == "ok")
      ++ok;
    else
      failed.push_back(&p);
  }
  std::printf("sweep %s: %zu points: %zu ok, %zu failed, %zu queued or running, %zu missing "
              "(%zu rows merged now)\n",
              ps.spec.name.c_str(), ps.points.size(), ok, failed.size(), queued.size(),
              missing.size(), merged);
  constexpr size_t kShow = 20;
  for (size_t i = 0; i < failed.size() && i < kShow; ++i)
    std::printf("  failed   %s  %s\n           %s\n", failed[i]->hash.substr(0, 12).c_str(),
                describe_point(*failed[i]).c_str(),
                one_line(latest[failed[i]->hash].value("error", ""), 240).c_str());
  for (size_t i = 0; i < queued.size() && i < kShow; ++i)
    std::printf("  queued   %s  %s  (task %s)\n", queued[i]->hash.substr(0, 12).c_str(),
                describe_point(*queued[i]).c_str(), live.at(queued[i]->hash).c_str());
  for (size_t i = 0; i < missing.size() && i < kShow; ++i)
    std::printf("  missing  %s  %s\n", missing[i]->hash.substr(0, 12).c_str(),
                describe_point(*missing[i]).c_str());
  if (failed.size() > kShow || queued.size() > kShow || missing.size() > kShow)
    std::printf("  (lists cut at %zu; all rows in %s)\n", kShow,
                (dir / "results.csv").string().c_str());
  if (!missing.empty())
    std::printf("missing points have no result and no live task (a task killed, timed out or "
                "never submitted; its log is under %s). Submit them again with: granita sweep "
                "%s -o %s --backend slurm\n",
                slurm::folder(dir).string().c_str(), (dir / "spec.yaml").string().c_str(),
                dir_in.string().c_str());
  if (!known)
    std::printf("(squeue did not answer: points counted as missing may still be queued)\n");
  // 3 (partial) while a point lacks a successful result: missing, queued or failed.
  return missing.empty() && queued.empty() && failed.empty() ? 0 : 3;
}

} // namespace granita::sweep
