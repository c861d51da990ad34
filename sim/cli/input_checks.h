// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"

#include <filesystem>
#include <string>
#include <vector>

namespace granita::model {
struct SorbetModel;
}
namespace granita::glue {
struct TaskInfo;
}

/// Checks every command runs on its inputs and outputs before any work starts (a bad option must
/// never cost a simulation, and never leave a file behind). Each throws InputError naming the
/// option.
namespace granita::cli {

/// What the user gave for --text / --text-b (`given` distinguishes `--text ""` from no --text).
struct TextOptions {
  bool text_given = false, text_b_given = false;
  std::string text, text_b;
};

/// --text must not be empty; --text-b needs --text; a pair task needs --text-b with --text and a
/// single-sentence task takes none.
void check_text_options(const TextOptions &t, const glue::TaskInfo &task);

/// --task, when given, must be the task the model was trained for: its logits mean that task's
/// labels.
void check_task_matches_model(const std::string &task_option, const model::SorbetModel &m);

/// An output file's folder must exist and be writable, and the path must not be a folder.
void check_output_path(const std::string &option, const std::string &path);

/// The hardware config of --hw (a preset name or a path) with the -p overrides.
config::HwConfig load_hw(const std::string &hw_option, const std::vector<std::string> &params);

/// The energy table of --energy, or the hardware config's energy_table; an unknown name is
/// reported at the config's line (or its -p override).
energy::EnergyTable load_energy_table(const std::string &energy_option,
                                      const config::HwConfig &hw,
                                      const energy::EventRegistry &registry);

/// The running granita binary (sweep points and Slurm tasks start it again).
std::filesystem::path self_exe();

} // namespace granita::cli
