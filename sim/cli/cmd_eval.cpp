// SPDX-License-Identifier: Apache-2.0
// granita eval: the integer reference over GLUE sentences.
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

int run_eval(const EvalOptions &o) {
  const model::SorbetModel m = model::load_package(o.model_dir);
  const text::Vocab vocab = text::Vocab::load(m.vocab_path);
  const text::WordpieceTokenizer tok(vocab);
  cli::check_task_matches_model(o.task, m);
  const glue::TaskInfo &task = glue::task_info(o.task.empty() ? m.task : o.task);
  cli::check_text_options({o.text_given, o.text_b_given, o.text, o.text_b}, task);
  cli::check_output_path("--json", o.json_out);
  cli::check_output_path("--dump-ops", o.dump_ops);

  const std::vector<glue::Example> examples =
      cli::read_examples("eval", task, o.data, o.text, o.text_b, o.limit);
  const int threads =
      o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  ProgressBar bar("eval", examples.size());
  eval::EvalReport rep = eval::evaluate(m, tok, task, examples, threads,
                                        [&](size_t d) { bar.update(d); });
  bar.finish();

  if (!o.text.empty()) {
    const auto &s = rep.sentences[0];
    if (s.truncated_tokens)
      std::fprintf(stderr,
                   "granita: warning: --text: %zu wordpieces beyond max_seq_len %d were dropped\n",
                   s.truncated_tokens, m.arch.max_seq_len);
    std::printf("label %s (index %d)\nlogits", m.labels[size_t(s.prediction)].c_str(),
                s.prediction);
    for (int64_t l : s.logits)
      std::printf(" %lld", static_cast<long long>(l));
    std::printf("\ntokens %zu  spikes %lld  synaptic ops %lld\n", s.ids.size(),
                static_cast<long long>(s.spikes), static_cast<long long>(s.synaptic_ops));
  } else {
    std::fputs(eval::format_report(rep, m.labels).c_str(), stdout);
  }
  if (!o.json_out.empty())
    write_file_atomic(o.json_out, rep.to_json().dump(1) + "\n");
  if (!o.dump_ops.empty()) {
    // Every op's integer output for one sentence, to find where two implementations part.
    if (o.dump_index < 0 || size_t(o.dump_index) >= examples.size())
      throw InputError({}, "--dump-index", "sentence " + std::to_string(o.dump_index) +
                                               " does not exist (" +
                                               std::to_string(examples.size()) + " sentences)");
    const glue::Example &ex = examples[size_t(o.dump_index)];
    const auto &s = rep.sentences[size_t(o.dump_index)];
    std::vector<int32_t> types(s.ids.size(), 0);
    if (ex.text_b)
      types = tok.encode(ex.text_a, std::string_view(*ex.text_b), size_t(m.arch.max_seq_len))
                  .type_ids;
    const ref::Reference reference(m);
    const ref::ReferenceResult r = reference.run(s.ids, types, true);
    nlohmann::json j;
    j["version"] = 1;
    j["ids"] = s.ids;
    for (size_t i = 0; i < m.ops.size(); ++i)
      j["ops"][m.ops[i].name] = {{"rows", r.outputs[i].rows},
                                 {"cols", r.outputs[i].cols},
                                 {"values", r.outputs[i].v}};
    write_file_atomic(o.dump_ops, j.dump() + "\n");
  }
  return 0;
}

} // namespace granita::cli
