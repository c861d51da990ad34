// SPDX-License-Identifier: Apache-2.0
// granita run: cycle-accurate GLUE inference on the SystemC chip, with energy reports; -j N runs
// N worker processes (one chip each) on interleaved sentences and merges their reports.
#include "compiler/compile.h"
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "sim/cli/run_shards.h"
#include "sim/cli/run_workers.h"
#include "src/energy/energy_table.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/report/run_report.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"

#include <cstdio>

namespace granita::cli {

int run_run(const RunOptions &o) {
  if (!o.collect.empty())
    return collect_sharded_run(o);
  // Every input and output is checked before anything is compiled or simulated.
  if (o.model_dir.empty())
    throw InputError({}, "--model", "required (a model package directory)");
  check_slurm_run_options(o);
  const model::SorbetModel m = model::load_package(o.model_dir);
  if (!o.merge.empty())
    return merge_shards(o, m, o.merge);
  if (o.hw.empty())
    throw InputError({}, "--hw", "required (a preset name or a .yaml path)");
  const auto [shard, shards] = parse_shard(o.shard);
  if (shards && o.jobs > 1)
    throw InputError({}, "--shard", "is one worker's part: use it with -j 1");
  check_task_matches_model(o.task, m);
  const glue::TaskInfo &task = glue::task_info(o.task.empty() ? m.task : o.task);
  check_text_options({o.text_given, o.text_b_given, o.text, o.text_b}, task);
  check_output_path("--json", o.json_out);
  check_output_path("--csv", o.csv_out);
  check_output_path("--vcd", o.vcd);
  check_output_path("--trace", o.trace);
  if (o.jobs > 1 && !o.vcd.empty())
    throw InputError({}, "--vcd", "records one chip: use it with -j 1");
  const config::HwConfig hw = load_hw(o.hw, o.hw_params);
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table = load_energy_table(o.energy, hw, registry);

  mapping::Mapping mp;
  if (o.mapping.empty()) {
    const compiler::CompileResult cr = compiler::compile(m, hw);
    if (!cr.mapping) {
      std::string text = compiler::format_diagnostics(cr.diagnostics);
      while (!text.empty() && text.back() == '\n')
        text.pop_back();
      throw InputError("compilation failed:\n" + text);
    }
    mp = *cr.mapping;
  } else {
    mp = mapping::load_mapping(o.mapping);
    mapping::verify_or_throw(mp, m, hw, o.mapping); // hand-written mappings are checked too
  }

  const text::Vocab vocab = text::Vocab::load(m.vocab_path);
  const text::WordpieceTokenizer tok(vocab);
  const std::string data =
      o.data.empty() && o.text.empty() ? (data_root() / "glue" / task.name / "dev.tsv").string()
                                       : o.data;
  const std::vector<glue::Example> examples =
      read_examples("run", task, data, o.text, o.text_b, o.limit);
  if (!o.trace.empty() && (o.trace_sentence < 0 || size_t(o.trace_sentence) >= examples.size()))
    throw InputError({}, "--trace-sentence",
                     "sentence " + std::to_string(o.trace_sentence) + " is not among the " +
                         std::to_string(examples.size()) + " simulated");

  if (o.backend == "slurm")
    return submit_sharded_run(o, examples.size());

  const RunContext ctx{o, m, hw, mp, tok, examples};
  const double us_per_cycle = 1.0 / hw.clock_mhz;
  // Priced as the report is: the table scaled for this chip, plus fixed power × wall time.
  const energy::EnergyTable chip_table = table.for_chip(energy::chip_shape(hw));
  auto line = [&](const report::RunReport &r, const report::SentenceRecord &s) {
    const double wall_us =
        report::RunReport::sentence_wall_time_us(s.cycles + s.drain_cycles, s.ticks, hw.clock_mhz,
                                                 hw.tick_hz);
    std::printf("%6d %10s %10s %10llu %12.2f %12.2f\n", s.index,
                r.label_name(s.prediction).c_str(), r.label_name(s.label).c_str(),
                (unsigned long long)s.cycles, double(s.cycles) * us_per_cycle,
                (chip_table.energy_pj(s.events) + chip_table.fixed_power_mw() * wall_us * 1e3) /
                    1e3);
  };
  if (!o.quiet)
    std::printf("%6s %10s %10s %10s %12s %12s\n", "#", "prediction", "label", "cycles",
                "latency_us", "energy_nJ");
  ProgressBar bar("granita run", shards ? (examples.size() + shards - 1 - shard) / shards
                                        : examples.size());
  report::RunReport rep;
  if (o.jobs > 1) {
    rep = simulate_parallel(ctx, table, bar);
    if (!o.quiet)
      for (const report::SentenceRecord &s : rep.sentences)
        line(rep, s);
  } else {
    std::vector<size_t> all;
    for (size_t i = 0; i < examples.size(); ++i)
      if (!shards || i % shards == shard)
        all.push_back(i);
    size_t done = 0;
    const report::RunReport shape = report::RunReport::for_model(m);
    rep = simulate(ctx, all, [&](const report::SentenceRecord &s) {
      if (!o.quiet)
        line(shape, s);
      bar.update(++done);
    });
  }
  bar.finish();
  rep.hw = hw.name;
  rep.task = task.name;
  rep.mesh_x = hw.mesh_x;
  rep.mesh_y = hw.mesh_y;
  rep.encoding = hw.encoding;
  rep.clock_mhz = hw.clock_mhz;
  rep.chip = energy::chip_shape(hw);

  fill_metrics(rep, m, task, examples);

  std::fputs(rep.to_text(table).c_str(), stdout);
  if (!o.json_out.empty())
    write_file_atomic(o.json_out, rep.to_json(table).dump(2) + "\n");
  if (!o.csv_out.empty())
    write_file_atomic(o.csv_out, rep.to_csv(table));
  return 0;
}

} // namespace granita::cli
