// SPDX-License-Identifier: Apache-2.0
// granita run --shard / --merge / --backend slurm / --collect (docs/chip.md "Runs on a cluster").
#include "sim/cli/run_shards.h"

#include "sim/cli/input_checks.h"
#include "sweep/run_slurm.h"
#include "src/energy/energy_table.h"
#include "src/eval/evaluate.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace granita::cli {

namespace fs = std::filesystem;

/// "I/N" of --shard as {I, N}; N = 0 when no shard is asked for.
std::pair<size_t, size_t> parse_shard(const std::string &s) {
  if (s.empty())
    return {0, 0};
  const size_t slash = s.find('/');
  char *e1 = nullptr, *e2 = nullptr;
  const long i = slash == std::string::npos ? -1 : std::strtol(s.c_str(), &e1, 10);
  const long n = slash == std::string::npos ? -1 : std::strtol(s.c_str() + slash + 1, &e2, 10);
  if (slash == std::string::npos || e1 != s.c_str() + slash || *e2 != '\0' || n < 1 ||
      n > 100000 || i < 0 || i >= n)
    throw InputError({}, "--shard " + s, "expected I/N with 0 <= I < N (e.g. 3/8)");
  return {size_t(i), size_t(n)};
}

/// GLUE metrics of a report's sentences (the functional report computes them).
void fill_metrics(report::RunReport &rep, const model::SorbetModel &m, const glue::TaskInfo &task,
                  const std::vector<glue::Example> &examples) {
  eval::EvalReport er;
  for (const report::SentenceRecord &s : rep.sentences) {
    eval::SentenceResult r;
    r.index = s.index;
    r.logits = s.logits;
    r.prediction = s.prediction;
    r.label = s.label;
    r.score = s.score;
    er.sentences.push_back(r);
  }
  eval::compute_metrics(er, m, task, examples);
  rep.metrics = er.metrics;
}
int merge_shards(const RunOptions &o, const model::SorbetModel &m,
                 const std::vector<std::string> &files) {
  check_output_path("--json", o.json_out);
  check_output_path("--csv", o.csv_out);
  auto load = [](const std::string &f) {
    try {
      return report::RunReport::from_json(nlohmann::json::parse(read_file(f)), f);
    } catch (const nlohmann::json::parse_error &e) {
      throw InputError({f}, "", std::string("not JSON: ") + e.what());
    }
  };
  report::RunReport rep = load(files[0]);
  if (rep.model != m.name)
    throw InputError({files[0]}, "model", "report of model '" + rep.model + "', not '" +
                                              m.name + "' (--model)");
  std::set<int> seen;
  for (const auto &s : rep.sentences)
    seen.insert(s.index);
  for (size_t k = 1; k < files.size(); ++k) {
    const report::RunReport shard = load(files[k]);
    if (shard.model != rep.model || shard.hw != rep.hw || shard.encoding != rep.encoding ||
        shard.mesh_x != rep.mesh_x || shard.mesh_y != rep.mesh_y || shard.chip != rep.chip ||
        shard.op_names != rep.op_names)
      throw InputError({files[k]}, "", "a shard of another run (model, chip or ops differ from " +
                                           files[0] + ")");
    for (const auto &s : shard.sentences)
      if (!seen.insert(s.index).second)
        throw InputError({files[k]}, "sentences",
                         "sentence " + std::to_string(s.index) + " is also in another shard");
    rep.merge(shard);
  }
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table = energy::EnergyTable::load(
      energy::resolve_energy_table(o.energy.empty() ? nlohmann::json::parse(read_file(files[0]))
                                                            .value("energy_table", "")
                                                      : o.energy,
                                   energy::default_configs_dir()),
      registry);
  std::vector<glue::Example> labels; // the gold labels the shards carry
  for (const auto &s : rep.sentences) {
    glue::Example ex;
    ex.label = s.label;
    ex.score = s.score;
    labels.push_back(ex);
  }
  fill_metrics(rep, m, glue::task_info(rep.task), labels);
  std::fputs(rep.to_text(table).c_str(), stdout);
  if (!o.json_out.empty())
    write_file_atomic(o.json_out, rep.to_json(table).dump(2) + "\n");
  if (!o.csv_out.empty())
    write_file_atomic(o.csv_out, rep.to_csv(table));
  return 0;
}

void check_slurm_run_options(const RunOptions &o) {
  if (o.backend != "local" && o.backend != "slurm")
    throw InputError({}, "--backend " + o.backend, "expected local or slurm");
  const bool slurm = o.backend == "slurm";
  auto slurm_only = [&](bool given, const char *opt) {
    if (given && !slurm)
      throw InputError({}, opt, "belongs to --backend slurm");
  };
  slurm_only(!o.out_dir.empty(), "-o");
  slurm_only(!o.partition.empty(), "--partition");
  slurm_only(!o.time_limit.empty(), "--time");
  slurm_only(!o.sbatch_args.empty(), "--sbatch-arg");
  slurm_only(o.dry_run, "--dry-run");
  if (!slurm)
    return;
  if (o.out_dir.empty())
    throw InputError({}, "-o", "required with --backend slurm (the run folder)");
  auto not_with = [](bool given, const char *opt, const char *why) {
    if (given)
      throw InputError({}, opt, std::string("cannot be used with --backend slurm: ") + why);
  };
  not_with(!o.shard.empty(), "--shard", "each array task takes its own shard");
  not_with(o.jobs > 1, "-j", "each array task is one worker");
  not_with(!o.vcd.empty(), "--vcd", "it records one chip");
  not_with(!o.trace.empty(), "--trace", "it records one chip");
  not_with(!o.json_out.empty() || !o.csv_out.empty(), "--json/--csv",
           "the merged report is written by --collect (give them there)");
  std::error_code ec;
  if (fs::exists(o.out_dir, ec) && !fs::is_directory(o.out_dir, ec))
    throw InputError({}, "-o " + o.out_dir, "exists and is not a folder");
}

int submit_sharded_run(const RunOptions &o, size_t sentences) {
  // Paths become absolute: the array tasks may start anywhere on the cluster's shared disk.
  auto abs = [](const std::string &p) { return fs::absolute(p).lexically_normal().string(); };
  auto abs_if_file = [&](const std::string &p) {
    std::error_code ec;
    return fs::exists(p, ec) ? abs(p) : p; // preset and table names stay names
  };
  std::vector<std::string> args = {"--model", abs(o.model_dir), "--hw", abs_if_file(o.hw)};
  for (const std::string &p : o.hw_params)
    args.insert(args.end(), {"-p", p});
  auto add = [&](const char *opt, const std::string &v) {
    if (!v.empty())
      args.insert(args.end(), {opt, v});
  };
  add("--mapping", o.mapping.empty() ? "" : abs(o.mapping));
  add("--energy", o.energy.empty() ? "" : abs_if_file(o.energy));
  add("--task", o.task);
  add("--data", o.data.empty() ? "" : abs(o.data));
  if (o.text_given)
    args.insert(args.end(), {"--text", o.text});
  if (o.text_b_given)
    args.insert(args.end(), {"--text-b", o.text_b});
  add("-n", o.limit ? std::to_string(o.limit) : "");
  if (o.no_check)
    args.push_back("--no-check");
  args.insert(args.end(), {"--watchdog-cycles", std::to_string(o.watchdog_cycles)});

  sweep::RunShardJob j;
  j.dir = o.out_dir;
  j.granita_exe = self_exe();
  j.args = args;
  j.model_dir = abs(o.model_dir);
  j.shards = std::min(o.shards, sentences);
  j.sentences = sentences;
  j.job = {o.partition, o.time_limit, o.sbatch_args};
  j.dry_run = o.dry_run;
  return sweep::submit_run_shards(j);
}

int collect_sharded_run(const RunOptions &o) {
  if (!o.model_dir.empty() || !o.hw.empty() || o.backend != "local" || !o.out_dir.empty())
    throw InputError({}, "--collect", "takes only the run folder (the run is in DIR/run.json)");
  const fs::path dir = o.collect;
  const sweep::RunShardStatus st = sweep::run_shard_status(dir, o.wait);
  const size_t shards = st.run["shards"].get<size_t>();
  std::printf("run %s: %zu shards: %zu done, %zu queued or running, %zu missing\n",
              dir.string().c_str(), shards, st.reports.size(), st.queued.size(),
              st.missing.size());
  for (const auto &[i, task] : st.queued)
    std::printf("  queued   shard %zu (task %s)\n", i, task.c_str());
  for (size_t i : st.missing)
    std::printf("  missing  shard %zu (no report and no live task: killed, failed or never "
                "submitted; its log is under %s)\n",
                i, (dir / "slurm").string().c_str());
  if (!st.squeue_known)
    std::printf("(squeue did not answer: shards counted as missing may still be queued)\n");
  if (!st.missing.empty())
    std::printf("submit the missing shards again with the same `granita run ... --backend slurm "
                "-o %s` command\n",
                dir.string().c_str());
  if (!st.missing.empty() || !st.queued.empty())
    return 3;
  std::vector<std::string> files;
  for (const fs::path &f : st.reports)
    files.push_back(f.string());
  RunOptions mo = o;
  // The run's own --energy (if any) prices the merged report, unless --energy is given here.
  const auto &args = st.run["args"];
  for (size_t k = 0; mo.energy.empty() && k + 1 < args.size(); ++k)
    if (args[k] == "--energy")
      mo.energy = args[k + 1].get<std::string>();
  const model::SorbetModel m = model::load_package(st.run["model"].get<std::string>());
  RunOptions to_dir = mo;
  to_dir.json_out = (dir / "report.json").string();
  to_dir.csv_out = (dir / "report.csv").string();
  const int code = merge_shards(to_dir, m, files);
  if (code == 0 && (!o.json_out.empty() || !o.csv_out.empty())) {
    if (!o.json_out.empty())
      write_file_atomic(o.json_out, read_file(to_dir.json_out));
    if (!o.csv_out.empty())
      write_file_atomic(o.csv_out, read_file(to_dir.csv_out));
  }
  return code;
}

} // namespace granita::cli
