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
