// SPDX-License-Identifier: Apache-2.0
// granita energy: the analytical AC/MAC estimate, and --reprice of a finished run.
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/yaml_reader.h"
#include "src/energy/analytical.h"
#include "src/energy/counting_convention.h"
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

// A finished run priced with another energy table, without simulating again (the run JSON keeps
// every op's raw event counts).
int run_reprice(const EnergyOptions &o) {
  if (!o.model_dir.empty())
    throw InputError({}, "--model", "--reprice prices a finished run: leave out --model");
  cli::check_output_path("--json", o.json_out);
  const nlohmann::json j = [&] {
    try {
      return nlohmann::json::parse(read_file(o.reprice));
    } catch (const nlohmann::json::parse_error &e) {
      throw InputError({o.reprice}, "", std::string("not JSON: ") + e.what());
    }
  }();
  const report::RunReport rep = report::RunReport::from_json(j, o.reprice);
  const energy::EventRegistry registry = energy::build_event_registry();
  const std::string name = o.energy_given ? o.energy : j.value("energy_table", "");
  const energy::EnergyTable table = energy::EnergyTable::load(
      energy::resolve_energy_table(name, energy::default_configs_dir()), registry);
  std::printf("%s priced with '%s' (simulated with '%s')\n", o.reprice.c_str(),
              table.name().c_str(), j.value("energy_table", "?").c_str());
  std::fputs(rep.to_text(table).c_str(), stdout);
  if (!o.json_out.empty())
    write_file_atomic(o.json_out, rep.to_json(table).dump(2) + "\n");
  return 0;
}

// The analytical AC/MAC estimate of the Sorbet paper (docs/energy.md) over GLUE sentences.
int run_energy(const EnergyOptions &o) {
  if (!o.reprice.empty())
    return run_reprice(o);
  if (o.model_dir.empty())
    throw InputError({}, "--model", "required (or --reprice RUN.json)");
  const model::SorbetModel m = model::load_package(o.model_dir);
  cli::check_task_matches_model(o.task, m);
  const glue::TaskInfo &task = glue::task_info(o.task.empty() ? m.task : o.task);
  cli::check_output_path("--json", o.json_out);
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table = energy::EnergyTable::load(
      energy::resolve_energy_table(o.energy, energy::default_configs_dir()), registry);
  if (!table.convention())
    throw InputError({table.file()}, "convention",
                     "energy table '" + table.name() +
                         "' has no convention section (ac_pj, mac_pj), which the analytical "
                         "estimate needs (e.g. --energy snn-ac-mac)");
  const std::filesystem::path data =
      o.data.empty() ? data_root() / "glue" / task.name / "dev.tsv" : std::filesystem::path(o.data);
  std::vector<glue::Example> examples = glue::read_glue_tsv(data, task);
  if (o.limit > 0 && size_t(o.limit) < examples.size())
    examples.resize(size_t(o.limit));
  const text::Vocab vocab = text::Vocab::load(m.vocab_path);
  const text::WordpieceTokenizer tok(vocab);
  std::vector<text::Encoding> sentences;
  for (const glue::Example &ex : examples) {
    std::optional<std::string_view> b;
    if (ex.text_b)
      b = *ex.text_b;
    try {
      sentences.push_back(tok.encode(ex.text_a, b, size_t(m.arch.max_seq_len)));
    } catch (const InputError &e) {
      throw InputError({data.string(), ex.line}, "", e.message());
    }
  }
  const energy::AnalyticalEstimate est =
      energy::estimate_energy(m, sentences, *table.convention(), table.name());
  energy::CountingAssumptions a = energy::convention_preset(o.convention, *table.convention());
  if (!o.signed_spikes.empty())
    a.signed_spikes = o.signed_spikes == "yes";
  if (!o.attention.empty())
    a.attention = o.attention == "yes";
  if (!o.rate.empty())
    a.network_average_rate = o.rate == "network";
  if (!o.bert_tokens.empty())
    a.bert_at_max_seq_len = o.bert_tokens == "max";
  if (o.e_ac_pj > 0)
    a.ac_pj = o.e_ac_pj;
  if (o.e_mac_pj > 0)
    a.mac_pj = o.e_mac_pj;
  const energy::ConventionResult conv = energy::apply_convention(est, m, a);
  std::printf("task %s, data %s\n", task.name.c_str(), data.string().c_str());
  std::fputs(energy::format_estimate(est).c_str(), stdout);
  std::fputs(energy::format_convention(a, conv).c_str(), stdout);
  if (!o.json_out.empty()) {
    nlohmann::json j = est.to_json();
    j["convention"] = energy::convention_json(a, conv);
    j["task"] = task.name;
    j["data"] = data.string();
    j["energy_table_file"] = table.file();
    write_file_atomic(o.json_out, j.dump(1) + "\n");
  }
  return 0;
}

} // namespace granita::cli
