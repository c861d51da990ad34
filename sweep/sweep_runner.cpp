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

fs::path point_file(const fs::path &dir, const SweepPoint &p, const char *ext) {
  return dir / "points" / (p.hash + ext);
}

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

} // namespace granita::sweep
