// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: GLUE TSV parsing for every task layout (the first byte picks the task).
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const auto &tasks = granita::glue::all_tasks();
  const auto &task = tasks[data[0] % tasks.size()];
  try {
    auto rows = granita::glue::parse_glue_tsv(
        std::string(reinterpret_cast<const char *>(data + 1), size - 1), "fuzz.tsv", task);
    for (const auto &r : rows)
      if (task.num_labels > 1 && (r.label < -1 || r.label >= task.num_labels))
        __builtin_trap();
  } catch (const granita::InputError &) {
  }
  return 0;
}
