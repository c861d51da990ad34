// SPDX-License-Identifier: Apache-2.0
#include "src/glue/glue_task.h"

#include "src/util/error.h"

#include <cctype>

namespace granita::glue {

const std::vector<TaskInfo> &all_tasks() {
  // Label order follows the GLUE processors of the Hugging Face examples (MNLI:
  // contradiction, entailment, neutral; QNLI/RTE: entailment, not_entailment).
  static const std::vector<TaskInfo> kTasks = {
      {"CoLA", 2, {"unacceptable", "acceptable"}, {"matthews"}, false},
      {"SST-2", 2, {"negative", "positive"}, {"accuracy"}, false},
      {"MRPC", 2, {"not_equivalent", "equivalent"}, {"accuracy", "f1"}, true},
      {"STS-B", 1, {"score"}, {"pearson", "spearman"}, true},
      {"QQP", 2, {"not_duplicate", "duplicate"}, {"accuracy", "f1"}, true},
      {"MNLI", 3, {"contradiction", "entailment", "neutral"}, {"accuracy"}, true},
      {"QNLI", 2, {"entailment", "not_entailment"}, {"accuracy"}, true},
      {"RTE", 2, {"entailment", "not_entailment"}, {"accuracy"}, true},
      {"WNLI", 2, {"not_entailment", "entailment"}, {"accuracy"}, true}};
  return kTasks;
}

const TaskInfo &task_info(std::string_view name) {
  auto norm = [](std::string_view s) {
    std::string out;
    for (char c : s)
      if (c != '-' && c != '_')
        out += char(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string want = norm(name);
  std::string names;
  for (const TaskInfo &t : all_tasks()) {
    if (norm(t.name) == want)
      return t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  throw InputError({}, "task", "unknown GLUE task '" + std::string(name) + "' (one of " + names + ")");
}

} // namespace granita::glue
