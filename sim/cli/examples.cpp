// SPDX-License-Identifier: Apache-2.0
#include "sim/cli/commands.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/util/error.h"

namespace granita::cli {

std::vector<glue::Example> read_examples(const std::string &command, const glue::TaskInfo &task,
                                         const std::string &data, const std::string &text,
                                         const std::string &text_b, int limit) {
  std::vector<glue::Example> examples;
  if (!text.empty()) {
    glue::Example ex;
    ex.text_a = text;
    if (!text_b.empty())
      ex.text_b = text_b;
    examples.push_back(ex);
    return examples;
  }
  if (data.empty())
    throw InputError(command + " needs --data FILE (a GLUE TSV) or --text \"...\"");
  examples = glue::read_glue_tsv(data, task);
  if (limit > 0 && size_t(limit) < examples.size())
    examples.resize(size_t(limit));
  return examples;
}

} // namespace granita::cli
