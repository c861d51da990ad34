// SPDX-License-Identifier: Apache-2.0
#include "sweep/slurm_client.h"

#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/log.h"
#include "src/util/progress.h"
#include "src/util/strings.h"
#include "src/util/subprocess.h"

#include <chrono>
#include <cstdio>
#include <thread>

namespace granita::sweep::slurm {

namespace fs = std::filesystem;

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

} // namespace

std::vector<std::string> sbatch_command(const JobOptions &o, const std::string &job_name,
                                        const std::string &array, const fs::path &log_dir,
                                        const fs::path &workdir, const fs::path &script) {
  std::vector<std::string> a = {"sbatch",
                                "--parsable",
                                "--job-name=" + job_name,
                                "--array=" + array,
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

std::string array_spec(const std::vector<size_t> &ids) {
  std::string s;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
      ++j;
    if (!s.empty())
      s += ",";
    s += std::to_string(ids[i]);
    if (j > i)
      s += "-" + std::to_string(ids[j]);
    i = j + 1;
  }
  return s;
}

std::string submit(const std::vector<std::string> &cmd, const std::string &option) {
  const proc::Captured c = proc::capture(cmd);
  if (c.code != 0)
    throw InputError({}, option,
                     c.code < 0 ? std::string("sbatch not found in PATH (is slurm-client "
                                              "installed?)")
                                : "sbatch failed: " + trimmed(c.err + c.out));
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const std::string out = trimmed(c.out);
  const std::string job = out.substr(0, out.find(';'));
  if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
    throw InputError({}, option, "sbatch printed no job id: '" + out + "'");
  return job;
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

std::set<std::string> live_tasks(const nlohmann::json &records, bool *known,
                                 const std::string &who) {
  *known = true;
  std::vector<std::string> jobs;
  for (const auto &r : records)
    jobs.push_back(r["job"].get<std::string>());
  if (jobs.empty())
    return {};
  const proc::Captured c = proc::capture(
      {"squeue", "--noheader", "--array", "--jobs=" + join(jobs, ","), "--format=%F_%K"});
  if (c.code == 0)
    return parse_squeue_tasks(c.out);
  // squeue rejects a list made only of jobs it has forgotten; they are finished.
  if (c.err.find("Invalid job id") != std::string::npos)
    return {};
  *known = false;
  log::warn(who + ": cannot ask squeue about jobs " + join(jobs, ",") + " (" +
            (c.code < 0 ? std::string("squeue not found") : trimmed(c.err)) + ")");
  return {};
}

void wait_for_jobs(const nlohmann::json &jobs, const std::string &who, const std::string &label,
                   size_t total, const std::function<size_t()> &done, bool *known) {
  ProgressBar bar(label, total);
  for (;;) {
    const bool any = !live_tasks(jobs, known, who).empty();
    bar.update(done());
    if (!any)
      break;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  bar.finish();
}

std::string shell_quote(const std::string &s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_script(const fs::path &path, const std::string &body) {
  write_file_atomic(path, body);
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
}

fs::path folder(const fs::path &dir) { return dir / "slurm"; }

fs::path jobs_file(const fs::path &dir) { return folder(dir) / "jobs.json"; }

nlohmann::json load_jobs(const fs::path &file, const std::vector<std::string> &required) {
  if (!fs::exists(file))
    return nlohmann::json::array();
  nlohmann::json j = nlohmann::json::parse(read_file(file), nullptr, false);
  if (j.is_discarded() || !j.is_array())
    throw InputError({file.string()}, "", "not a JSON array of submitted jobs");
  for (const auto &r : j) {
    bool ok = r.is_object() && r.contains("job") && r["job"].is_string();
    for (const std::string &k : required)
      ok = ok && r.contains(k) && r[k].is_string();
    if (!ok)
      throw InputError({file.string()}, "", "a job record lacks its job id or " +
                                                join(required, "/"));
  }
  return j;
}

} // namespace granita::sweep::slurm
