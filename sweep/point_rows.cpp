// SPDX-License-Identifier: Apache-2.0
// A point's store row (from its child's report, or why it failed), and the rows of a sweep
// folder: merging Slurm task rows, the CSV export, the points still to run.
#include "sweep/result_store.h"
#include "sweep/sweep_runner.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/log.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <map>
#include <set>

namespace granita::sweep {

namespace fs = std::filesystem;

namespace {

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

} // namespace

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

} // namespace granita::sweep
