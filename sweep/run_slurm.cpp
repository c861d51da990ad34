// SPDX-License-Identifier: Apache-2.0
#include "sweep/run_slurm.h"

#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/strings.h"

#include <cstdio>
#include <ctime>
#include <set>

namespace granita::sweep {

namespace fs = std::filesystem;

namespace {

fs::path run_file(const fs::path &dir) { return dir / "run.json"; }

nlohmann::json load_run(const fs::path &dir) {
  const fs::path f = run_file(dir);
  if (!fs::exists(f))
    throw InputError({dir.string()}, "",
                     "not a sharded run folder (no run.json; it is written by `granita run ... "
                     "--backend slurm -o DIR`)");
  nlohmann::json j = nlohmann::json::parse(read_file(f), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 ||
      !j.contains("args") || !j["args"].is_array() || !j.contains("shards") ||
      !j["shards"].is_number_unsigned() || j["shards"].get<size_t>() == 0 ||
      !j.contains("model") || !j["model"].is_string())
    throw InputError({f.string()}, "", "not a sharded run record (version 1 with args, shards "
                                       "and model)");
  return j;
}

/// Shard index -> "JOB_TASK" of its pending or running task (array task id = shard index).
std::map<size_t, std::string> live_shards(const nlohmann::json &jobs, size_t shards, bool *known) {
  std::map<size_t, std::string> out;
  for (const std::string &id : slurm::live_tasks(jobs, known, "run")) {
    const size_t us = id.find('_');
    try {
      const size_t task = std::stoul(id.substr(us + 1));
      if (task < shards)
        out[task] = id;
    } catch (const std::exception &) {
      // not one of ours
    }
  }
  return out;
}

} // namespace

fs::path shard_report(const fs::path &dir, size_t i) {
  return dir / "shards" / ("shard-" + std::to_string(i) + ".json");
}

int submit_run_shards(const RunShardJob &j) {
  const fs::path dir = fs::absolute(j.dir);
  std::error_code ec;
  const bool new_dir = !fs::exists(dir, ec);
  // A first submission that fails leaves no run folder behind.
  auto undo = [&] {
    if (new_dir)
      fs::remove_all(dir, ec);
  };
  fs::create_directories(slurm::folder(dir), ec);
  if (!ec)
    fs::create_directories(dir / "shards", ec);
  if (ec)
    throw InputError({dir.string()}, "", "cannot create the run folder: " + ec.message());
  nlohmann::json run;
  run["version"] = 1;
  run["model"] = j.model_dir;
  run["args"] = j.args;
  run["shards"] = j.shards;
  run["sentences"] = j.sentences;
  if (fs::exists(run_file(dir))) {
    const nlohmann::json old = load_run(dir);
    if (old["args"] != run["args"] || old["shards"] != run["shards"])
      throw InputError({run_file(dir).string()}, "",
                       "this folder holds another run (its arguments or shard count differ); "
                       "use a new -o folder, or the same command to resume that run");
  } else {
    write_file_atomic(run_file(dir), run.dump(1) + "\n");
  }

  nlohmann::json jobs = slurm::load_jobs(slurm::jobs_file(dir), {"array"});
  bool known = true;
  const auto live = live_shards(jobs, j.shards, &known);
  if (!known && !j.dry_run) {
    undo();
    throw InputError({}, "--backend slurm",
                     "squeue does not answer, so shards already queued cannot be told apart; is "
                     "Slurm reachable from here (SLURM_CONF)?");
  }
  std::vector<size_t> todo;
  size_t done = 0;
  for (size_t i = 0; i < j.shards; ++i) {
    if (fs::exists(shard_report(dir, i)))
      ++done;
    else if (!live.count(i))
      todo.push_back(i);
  }
  std::printf("run: %zu sentences in %zu shards: %zu done, %zu queued or running, %zu to submit\n",
              j.sentences, j.shards, done, live.size(), todo.size());
  if (todo.empty())
    return 0;

  std::string cmd_line = "exec " + slurm::shell_quote(j.granita_exe.string()) + " run";
  for (const std::string &a : j.args)
    cmd_line += " " + slurm::shell_quote(a);
  const std::string shard_json =
      slurm::shell_quote((dir / "shards").string() + "/shard-") + "\"$SLURM_ARRAY_TASK_ID\".json";
  cmd_line += " --shard \"$SLURM_ARRAY_TASK_ID/" + std::to_string(j.shards) + "\" --json " +
              shard_json + " -q\n";
  const fs::path script = slurm::folder(dir) / "shard.sh";
  slurm::write_script(script, "#!/bin/sh\n# One shard of a sharded granita run (docs/chip.md); "
                              "the array task id is the shard.\n" +
                                  cmd_line);
  const std::string array = slurm::array_spec(todo);
  const std::vector<std::string> cmd =
      slurm::sbatch_command(j.job, "granita-run", array, slurm::folder(dir), dir, script);
  if (j.dry_run) {
    std::printf("dry run: %s\n", join(cmd, " ").c_str());
    return 0;
  }
  std::string job;
  try {
    job = slurm::submit(cmd, "--backend slurm");
  } catch (const InputError &) {
    undo();
    throw;
  }
  nlohmann::json rec;
  rec["job"] = job;
  rec["array"] = array;
  rec["submitted_unix"] = int64_t(std::time(nullptr));
  jobs.push_back(rec);
  write_file_atomic(slurm::jobs_file(dir), jobs.dump(1) + "\n");
  std::printf("submitted job %s: shards %s; logs in %s\nfollow it with: granita run --collect %s "
              "--wait\n",
              job.c_str(), array.c_str(), slurm::folder(dir).string().c_str(),
              j.dir.string().c_str());
  return 0;
}

RunShardStatus run_shard_status(const fs::path &dir_in, bool wait) {
  const fs::path dir = fs::absolute(dir_in);
  RunShardStatus st;
  st.run = load_run(dir);
  const size_t shards = st.run["shards"].get<size_t>();
  const nlohmann::json jobs = slurm::load_jobs(slurm::jobs_file(dir), {"array"});
  auto count_done = [&] {
    size_t n = 0;
    for (size_t i = 0; i < shards; ++i)
      n += fs::exists(shard_report(dir, i)) ? 1 : 0;
    return n;
  };
  if (wait)
    slurm::wait_for_jobs(jobs, "run", "granita run shards", shards, count_done, &st.squeue_known);
  const auto live = live_shards(jobs, shards, &st.squeue_known);
  for (size_t i = 0; i < shards; ++i) {
    if (fs::exists(shard_report(dir, i)))
      st.reports.push_back(shard_report(dir, i));
    else if (live.count(i))
      st.queued[i] = live.at(i);
    else
      st.missing.push_back(i);
  }
  return st;
}

} // namespace granita::sweep
