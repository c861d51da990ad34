// SPDX-License-Identifier: Apache-2.0
// granita tokenize: WordPiece tokens of stdin lines.
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/yaml_reader.h"
#include "src/energy/analytical.h"
#include "src/energy/energy_table.h"
#include "src/eval/evaluate.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/model/sorbet_model.h"
#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/report/run_report.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"


#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>


namespace granita::cli {

int run_tokenize(const std::string &vocab_path, bool ids) {
  const text::Vocab vocab = text::Vocab::load(vocab_path);
  const text::WordpieceTokenizer tok(vocab);
  std::string line;
  size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    std::vector<std::string> pieces;
    try {
      pieces = tok.tokenize(line);
    } catch (const InputError &e) {
      throw InputError({"<stdin>", int(line_no)}, "", e.message());
    }
    std::string out;
    for (size_t i = 0; i < pieces.size(); ++i) {
      out += i ? " " : "";
      out += ids ? std::to_string(vocab.id(pieces[i])) : pieces[i];
    }
    out += "\n";
    std::fputs(out.c_str(), stdout);
  }
  return 0;
}

} // namespace granita::cli
