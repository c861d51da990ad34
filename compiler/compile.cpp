// SPDX-License-Identifier: Apache-2.0
#include "compiler/compile.h"

#include "compiler/passes/passes.h"
#include "src/config/yaml_reader.h"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace granita::compiler {

mapping::Mapping emit_mapping(const IrGraph &ir) {
  const config::HwConfig &hw = *ir.hw;
  mapping::Mapping m;
  m.model_name = ir.model->name;
  m.model_sha256 = mapping::model_identity(*ir.model);
  m.hw_name = hw.name;
  m.mesh_x = hw.mesh_x;
  m.mesh_y = hw.mesh_y;
  m.crossbar_rows = hw.crossbar_rows;
  m.crossbar_cols = hw.crossbar_cols;
  m.crossbars_per_core = hw.crossbars_per_core;
  m.scratch_sram_bits = int64_t(hw.scratch_sram_kib) * 8192;
  m.max_seq_len = ir.model->arch.max_seq_len;
  m.encoding = hw.encoding;
  m.tasks = ir.tasks();
  // Edges in (destination, slot, range) order so flows of one task are contiguous.
  std::vector<mapping::Flow> flows;
  for (auto e : boost::make_iterator_range(boost::edges(ir.g)))
    flows.push_back(ir.g[e].flow);
  std::sort(flows.begin(), flows.end(), [](const mapping::Flow &a, const mapping::Flow &b) {
    return std::tie(a.dst, a.slot, a.lo, a.src) < std::tie(b.dst, b.slot, b.lo, b.src);
  });
  for (size_t i = 0; i < flows.size(); ++i)
    flows[i].id = int(i);
  m.flows = std::move(flows);
  m.links = ir.links;
  m.cores = ir.cores;
  m.summary = ir.summary;
  return m;
}

CompileResult compile(const model::SorbetModel &model, const config::HwConfig &hw,
                      const CompileOptions &options) {
  IrGraph ir;
  ir.model = &model;
  ir.hw = &hw;
  PassManager pm(options.pass_options);
  pm.add(create_import_pass(options.pass_options));
  pm.add(create_verify_pass(options.pass_options));
  pm.add(create_lower_pass(options.pass_options));
  pm.add(create_tile_pass(options.pass_options));
  pm.add(create_place_pass(options.pass_options));
  pm.add(create_route_pass(options.pass_options));
  pm.add(create_schedule_pass(options.pass_options));
  PassContext ctx;
  CompileResult r;
  if (options.dump && !options.dump_after.empty()) {
    // A misspelt pass name would otherwise dump nothing without a word.
    const std::vector<std::string> names = pm.pass_names();
    if (options.dump_after != "*" &&
        std::find(names.begin(), names.end(), options.dump_after) == names.end()) {
      const std::string hint = config::closest_match(options.dump_after, names);
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      ctx.error("--dump-after",
                "unknown pass '" + options.dump_after + "'" +
                    (hint.empty() ? "" : " (did you mean '" + hint + "'?)"),
                {"passes: " + list});
      r.diagnostics = ctx.diagnostics;
      return r;
    }
    pm.dump_after(options.dump_after, options.dump);
  }
  const bool ok = pm.run(ir, ctx);
  r.diagnostics = ctx.diagnostics;
  r.timings = pm.timings();
  if (ok)
    r.mapping = emit_mapping(ir);
  return r;
}

std::string format_diagnostics(const std::vector<Diagnostic> &diags) {
  std::ostringstream os;
  for (const Diagnostic &d : diags) {
    const char *sev = d.severity == Diagnostic::Severity::Error     ? "error"
                      : d.severity == Diagnostic::Severity::Warning ? "warning"
                                                                    : "note";
    os << d.location << ": " << sev << ": " << d.message << "\n";
    for (const std::string &n : d.notes)
      os << "  note: " << n << "\n";
  }
  return os.str();
}

} // namespace granita::compiler
