// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace granita::glue {

/// What a GLUE task looks like: label names (one entry for the STS-B regression), its official
/// metrics and whether examples are sentence pairs.
struct TaskInfo {
  std::string name;
  int num_labels = 2;
  std::vector<std::string> label_names;
  std::vector<std::string> metrics;
  bool pair = false;
};

/// The task called `name` (case-insensitive; "sst2" and "stsb" also accepted). Throws InputError
/// listing the valid names otherwise.
const TaskInfo &task_info(std::string_view name);

/// All GLUE tasks, in benchmark order.
const std::vector<TaskInfo> &all_tasks();

} // namespace granita::glue
