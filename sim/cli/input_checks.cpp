// SPDX-License-Identifier: Apache-2.0
#include "sim/cli/input_checks.h"

#include "src/glue/glue_task.h"
#include "src/model/sorbet_model.h"
#include "src/util/error.h"

#include <unistd.h>

#include <filesystem>

namespace granita::cli {

void check_text_options(const TextOptions &t, const glue::TaskInfo &task) {
  if (t.text_given && t.text.empty())
    throw InputError({}, "--text", "the sentence is empty (give a sentence, or --data FILE)");
  if (t.text_b_given && !t.text_given)
    throw InputError({}, "--text-b", "needs --text, the first sentence of the pair");
  if (t.text_b_given && t.text_b.empty())
    throw InputError({}, "--text-b", "the second sentence is empty");
  if (t.text_given && task.pair && !t.text_b_given)
    throw InputError({}, "--text",
                     task.name + " is a sentence-pair task: give the second sentence with --text-b");
  if (t.text_b_given && !task.pair)
    throw InputError({}, "--text-b",
                     task.name + " takes single sentences: leave out --text-b (or use --task)");
}

void check_task_matches_model(const std::string &task_option, const model::SorbetModel &m) {
  if (task_option.empty())
    return;
  const glue::TaskInfo &asked = glue::task_info(task_option);
  const glue::TaskInfo &trained = glue::task_info(m.task);
  if (asked.name == trained.name)
    return;
  std::string labels;
  for (size_t i = 0; i < m.labels.size(); ++i)
    labels += (i ? ", " : "") + m.labels[i];
  throw InputError({}, "--task " + task_option,
                   "the model '" + m.name + "' was trained for " + trained.name +
                       " (labels: " + labels + "); its predictions are not " + asked.name +
                       " labels. Use a model trained for " + asked.name + ", or leave out --task");
}

void check_output_path(const std::string &option, const std::string &path) {
  if (path.empty())
    return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec))
    throw InputError({}, option + " " + path, "is a folder; give a file name");
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(dir, ec))
    throw InputError({}, option + " " + path,
                     "the folder '" + dir.string() + "' does not exist (create it first)");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError({}, option + " " + path,
                     "the folder '" + dir.string() + "' is not writable");
}

config::HwConfig load_hw(const std::string &hw_option, const std::vector<std::string> &params) {
  return config::load_hw_config(
      config::resolve_hw_config(hw_option, energy::default_configs_dir()), params);
}

energy::EnergyTable load_energy_table(const std::string &energy_option,
                                      const config::HwConfig &hw,
                                      const energy::EventRegistry &registry) {
  if (!energy_option.empty())
    return energy::EnergyTable::load(
        energy::resolve_energy_table(energy_option, energy::default_configs_dir()), registry);
  try {
    return energy::EnergyTable::load(
        energy::resolve_energy_table(hw.energy_table, energy::default_configs_dir()), registry);
  } catch (const InputError &e) {
    if (e.location().file.empty()) // the name did not resolve: point at where it is written
      throw InputError(hw.energy_table_at, "energy_table", e.message());
    throw;
  }
}

std::filesystem::path self_exe() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw InputError("cannot find the running granita binary (/proc/self/exe): " + ec.message());
  return exe;
}

} // namespace granita::cli
