// SPDX-License-Identifier: Apache-2.0
// granita: the one command-line front end (docs/architecture.md). main() declares the commands
// (their options in options.cpp), parses the command line and runs the one given (cmd_NAME.cpp),
// turning errors into exit codes: 1 for bad input, 2 for an internal error.

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "src/config/yaml_reader.h"
#include "src/util/data_path.h"
#include "src/util/error.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

using namespace granita;

// libsystemc references sc_main; granita has its own main() and drives SystemC from the run
// loop (sim/run), so this entry point is never called.
extern "C" int sc_main(int, char **) { return 2; }

int main(int argc, char **argv) {
  // The SystemC banner would otherwise be printed into our reports when the chip is built.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  CLI::App app{"granita: compile, simulate and measure spiking Sorbet models on neuromorphic "
               "hardware"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "granita 0.1.0");

  cli::EvalOptions eo;
  CLI::App *eval = cli::add_eval(app, eo);
  std::string vocab_path;
  bool tok_ids = false;
  CLI::App *tokenize = cli::add_tokenize(app, vocab_path, tok_ids);
  cli::SynthOptions so;
  CLI::App *synth = cli::add_synth_model(app, so);
  cli::CompileOptions co;
  CLI::App *compile = cli::add_compile(app, co);
  cli::EnergyOptions en;
  CLI::App *energy_cmd = cli::add_energy(app, en);
  cli::RunOptions ro;
  CLI::App *run = cli::add_run(app, ro);
  cli::NocOptions no;
  CLI::App *noc = cli::add_noc(app, no);
  std::string describe_unit;
  CLI::App *describe = cli::add_describe(app, describe_unit);
  cli::SweepOptions swo;
  CLI::App *sweep = cli::add_sweep(app, swo);
  std::string task_dir;
  std::string task_plan;
  long task_index = -1;
  CLI::App *sweep_task = cli::add_sweep_task(app, task_dir, task_plan, task_index);
  std::string report_dir;
  std::string report_out;
  CLI::App *report = cli::add_report(app, report_dir, report_out);

  if (argc > 1 && argv[1][0] != '-') {
    // An unknown command would otherwise be reported as a missing subcommand.
    std::vector<std::string> names;
    for (const CLI::App *c : app.get_subcommands([](const CLI::App *c) { return !c->get_group().empty(); }))
      names.push_back(c->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end() &&
        std::string(argv[1]) != "sweep-task") {
      const std::string hint = config::closest_match(argv[1], names);
      std::string list;
      for (const auto &n : names)
        list += (list.empty() ? "" : ", ") + n;
      std::fprintf(stderr, "granita: error: unknown command '%s'%s; commands: %s\n  (see 'granita --help')\n",
                   argv[1], hint.empty() ? "" : (" (did you mean '" + hint + "'?)").c_str(),
                   list.c_str());
      return 1;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // One line in the form of every other error, and where to look for the right spelling.
    std::string sub;
    for (const CLI::App *s : app.get_subcommands())
      sub = s->get_name();
    std::fprintf(stderr, "granita: error: %s\n  (see 'granita %s--help')\n", e.what(),
                 sub.empty() ? "" : (sub + " ").c_str());
    return 1;
  }
  en.energy_given = energy_cmd->count("--energy") > 0;
  eo.text_given = eval->count("--text") > 0;
  eo.text_b_given = eval->count("--text-b") > 0;
  ro.text_given = run->count("--text") > 0;
  ro.text_b_given = run->count("--text-b") > 0;
  try {
    if (*eval)
      return cli::run_eval(eo);
    if (*energy_cmd)
      return cli::run_energy(en);
    if (*compile)
      return cli::run_compile(co);
    if (*run)
      return cli::run_run(ro);
    if (*noc)
      return cli::run_noc(no);
    if (*describe)
      return cli::run_describe(describe_unit);
    if (*sweep)
      return cli::run_sweep_cmd(swo);
    if (*sweep_task)
      return cli::run_sweep_task_cmd(task_dir, task_plan, task_index);
    if (*report)
      return cli::run_report_cmd(report_dir, report_out);
    if (*tokenize)
      return cli::run_tokenize(vocab_path.empty() ? default_vocab_path().string() : vocab_path, tok_ids);
    if (*synth) {
      so.preset_given = synth->count("--preset") > 0;
      so.input_rate_given = synth->count("--input-rate") > 0;
      return cli::run_synth(so);
    }
  } catch (const InputError &e) {
    std::fprintf(stderr, "granita: error: %s\n", e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "granita: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
