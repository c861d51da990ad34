// SPDX-License-Identifier: Apache-2.0
#pragma once

// How `granita run` simulates its sentences: one chip in this process, or -j N forked worker
// processes (one chip each, SystemC elaborates once per process) whose reports are merged.

#include "sim/cli/commands.h"
#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"
#include "src/glue/tsv_reader.h"
#include "src/mapping/mapping.h"
#include "src/model/sorbet_model.h"
#include "src/report/run_report.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/progress.h"

#include <functional>
#include <vector>

namespace granita::cli {

/// Everything a worker needs to simulate its sentences (read-only, shared before fork()).
struct RunContext {
  const RunOptions &o;
  const model::SorbetModel &m;
  const config::HwConfig &hw;
  const mapping::Mapping &mp;
  const text::WordpieceTokenizer &tok;
  const std::vector<glue::Example> &examples;
};

/// Simulates the sentences `indices` on one chip (one per process: SystemC elaborates once),
/// checking each against the reference unless --no-check. `done` is called after each sentence.
report::RunReport simulate(const RunContext &c, const std::vector<size_t> &indices,
                           const std::function<void(const report::SentenceRecord &)> &done);

/// -j N: N forked workers, worker k simulating sentences k, k+N, ...; the merged report is the
/// one of -j 1 (raw counts travel in each worker's JSON). The bar advances per sentence.
report::RunReport simulate_parallel(const RunContext &c, const energy::EnergyTable &table,
                                    ProgressBar &bar);

} // namespace granita::cli
