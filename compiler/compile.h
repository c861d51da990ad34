// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "compiler/graph/ir_graph.h"
#include "compiler/pass.h"
#include "compiler/pass_manager.h"
#include "src/mapping/mapping.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace granita::compiler {

struct CompileOptions {
  Options pass_options;
  std::string dump_after; // pass name, "*" for all, "" for none
  std::function<void(const std::string &, const IrGraph &)> dump;
};

struct CompileResult {
  std::optional<mapping::Mapping> mapping; // empty when compilation failed
  std::vector<Diagnostic> diagnostics;
  std::vector<PassTiming> timings;
};

/// Runs the whole pipeline (import, verify, lower, tile, place, route, schedule) and emits
/// the mapping. A model that cannot run or does not fit fails with diagnostics; never throws
/// for those.
CompileResult compile(const model::SorbetModel &model, const config::HwConfig &hw,
                      const CompileOptions &options = {});

/// The mapping a scheduled IR describes.
mapping::Mapping emit_mapping(const IrGraph &ir);

/// Formats diagnostics as `location: error: message` lines with indented notes.
std::string format_diagnostics(const std::vector<Diagnostic> &diags);

} // namespace granita::compiler
