// SPDX-License-Identifier: Apache-2.0
#include "sim/sweep/slurm_backend.h"

#include "sim/sweep/result_store.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"
#include "src/util/strings.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <thread>

namespace granita::sweep {

namespace {

namespace fs = std::filesystem;

struct Captured {
  int status = 0;   // waitpid status; -1 when the program could not be started
  std::string out;  // stdout
  std::string err;  // stderr
};

/// Runs `argv` (searched in PATH) and captures its stdout and stderr (both small here).
Captured capture(const std::vector<std::string> &argv, const fs::path &scratch) {
  std::vector<char *> cargv;
  for (const std::string &a : argv)
    cargv.push_back(const_cast<char *>(a.c_str()));
  cargv.push_back(nullptr);
  const fs::path err_path = scratch / (".stderr-" + std::to_string(::getpid()));
  const std::string err_s = err_path.string();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw InputError("cannot create a pipe to run " + argv[0]);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0)
    throw InputError("cannot start " + argv[0] + " (fork failed)");
  if (pid == 0) {
    const int fe = ::open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fe < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(fe, 2) < 0)
      ::_exit(126);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  Captured c;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    c.out.append(buf, size_t(n));
  }
  ::close(fds[0]);
  while (::waitpid(pid, &c.status, 0) < 0)
    if (errno != EINTR)
      throw InputError("waiting for " + argv[0] + " failed");
  std::error_code ec;
  if (fs::exists(err_path, ec)) {
    c.err = read_file(err_path);
    fs::remove(err_path, ec);
  }
  if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 127)
    c.status = -1;
  return c;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

/// Single-quotes a word for sh.
std::string shell_quote(const std::string &s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

fs::path slurm_dir(const fs::path &dir) { return dir / "slurm"; }
fs::path jobs_file(const fs::path &dir) { return slurm_dir(dir) / "jobs.json"; }

/// DIR/slurm/jobs.json: one record per submitted job array {job, plan, tasks, points}.
nlohmann::json load_jobs(const fs::path &dir) {
  const fs::path f = jobs_file(dir);
  if (!fs::exists(f))
    return nlohmann::json::array();
  nlohmann::json j = nlohmann::json::parse(read_file(f), nullptr, false);
  if (j.is_discarded() || !j.is_array())
    throw InputError({f.string()}, "", "not a JSON array of submitted jobs");
  for (const auto &r : j)
    if (!r.is_object() || !r.contains("job") || !r["job"].is_string() || !r.contains("plan") ||
        !r["plan"].is_string())
      throw InputError({f.string()}, "", "a job record lacks its job id or plan");
  return j;
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

/// The "JOB_TASK" ids of the sweep's array tasks still pending or running. Sets `known` to
/// false (and returns nothing) when squeue cannot be asked.
std::set<std::string> live_tasks(const fs::path &dir, const nlohmann::json &jobs, bool *known) {
  *known = true;
  if (jobs.empty())
    return {};
  std::vector<std::string> ids;
  for (const auto &r : jobs)
    ids.push_back(r["job"].get<std::string>());
  const Captured c = capture({"squeue", "--noheader", "--array", "--jobs=" + join(ids, ","),
                              "--format=%F_%K"},
                             slurm_dir(dir));
  if (c.status == 0)
    return parse_squeue_tasks(c.out);
  // squeue rejects a list made only of jobs it has forgotten; they are finished.
  if (c.err.find("Invalid job id") != std::string::npos)
    return {};
  *known = false;
  std::fprintf(stderr, "granita sweep: warning: cannot ask squeue about jobs %s (%s)\n",
               join(ids, ",").c_str(),
               c.status < 0 ? "squeue not found" : trimmed(c.err).c_str());
  return {};
}

/// Point hash -> "JOB_TASK" of the live task that will run it.
std::map<std::string, std::string> live_points(const fs::path &dir, const nlohmann::json &jobs,
                                               const std::set<std::string> &live) {
  std::map<std::string, std::string> out;
  for (const auto &r : jobs) {
    const std::string job = r["job"].get<std::string>();
    const fs::path plan = slurm_dir(dir) / r["plan"].get<std::string>();
    std::vector<std::vector<std::string>> tasks;
    try {
      tasks = load_plan(plan);
    } catch (const InputError &e) {
      std::fprintf(stderr, "granita sweep: warning: %s\n", e.what());
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
  for (char c : trimmed(s))
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
  std::vector<std::string> a = {"sbatch",
                                "--parsable",
                                "--job-name=" + job_name,
                                "--array=0-" + std::to_string(tasks - 1),
                                "--ntasks=1",
                                "--cpus-per-task=1",
                                "--output=" + (log_dir / "%A_%a.out").string(),
                                "--error=" + (log_dir / "%A_%a.err").string(),
                                "--chdir=" + workdir.string()};
  if (!o.partition.empty())
    a.push_back("--partition=" + o.partition);
  if (!o.time_limit.empty())
    a.push_back("--time=" + o.time_limit);
  a.insert(a.end(), o.sbatch_args.begin(), o.sbatch_args.end());
  a.push_back(script.string());
  return a;
}

std::set<std::string> parse_squeue_tasks(const std::string &out) {
  std::set<std::string> ids;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos)
      nl = out.size();
    std::string line = trimmed(out.substr(pos, nl - pos));
    pos = nl + 1;
    const size_t us = line.find('_');
    if (line.empty() || us == std::string::npos)
      continue;
    const std::string job = line.substr(0, us);
    std::string tasks = line.substr(us + 1);
    if (tasks.size() < 2 || tasks.front() != '[') {
      ids.insert(line);
      continue;
    }
    // "[3-5,7%2]": ranges and single ids, an optional %limit.
    tasks = tasks.substr(1, tasks.find_first_of("]%") - 1);
    size_t p = 0;
    while (p <= tasks.size()) {
      size_t comma = tasks.find(',', p);
      if (comma == std::string::npos)
        comma = tasks.size();
      const std::string item = tasks.substr(p, comma - p);
      p = comma + 1;
      if (item.empty())
        continue;
      const size_t dash = item.find('-');
      try {
        const long lo = std::stol(item.substr(0, dash));
        const long hi = dash == std::string::npos ? lo : std::stol(item.substr(dash + 1));
        for (long t = lo; t <= hi && t - lo < 100000; ++t)
          ids.insert(job + "_" + std::to_string(t));
      } catch (const std::exception &) {
        // not a task range: ignore the item rather than guess
      }
    }
  }
  return ids;
}

int submit_slurm_sweep(const SlurmSubmitOptions &o) {
  const PreparedSweep ps = prepare_sweep(o.run.spec, o.run.out_dir);
  const fs::path dir = fs::absolute(ps.dir);
  std::error_code ec;
  fs::create_directories(slurm_dir(dir), ec);
  if (ec)
    throw InputError({slurm_dir(dir).string()}, "", "cannot create: " + ec.message());

  ResultStore store(dir / "results.jsonl");
  print_store_warnings(store);
  const size_t merged = merge_row_files(ps, store);
  export_results_csv(ps, store);

  nlohmann::json jobs = load_jobs(dir);
  bool known = true;
  const auto live = live_points(dir, jobs, live_tasks(dir, jobs, &known));
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
  const fs::path plan_path = slurm_dir(dir) / plan_name;
  write_file_atomic(plan_path, plan.dump(1) + "\n");

  const fs::path script = slurm_dir(dir) / "task.sh";
  write_file_atomic(script, "#!/bin/sh\n"
                            "# One array task of a granita sweep (docs/sweeps.md); $1 is the plan.\n"
                            "exec " + shell_quote(o.run.granita_exe.string()) + " sweep-task " +
                                shell_quote(dir.string()) +
                                " --plan \"$1\" --task \"$SLURM_ARRAY_TASK_ID\"\n");
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  std::vector<std::string> cmd = sbatch_command(o, "granita-" + ps.spec.name, ntasks,
                                                slurm_dir(dir), fs::current_path(), script);
  cmd.push_back(plan_path.string());
  if (o.dry_run) {
    std::printf("dry run: %s\n", join(cmd, " ").c_str());
    return 0;
  }
  const Captured c = capture(cmd, slurm_dir(dir));
  if (c.status != 0) {
    fs::remove(plan_path, ec);
    throw InputError({}, "--backend slurm",
                     c.status < 0 ? std::string("sbatch not found in PATH (is slurm-client "
                                                "installed?)")
                                  : "sbatch failed: " + trimmed(c.err + c.out));
  }
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const std::string out = trimmed(c.out);
  const std::string job = out.substr(0, out.find(';'));
  if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
    throw InputError({}, "--backend slurm", "sbatch printed no job id: '" + out + "'");
  nlohmann::json rec;
  rec["job"] = job;
  rec["plan"] = plan_name;
  rec["tasks"] = ntasks;
  rec["points"] = todo.size();
  rec["submitted_unix"] = int64_t(std::time(nullptr));
  jobs.push_back(rec);
  write_file_atomic(jobs_file(dir), jobs.dump(1) + "\n");
  std::printf("submitted job %s: %zu array task%s, %zu point%s; logs in %s\n"
              "follow it with: granita sweep --collect %s --wait\n",
              job.c_str(), ntasks, ntasks == 1 ? "" : "s", todo.size(),
              todo.size() == 1 ? "" : "s", slurm_dir(dir).string().c_str(),
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
      std::fprintf(stderr, "granita sweep-task: point %s is not in %s (the spec changed?)\n",
                   hashes[i].c_str(), (dir / "spec.yaml").string().c_str());
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
  if (wait) {
    ProgressBar bar("sweep " + ps.spec.name, ps.points.size());
    for (;;) {
      const auto live = live_tasks(dir, jobs, &known);
      size_t have = 0;
      for (const SweepPoint &p : ps.points)
        have += fs::exists(dir / "points" / (p.hash + ".row.json")) ? 1 : 0;
      bar.update(have);
      if (live.empty())
        break;
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    bar.finish();
  }

  ResultStore store(dir / "results.jsonl");
  print_store_warnings(store);
  const size_t merged = merge_row_files(ps, store);
  export_results_csv(ps, store);

  const auto live = live_points(dir, jobs, live_tasks(dir, jobs, &known));
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
                slurm_dir(dir).string().c_str(), (dir / "spec.yaml").string().c_str(),
                dir_in.string().c_str());
  if (!known)
    std::printf("(squeue did not answer: points counted as missing may still be queued)\n");
  // 3 (partial) while a point lacks a successful result: missing, queued or failed.
  return missing.empty() && queued.empty() && failed.empty() ? 0 : 3;
}

} // namespace granita::sweep
