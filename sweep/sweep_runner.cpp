// SPDX-License-Identifier: Apache-2.0
#include "sweep/sweep_runner.h"

#include "sweep/result_store.h"
#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/log.h"
#include "src/util/progress.h"
#include "src/util/subprocess.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace granita::sweep {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

uint64_t next_random(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string tail_text(const fs::path &p, size_t max_chars) {
  std::string t;
  try {
    t = read_file(p);
  } catch (const std::exception &) {
    return "";
  }
  while (!t.empty() && (t.back() == '\n' || t.back() == ' '))
    t.pop_back();
  if (t.size() > max_chars)
    t = "..." + t.substr(t.size() - max_chars);
  return t;
}

fs::path point_file(const fs::path &dir, const SweepPoint &p, const char *ext) {
  return dir / "points" / (p.hash + ext);
}

fs::path dev_tsv(const std::string &task) { return data_root() / "glue" / task / "dev.tsv"; }

/// The sentences every point of a task reads: the dev set, or the seeded sample in `dir`.
fs::path sentence_file(const SweepSpec &spec, const std::string &task, const fs::path &dir) {
  if (spec.all_sentences)
    return fs::absolute(dev_tsv(task));
  return fs::absolute(dir / ("sentences-" + task + "-" + std::to_string(spec.sentence_count) +
                             "-" + std::to_string(spec.sentence_seed) + ".tsv"));
}

std::map<std::string, fs::path> sentence_files(const SweepSpec &spec,
                                               const std::vector<SweepPoint> &points,
                                               const fs::path &dir) {
  std::map<std::string, fs::path> files;
  for (const SweepPoint &p : points)
    files.emplace(p.task, sentence_file(spec, p.task, dir));
  return files;
}

bool wants(const SweepSpec &spec, const std::string &metric) {
  return std::find(spec.metrics.begin(), spec.metrics.end(), metric) != spec.metrics.end();
}

nlohmann::json base_row(const SweepSpec &spec, const SweepPoint &p) {
  nlohmann::json row;
  row["version"] = 1;
  row["hash"] = p.hash;
  row["sweep"] = spec.name;
  row["index"] = p.index;
  row["model"] = p.model;
  row["task"] = p.task;
  row["axes"] = nlohmann::json::object();
  for (const auto &[k, v] : p.values)
    row["axes"][k] = v;
  return row;
}

// Copies the results a spec asks for from a `granita run --json` report into a store row.
void fill_results(const SweepSpec &spec, const nlohmann::json &rep, nlohmann::json &row) {
  auto copy = [&](const char *from, const char *to) {
    if (rep.contains(from))
      row[to] = rep[from];
  };
  if (wants(spec, "metrics"))
    copy("metrics", "metrics");
  if (wants(spec, "cycles") && rep.contains("cycles")) {
    row["cycles_mean"] = rep["cycles"].value("mean", 0.0);
    row["cycles_p50"] = rep["cycles"].value("p50", 0.0);
    row["cycles_p99"] = rep["cycles"].value("p99", 0.0);
  }
  if (wants(spec, "latency"))
    copy("latency_us_mean", "latency_us_mean");
  if (wants(spec, "energy"))
    copy("energy_pj_per_sentence", "energy_pj_per_sentence");
  if (wants(spec, "energy_by_component"))
    copy("energy_pj_by_component", "energy_pj_by_component");
  if (wants(spec, "energy_by_op"))
    copy("energy_pj_by_op", "energy_pj_by_op");
  if (wants(spec, "power"))
    copy("power_mw", "power_mw");
  if (wants(spec, "cores"))
    copy("cores_powered", "cores_powered");
  if (wants(spec, "events"))
    copy("events_per_sentence", "events_per_sentence");
  copy("energy_table", "energy_table");
  copy("clock_mhz", "clock_mhz");
  // Area is the third axis of every design point (docs/sweeps.md): always copied.
  if (rep.contains("area_mm2") && rep["area_mm2"].is_object()) {
    row["area_mm2"] = rep["area_mm2"].value("chip", 0.0);
    row["core_area_mm2"] = rep["area_mm2"].value("core", 0.0);
  }
  if (rep.contains("sentences") && rep["sentences"].is_array())
    row["sentences"] = rep["sentences"].size();
}

// Checks every point's inputs before any child starts, so that a typo in a value is one clear
// error rather than a sweep full of failed rows.
void validate_points(const SweepSpec &spec, const std::vector<SweepPoint> &points) {
  std::set<std::string> models, tables;
  for (const SweepPoint &p : points) {
    try {
      config::load_hw_config(spec.hw, p.hw_params);
    } catch (const InputError &e) {
      throw InputError({spec.file}, "axes",
                       "point " + describe_point(p) + ": " + e.what());
    }
    models.insert(p.model);
    if (!p.energy_table.empty())
      tables.insert(p.energy_table);
  }
  for (const std::string &m : models)
    if (!fs::is_directory(m))
      throw InputError({spec.file}, "model", "model package '" + m + "' is not a directory");
  for (const std::string &t : tables) {
    try {
      energy::resolve_energy_table(t, energy::default_configs_dir());
    } catch (const InputError &e) {
      throw InputError({spec.file}, "axes.energy_table", e.message());
    }
  }
}

} // namespace

std::string sample_tsv(const std::string &tsv_text, size_t count, uint64_t seed) {
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < tsv_text.size();) {
    size_t nl = tsv_text.find('\n', pos);
    if (nl == std::string::npos)
      nl = tsv_text.size();
    lines.push_back(tsv_text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.empty())
    return tsv_text;
  std::vector<size_t> data;
  for (size_t i = 1; i < lines.size(); ++i)
    if (!lines[i].empty() && lines[i] != "\r")
      data.push_back(i);
  if (count < data.size()) {
    // Partial Fisher-Yates with a fixed generator: the same seed picks the same rows everywhere.
    uint64_t state = seed;
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + size_t(next_random(state) % uint64_t(data.size() - i));
      std::swap(data[i], data[j]);
    }
    data.resize(count);
    std::sort(data.begin(), data.end());
  }
  std::string out = lines[0] + "\n";
  for (size_t i : data)
    out += lines[i] + "\n";
  return out;
}

std::vector<std::string> point_run_args(const SweepSpec &spec, const SweepPoint &p,
                                        const fs::path &data, const fs::path &json_out) {
  std::vector<std::string> a = {"run", "--model", p.model, "--hw", spec.hw};
  for (const std::string &kv : p.hw_params) {
    a.push_back("-p");
    a.push_back(kv);
  }
  if (!p.energy_table.empty()) {
    a.push_back("--energy");
    a.push_back(p.energy_table);
  }
  a.insert(a.end(), {"--task", p.task, "--data", data.string(), "-q", "--json",
                     json_out.string()});
  return a;
}

PreparedSweep open_sweep(const fs::path &dir) {
  PreparedSweep ps;
  ps.dir = dir;
  const fs::path spec_copy = dir / "spec.yaml";
  if (!fs::exists(spec_copy))
    throw InputError({dir.string()}, "", "not a sweep folder (no spec.yaml)");
  ps.spec = load_sweep_spec(spec_copy);
  ps.points = expand_sweep(ps.spec);
  ps.data = sentence_files(ps.spec, ps.points, dir);
  return ps;
}

PreparedSweep prepare_sweep(const fs::path &spec_path, const fs::path &dir) {
  PreparedSweep ps;
  ps.dir = dir;
  ps.spec = load_sweep_spec(spec_path);
  ps.points = expand_sweep(ps.spec);
  validate_points(ps.spec, ps.points);

  std::error_code ec;
  fs::create_directories(dir / "points", ec);
  if (ec)
    throw InputError({dir.string()}, "", "cannot create the sweep folder: " + ec.message());
  const fs::path spec_copy = dir / "spec.yaml";
  const std::string spec_text = read_file(spec_path);
  if (fs::exists(spec_copy) && read_file(spec_copy) != spec_text)
    log::info("sweep: " + spec_copy.string() + " differs from " + spec_path.string() +
              "; the new spec replaces it (rows of points no longer in it are kept)");
  write_file_atomic(spec_copy, spec_text);

  // Every point of a task sees the same sentences: a seeded sample of its dev set, written once.
  ps.data = sentence_files(ps.spec, ps.points, dir);
  if (!ps.spec.all_sentences)
    for (const auto &[task, file] : ps.data) {
      const std::string sample = sample_tsv(read_file(dev_tsv(task)),
                                            size_t(ps.spec.sentence_count), ps.spec.sentence_seed);
      if (!fs::exists(file) || read_file(file) != sample)
        write_file_atomic(file, sample);
    }
  return ps;
}

std::vector<std::string> point_command(const PreparedSweep &ps, const SweepPoint &p,
                                       const fs::path &granita_exe) {
  std::vector<std::string> argv = {granita_exe.string()};
  for (std::string &a :
       point_run_args(ps.spec, p, ps.data.at(p.task), point_file(ps.dir, p, ".json")))
    argv.push_back(std::move(a));
  return argv;
}

nlohmann::json point_row(const PreparedSweep &ps, const SweepPoint &p, int wait_status,
                         double wall_s, const std::string &runner) {
  nlohmann::json row = base_row(ps.spec, p);
  const fs::path json = point_file(ps.dir, p, ".json");
  std::string error;
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    try {
      const nlohmann::json rep = nlohmann::json::parse(read_file(json));
      fill_results(ps.spec, rep, row);
    } catch (const std::exception &e) {
      error = std::string("unreadable report ") + json.string() + ": " + e.what();
    }
  } else {
    error = tail_text(point_file(ps.dir, p, ".stderr"), 4000);
    const std::string how = WIFSIGNALED(wait_status)
                                ? "killed by signal " + std::to_string(WTERMSIG(wait_status))
                                : "exit code " + std::to_string(WEXITSTATUS(wait_status));
    error = error.empty() ? how : how + ": " + error;
  }
  row["status"] = error.empty() ? "ok" : "failed";
  if (!error.empty())
    row["error"] = error;
  row["wall_s"] = wall_s;
  row["runner"] = runner;
  return row;
}

namespace {

/// Starts a point's child after removing the report of an earlier attempt.
pid_t start_point(const PreparedSweep &ps, const SweepPoint &p, const fs::path &granita_exe) {
  std::error_code ec;
  fs::remove(point_file(ps.dir, p, ".json"), ec);
  // The child is killed when this process dies, so a killed sweep leaves no orphan simulations.
  proc::SpawnOptions so;
  so.out = point_file(ps.dir, p, ".log");
  so.err = point_file(ps.dir, p, ".stderr");
  so.die_with_parent = true;
  return proc::spawn(point_command(ps, p, granita_exe), so);
}

} // namespace

nlohmann::json run_point(const PreparedSweep &ps, const SweepPoint &p, const fs::path &granita_exe,
                         const std::string &runner) {
  const auto start = Clock::now();
  const pid_t pid = start_point(ps, p, granita_exe);
  const int status = proc::wait_status(pid);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  return point_row(ps, p, status, wall, runner);
}

std::string describe_point(const SweepPoint &p) {
  // "#index" is the point's number in results.jsonl and in the report's tables and plots.
  std::string s = "#" + std::to_string(p.index);
  for (const auto &[k, v] : p.values)
    s += " " + k + "=" + v;
  return p.values.empty() ? s + " (base config)" : s;
}

size_t merge_row_files(const PreparedSweep &ps, ResultStore &store) {
  std::map<std::string, std::string> runner_of;
  for (const nlohmann::json &r : latest_rows(store.contents().rows))
    runner_of[r["hash"].get<std::string>()] = r.value("runner", "");
  size_t merged = 0;
  for (const SweepPoint &p : ps.points) {
    const fs::path f = point_file(ps.dir, p, ".row.json");
    std::error_code ec;
    if (!fs::is_regular_file(f, ec))
      continue;
    nlohmann::json row = nlohmann::json::parse(read_file(f), nullptr, false);
    if (row.is_discarded() || !row.is_object() || row.value("hash", "") != p.hash ||
        !row.contains("runner") || !row["runner"].is_string()) {
      log::warn("sweep: " + f.string() + ": not a result row of this point; ignored");
      continue;
    }
    auto it = runner_of.find(p.hash);
    if (it != runner_of.end() && it->second == row["runner"].get<std::string>())
      continue; // already merged
    store.append(row);
    runner_of[p.hash] = row["runner"].get<std::string>();
    ++merged;
  }
  return merged;
}

void export_results_csv(const PreparedSweep &ps, const ResultStore &store) {
  std::vector<std::string> axis_keys;
  for (const SweepAxis &a : ps.spec.axes)
    axis_keys.push_back(a.key);
  // Rows in spec order, then rows of points no longer in the spec, in store order.
  std::vector<nlohmann::json> rows = latest_rows(store.contents().rows);
  std::map<std::string, size_t> order;
  for (const SweepPoint &p : ps.points)
    order[p.hash] = p.index;
  std::stable_sort(rows.begin(), rows.end(), [&](const nlohmann::json &a, const nlohmann::json &b) {
    auto ia = order.find(a["hash"].get<std::string>());
    auto ib = order.find(b["hash"].get<std::string>());
    const size_t ka = ia == order.end() ? ps.points.size() : ia->second;
    const size_t kb = ib == order.end() ? ps.points.size() : ib->second;
    return ka < kb;
  });
  write_file_atomic(ps.dir / "results.csv", rows_to_csv(rows, axis_keys));
}

std::vector<const SweepPoint *> points_to_run(const PreparedSweep &ps, const ResultStore &store,
                                              bool retry_failed) {
  std::set<std::string> done;
  for (const nlohmann::json &r : latest_rows(store.contents().rows))
    if (!retry_failed || r.value("status", "") == "ok")
      done.insert(r["hash"].get<std::string>());
  std::vector<const SweepPoint *> todo;
  for (const SweepPoint &p : ps.points)
    if (!done.count(p.hash))
      todo.push_back(&p);
  return todo;
}

void print_store_warnings(const ResultStore &store) {
  for (const std::string &w : store.contents().warnings)
    log::warn("sweep: " + w);
}

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
