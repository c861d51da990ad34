// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `granita` subcommands. Option parsing (CLI11) stays in main.cpp; each command is a plain
// function of its options that returns the exit code or throws InputError.

#include <string>
#include <vector>

namespace granita::cli {

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
  int limit = 0;
  std::string json_out, csv_out;
  bool no_check = false; // skip the per-sentence bit-exact check against the reference
  bool quiet = false;    // no per-sentence lines
  uint64_t watchdog_cycles = 200000;
};
int run_run(const RunOptions &o);

} // namespace granita::cli
