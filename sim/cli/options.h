// SPDX-License-Identifier: Apache-2.0
#pragma once

// The command line of the `granita` binary: each command's options declared on the CLI11 app,
// one function per command, filling that command's options struct (commands.h). Only main.cpp
// and options.cpp see CLI11: the Python module links the commands without it.

#include "sim/cli/commands.h"

#include <CLI/CLI.hpp>

#include <string>

namespace granita::cli {

/// `granita eval`.
CLI::App *add_eval(CLI::App &app, EvalOptions &eo);
/// `granita tokenize`.
CLI::App *add_tokenize(CLI::App &app, std::string &vocab_path, bool &tok_ids);
/// `granita synth-model`.
CLI::App *add_synth_model(CLI::App &app, SynthOptions &so);
/// `granita compile`.
CLI::App *add_compile(CLI::App &app, CompileOptions &co);
/// `granita energy`.
CLI::App *add_energy(CLI::App &app, EnergyOptions &en);
/// `granita run`.
CLI::App *add_run(CLI::App &app, RunOptions &ro);
/// `granita noc`.
CLI::App *add_noc(CLI::App &app, NocOptions &no);
/// `granita describe`.
CLI::App *add_describe(CLI::App &app, std::string &describe_unit);
/// `granita sweep`.
CLI::App *add_sweep(CLI::App &app, SweepOptions &swo);
/// `granita sweep-task` (internal: run by Slurm array tasks).
CLI::App *add_sweep_task(CLI::App &app, std::string &task_dir, std::string &task_plan,
                         long &task_index);
/// `granita report`.
CLI::App *add_report(CLI::App &app, std::string &report_dir, std::string &report_out);

} // namespace granita::cli
