// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `granita` subcommands. Option parsing (CLI11) stays in main.cpp and options.cpp; each
// command is a plain function of its options that returns the exit code or throws InputError.

#include <cstddef>
#include <string>
#include <vector>

namespace granita::glue {
struct Example;
struct TaskInfo;
} // namespace granita::glue

namespace granita::cli {

/// The sentences a command works on: --text/--text-b as one example, else the first `limit`
/// rows (0 = all) of the TSV `data`. `command` names the command in the error for neither.
std::vector<glue::Example> read_examples(const std::string &command, const glue::TaskInfo &task,
                                         const std::string &data, const std::string &text,
                                         const std::string &text_b, int limit);

struct EvalOptions {
  std::string model_dir;
  std::string task;
  std::string data;
  std::string text;
  std::string text_b;
  bool text_given = false, text_b_given = false;
  std::string json_out;
  std::string dump_ops;
  int dump_index = 0;
  int limit = 0;
  int threads = 0;
};

int run_eval(const EvalOptions &o);

int run_tokenize(const std::string &vocab_path, bool ids);

struct SynthOptions {
  std::string kind = "sorbet"; // sorbet | snn
  std::string layers;          // snn: comma-separated sizes
  std::string input_rate = "0.1"; // snn: input spikes per neuron per time step
  bool preset_given = false;      // so that options of the other kind are errors, not ignored
  bool input_rate_given = false;
  std::string preset = "bert-mini";
  std::vector<std::string> params;
  std::string out_dir;
  std::string vocab;
  uint64_t seed = 1;
};

int run_synth(const SynthOptions &o);

struct EnergyOptions {
  std::string model_dir;
  std::string reprice; // a `granita run --json` report to price again
  std::string energy = "snn-ac-mac";
  bool energy_given = false;
  std::string task;
  std::string data;
  std::string json_out;
  int limit = 100;
  // Counting convention of the analytical estimate (docs/energy.md §4.1) and its assumptions;
  // an empty string or 0 keeps the preset's (or the table's) value.
  std::string convention = "granita";
  std::string signed_spikes, attention, rate, bert_tokens;
  double e_ac_pj = 0, e_mac_pj = 0;
};

int run_energy(const EnergyOptions &o);

struct CompileOptions {
  std::string model_dir;
  std::string hw;
  std::vector<std::string> hw_params; // -p key.path=value
  std::string out;                    // mapping file
  std::string dump_after;             // pass name or "all"
  bool time_passes = false;
  bool no_verify = false;
  std::string json_out;
};
int run_compile(const CompileOptions &o);

} // namespace granita::cli

namespace granita::cli {

struct RunOptions {
  std::string model_dir;
  std::string hw;
  std::vector<std::string> hw_params;
  std::string mapping;   // compile on the fly when empty
  std::string energy;    // table name or path; default: the hw config's energy_table
  std::string task;
  std::string data;
  std::string text, text_b;
  bool text_given = false, text_b_given = false; // --text / --text-b on the command line
  int limit = 0;
  std::string json_out, csv_out;
  bool no_check = false; // skip the per-sentence bit-exact check against the reference
  bool quiet = false;    // no per-sentence lines
  uint64_t watchdog_cycles = 200000;
  std::string vcd;        // VCD of key signals (whole run)
  std::string trace;      // Perfetto/Chrome trace JSON of one sentence
  int trace_sentence = 0; // which sentence --trace records
  int jobs = 1;           // worker processes, one chip each
  std::string shard;      // "I/N": only sentences i with i % N == I (one task of a job array)
  std::vector<std::string> merge; // shard reports to merge instead of simulating
  // Sharding over a Slurm job array (docs/chip.md "Runs on a cluster").
  std::string backend = "local";  // local | slurm
  std::string out_dir;            // slurm: the run folder
  size_t shards = 8;              // slurm: array tasks (clamped to the sentence count)
  std::string partition, time_limit;
  std::vector<std::string> sbatch_args;
  bool dry_run = false;           // slurm: write the folder and script, print sbatch
  std::string collect;            // merge the shard reports of this run folder
  bool wait = false;              // with collect: wait until the shards have left the queue
};
int run_run(const RunOptions &o);

} // namespace granita::cli

namespace granita::cli {

struct NocOptions {
  std::string hw;
  std::vector<std::string> hw_params;
  std::string traffic = "uniform";
  double rate = 0.1;
  int packet_flits = 4;
  uint64_t cycles = 10000;
  uint64_t seed = 1;
  std::string json_out;
  std::string rates; // "lo:hi:step": the latency-vs-load curve instead of one --rate
};
int run_noc(const NocOptions &o);

/// `granita describe [unit]`: parameters, ports and energy events of the hardware units.
int run_describe(const std::string &unit);

} // namespace granita::cli

namespace granita::cli {

struct SweepOptions {
  std::string spec;     // configs/sweeps/*.yaml
  std::string out_dir;  // results.jsonl, results.csv, points/
  int jobs = 1;
  bool retry_failed = false;
  std::string backend = "local"; // local | slurm
  std::string partition;         // slurm: --partition
  std::string time_limit;        // slurm: --time per array task
  size_t chunk = 0;              // slurm: points per array task (0: automatic)
  std::vector<std::string> sbatch_args;
  bool dry_run = false;          // slurm: write plan and script, print the sbatch command
  std::string collect_dir;       // --collect DIR
  bool wait = false;             // --collect: wait for the jobs to leave the queue
};
/// `granita sweep SPEC -o DIR [-j N] [--backend slurm ...]` or `granita sweep --collect DIR`.
int run_sweep_cmd(const SweepOptions &o);
/// `granita sweep-task DIR --plan FILE --task I`: one Slurm array task (internal).
int run_sweep_task_cmd(const std::string &dir, const std::string &plan, long task);
/// `granita report DIR`: report.md and plots of a sweep folder (scripts/sweep-report).
int run_report_cmd(const std::string &dir, const std::string &out);

} // namespace granita::cli
