// SPDX-License-Identifier: Apache-2.0
// The options of every granita command, in the order `granita --help` lists them.
#include "sim/cli/options.h"

#include <cstdint>
#include <exception>

namespace granita::cli {

CLI::App *add_eval(CLI::App &app, EvalOptions &eo) {
  auto *eval = app.add_subcommand("eval", "functional integer reference over a GLUE TSV or text");
  eval->add_option("--model", eo.model_dir, "model package directory")->required();
  eval->add_option("--task", eo.task, "GLUE task (default: the model's task)");
  eval->add_option("--data", eo.data, "GLUE TSV file");
  eval->add_option("--text", eo.text, "one sentence instead of --data");
  eval->add_option("--text-b", eo.text_b, "second sentence of a pair (with --text)");
  eval->add_option("-n", eo.limit, "evaluate only the first N rows (0: all)")
      ->check(CLI::Range(0, INT32_MAX));
  eval->add_option("-j,--threads", eo.threads, "worker threads (default: all cores)")
      ->check(CLI::Range(0, 1024));
  eval->add_option("--json", eo.json_out, "write the full report as JSON");
  eval->add_option("--dump-ops", eo.dump_ops,
                   "write every op's integer output for one sentence as JSON");
  eval->add_option("--dump-index", eo.dump_index, "sentence for --dump-ops (default 0)");
  return eval;
}

CLI::App *add_tokenize(CLI::App &app, std::string &vocab_path, bool &tok_ids) {
  auto *tokenize = app.add_subcommand(
      "tokenize", "WordPiece-tokenize lines from stdin (no [CLS]/[SEP]), one line out per line");
  tokenize->add_option("--vocab", vocab_path, "vocabulary file (default: bert-base-uncased)");
  tokenize->add_flag("--ids", tok_ids, "print token ids instead of wordpieces");
  return tokenize;
}

CLI::App *add_synth_model(CLI::App &app, SynthOptions &so) {
  auto *synth =
      app.add_subcommand("synth-model", "write a Sorbet model package with random weights");
  synth->add_option("--kind", so.kind,
                    "sorbet (a BERT-shaped Sorbet, default) or snn (binary linear + fire layers, "
                    "no attention)");
  synth->add_option("--preset", so.preset,
                    "sorbet: bert-tiny|bert-mini|bert-small|bert-medium|bert-base");
  synth->add_option("--layers", so.layers,
                    "snn: neurons per layer, inputs first, e.g. 1024,256,256 (a 2-class readout "
                    "follows)");
  synth->add_option("--input-rate", so.input_rate,
                    "snn: input spikes per neuron per time step (default 0.1)");
  synth->add_option("-p", so.params,
                    "override: layers=, hidden=, heads=, ffn=, max_seq_len=, bits= (snn: "
                    "max_seq_len=, bits=)");
  synth->add_option("-o,--out", so.out_dir, "output directory")->required();
  synth->add_option("--vocab", so.vocab, "vocabulary file (default: bert-base-uncased)");
  synth->add_option("--seed", so.seed, "random seed");
  return synth;
}

CLI::App *add_compile(CLI::App &app, CompileOptions &co) {
  auto *compile = app.add_subcommand("compile", "map a Sorbet model package onto a chip");
  compile->add_option("--model", co.model_dir, "model package directory")->required();
  compile
      ->add_option("--hw", co.hw,
                   "hardware config: a preset name (default, edge, bert-base, truenorth, "
                   "loihi) or a .yaml path")
      ->required();
  compile->add_option("-p", co.hw_params, "hardware config override key.path=value");
  compile->add_option("-o,--out", co.out, "mapping file to write")->required();
  compile->add_option("--dump-after", co.dump_after,
                      "write the IR (text and GraphViz dot) after this pass, or 'all'");
  compile->add_flag("--time-passes", co.time_passes, "print each pass's time");
  compile->add_flag("--no-verify", co.no_verify, "skip the IR verifier between passes");
  compile->add_option("--json", co.json_out, "write the summary as JSON");
  return compile;
}

CLI::App *add_energy(CLI::App &app, EnergyOptions &en) {
  auto *energy_cmd = app.add_subcommand(
      "energy", "analytical energy estimate (ACs x E_AC vs a same-shape BERT's MACs x E_MAC)");
  energy_cmd->add_option("--model", en.model_dir, "model package directory");
  energy_cmd->add_option("--reprice", en.reprice,
                         "price a `granita run --json` report with --energy TABLE instead "
                         "(no simulation)");
  energy_cmd->add_option("--energy", en.energy,
                         "energy table with a convention section: name in configs/energy or a "
                         "path (default snn-ac-mac)");
  energy_cmd->add_option("--task", en.task, "GLUE task (default: the model's task)");
  energy_cmd->add_option("--data", en.data, "GLUE TSV (default: the task's dev.tsv)");
  energy_cmd->add_option("-n", en.limit, "first N sentences, 0 for all (default 100)")
      ->check(CLI::Range(0, INT32_MAX));
  energy_cmd->add_option("--json", en.json_out, "write the estimate as JSON");
  energy_cmd
      ->add_option("--convention", en.convention,
                   "counting convention: granita (default) or snn-literature (docs/energy.md)")
      ->check(CLI::IsMember({"granita", "snn-literature"}));
  energy_cmd
      ->add_option("--signed-spikes", en.signed_spikes,
                   "yes: a signed value is |level - offset| spikes; no: level + offset")
      ->check(CLI::IsMember({"yes", "no"}));
  energy_cmd->add_option("--attention", en.attention, "count Q.K and P.V on both sides (yes|no)")
      ->check(CLI::IsMember({"yes", "no"}));
  energy_cmd->add_option("--rate", en.rate, "firing rate per layer or one network average")
      ->check(CLI::IsMember({"per-layer", "network"}));
  energy_cmd
      ->add_option("--bert-tokens", en.bert_tokens,
                   "BERT counted at the actual tokens or at max_seq_len (padded)")
      ->check(CLI::IsMember({"actual", "max"}));
  // A positive, finite energy in pJ (CLI11's PositiveNumber prints DBL_MAX in its message).
  const CLI::Validator positive_pj(
      [](const std::string &v) {
        try {
          size_t used = 0;
          const double x = std::stod(v, &used);
          if (used == v.size() && x > 0 && x < 1e9)
            return std::string();
        } catch (const std::exception &) {
        }
        return "expected a positive energy in pJ, got '" + v + "'";
      },
      "PJ");
  energy_cmd->add_option("--e-ac", en.e_ac_pj, "E_AC in pJ (default: the table's ac_pj)")
      ->check(positive_pj);
  energy_cmd->add_option("--e-mac", en.e_mac_pj, "E_MAC in pJ (default: the table's mac_pj)")
      ->check(positive_pj);
  return energy_cmd;
}

CLI::App *add_run(CLI::App &app, RunOptions &ro) {
  auto *run = app.add_subcommand("run", "cycle-accurate simulation of GLUE sentences on a chip");
  run->add_option("--model", ro.model_dir, "model package directory (required but with --collect)");
  run->add_option("--hw", ro.hw,
                  "hardware config: a preset name (default, edge, bert-base, truenorth, loihi) "
                  "or a .yaml path (not with --merge)");
  run->add_option("-p", ro.hw_params, "hardware config override key.path=value");
  run->add_option("--mapping", ro.mapping, "mapping file (default: compile now)");
  run->add_option("--energy", ro.energy, "energy table name or file (default: the config's)");
  run->add_option("--task", ro.task, "GLUE task (default: the model's task)");
  run->add_option("--data", ro.data, "GLUE TSV file (default: the task's dev.tsv)");
  run->add_option("--text", ro.text, "one sentence instead of --data");
  run->add_option("--text-b", ro.text_b, "second sentence of a pair (with --text)");
  run->add_option("-n", ro.limit, "simulate only the first N rows (0: all)")
      ->check(CLI::Range(0, INT32_MAX));
  run->add_option("--json", ro.json_out, "write the report as JSON");
  run->add_option("--csv", ro.csv_out, "write per-sentence rows as CSV");
  run->add_flag("--no-check", ro.no_check, "skip the per-sentence check against the reference");
  run->add_flag("-q,--quiet", ro.quiet, "no per-sentence lines");
  run->add_option("--vcd", ro.vcd, "write a VCD of key signals (router flits, unit busy)");
  run->add_option("--trace", ro.trace, "write a Perfetto/Chrome trace JSON of one sentence");
  run->add_option("--trace-sentence", ro.trace_sentence, "sentence for --trace (default 0)");
  run->add_option("--shard", ro.shard,
                  "I/N: simulate only sentences i with i % N == I (one task of a cluster job "
                  "array, e.g. --shard $SLURM_ARRAY_TASK_ID/8 --json shard-I.json)");
  run->add_option("--merge", ro.merge,
                  "merge these shard reports (--json of --shard runs) into one report instead "
                  "of simulating; identical to the report of a single run")
      ->expected(1, -1);
  run->add_option("-j,--jobs", ro.jobs,
                  "worker processes, one chip each, on interleaved sentences (default 1); the "
                  "merged report is the one of -j 1")
      ->check(CLI::Range(1, 256));
  run->add_option("--watchdog-cycles", ro.watchdog_cycles,
                  "stop with an error after this many cycles without progress")
      ->check(CLI::Range(uint64_t(1), uint64_t(1) << 62));
  run->add_option("--backend", ro.backend, "local (default) or slurm: shards over a job array");
  run->add_option("-o,--out", ro.out_dir, "slurm: the run folder (run.json, shards/, slurm/)");
  run->add_option("--shards", ro.shards, "slurm: array tasks (default 8)")
      ->check(CLI::Range(size_t(1), size_t(1000)));
  run->add_option("--partition", ro.partition, "slurm: partition to submit to");
  run->add_option("--time", ro.time_limit, "slurm: time limit per array task (e.g. 30:00)");
  run->add_option("--sbatch-arg", ro.sbatch_args, "slurm: extra sbatch option, repeatable");
  run->add_flag("--dry-run", ro.dry_run, "slurm: write the run folder, print sbatch only");
  run->add_option("--collect", ro.collect,
                  "merge the shard reports of a --backend slurm run folder into its report "
                  "(DIR/report.json; exit 3 while shards are missing)");
  run->add_flag("--wait", ro.wait, "with --collect: wait until the shards have left the queue");
  return run;
}

CLI::App *add_noc(CLI::App &app, NocOptions &no) {
  auto *noc = app.add_subcommand("noc", "synthetic traffic on the router mesh alone");
  noc->add_option("--hw", no.hw, "hardware config: a preset name or a .yaml path")->required();
  noc->add_option("-p", no.hw_params, "hardware config override key.path=value");
  noc->add_option("--traffic", no.traffic, "uniform | transpose | hotspot");
  noc->add_option("--rate", no.rate, "offered load, flits per node per cycle");
  noc->add_option("--rates", no.rates,
                  "LO:HI:STEP: the whole latency-vs-load curve (one simulation per rate) with its "
                  "saturation point; draw it with scripts/noc-plot CURVE.json");
  noc->add_option("--packet-flits", no.packet_flits, "flits per packet (default 4)");
  noc->add_option("--cycles", no.cycles, "injection cycles (default 10000)");
  noc->add_option("--seed", no.seed, "random seed");
  noc->add_option("--json", no.json_out, "write the result as JSON");
  return noc;
}

CLI::App *add_describe(CLI::App &app, std::string &describe_unit) {
  auto *describe = app.add_subcommand("describe", "parameters, ports and energy events of a unit");
  describe->add_option("unit", describe_unit,
                       "router, crossbar, accumulate, neuron, ptsoftmax, "
                       "bspn, sram, core, host (default: all)");
  return describe;
}

CLI::App *add_sweep(CLI::App &app, SweepOptions &swo) {
  auto *sweep = app.add_subcommand("sweep", "run a design-space sweep (docs/sweeps.md)");
  sweep->add_option("spec", swo.spec, "sweep spec (configs/sweeps/*.yaml)");
  sweep->add_option("-o,--out", swo.out_dir, "sweep folder (results.jsonl, results.csv)");
  sweep->add_option("-j,--jobs", swo.jobs, "local: simulations at once (default 1)")
      ->check(CLI::PositiveNumber);
  sweep->add_flag("--retry-failed", swo.retry_failed, "run failed points again");
  sweep->add_option("--backend", swo.backend, "local (default) or slurm (one sbatch job array)");
  sweep->add_option("--partition", swo.partition, "slurm: partition to submit to");
  sweep->add_option("--time", swo.time_limit, "slurm: time limit per array task (e.g. 30:00)");
  sweep->add_option("--chunk", swo.chunk, "slurm: points per array task (default 1)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--sbatch-arg", swo.sbatch_args,
                    "slurm: extra sbatch option, repeatable (e.g. --sbatch-arg=--mem=2G)");
  sweep->add_flag("--dry-run", swo.dry_run, "slurm: write the plan, print sbatch, submit nothing");
  sweep->add_option("--collect", swo.collect_dir,
                    "merge the Slurm tasks' results of DIR, list missing/failed points "
                    "(exit 3 while some lack a result)");
  sweep->add_flag("--wait", swo.wait, "with --collect: wait until the jobs have left the queue");
  return sweep;
}

CLI::App *add_sweep_task(CLI::App &app, std::string &task_dir, std::string &task_plan,
                         long &task_index) {
  auto *sweep_task = app.add_subcommand("sweep-task", "");
  sweep_task->group(""); // internal: run by Slurm array tasks
  sweep_task->add_option("dir", task_dir, "sweep folder")->required();
  sweep_task->add_option("--plan", task_plan, "plan file")->required();
  sweep_task->add_option("--task", task_index, "array task index")->required();
  return sweep_task;
}

CLI::App *add_report(CLI::App &app, std::string &report_dir, std::string &report_out) {
  auto *report = app.add_subcommand("report", "report.md and plots of a sweep folder");
  report->add_option("dir", report_dir, "sweep folder")->required();
  report->add_option("--out", report_out,
                     "folder for report.md and the plots (default: the sweep folder)");
  return report;
}

} // namespace granita::cli
