// SPDX-License-Identifier: Apache-2.0
// granita compile: model package + hardware config -> mapping YAML and a summary table.
#include "compiler/compile.h"
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"
#include "src/mapping/mapping.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace granita::cli {

namespace {

std::string kbits(int64_t bits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f kbit", double(bits) / 1000.0);
  return buf;
}

} // namespace

int run_compile(const CompileOptions &o) {
  const model::SorbetModel m = model::load_package(o.model_dir);
  const config::HwConfig hw = load_hw(o.hw, o.hw_params);
  check_output_path("-o", o.out);
  check_output_path("--json", o.json_out);
  // The summary prices the mapping with the chip's energy table: load it before writing anything.
  const energy::EventRegistry registry = energy::build_event_registry();
  const energy::EnergyTable table =
      load_energy_table("", hw, registry).for_chip(energy::chip_shape(hw));
  compiler::CompileOptions co;
  co.pass_options.verify_each = !o.no_verify;
  const std::filesystem::path out(o.out);
  if (!o.dump_after.empty()) {
    co.dump_after = o.dump_after == "all" ? "*" : o.dump_after;
    co.dump = [&](const std::string &pass, const compiler::IrGraph &ir) {
      const std::filesystem::path base = out.parent_path() / (out.stem().string() + "." + pass);
      write_file_atomic(base.string() + ".ir.txt", compiler::dump_text(ir));
      write_file_atomic(base.string() + ".dot", compiler::dump_dot(ir));
      std::fprintf(stderr, "granita compile: IR after %s -> %s.ir.txt, %s.dot\n", pass.c_str(),
                   base.string().c_str(), base.string().c_str());
    };
  }
  const compiler::CompileResult r = compiler::compile(m, hw, co);
  if (o.time_passes) {
    std::fprintf(stderr, "%-10s %12s %12s\n", "pass", "time ms", "verify ms");
    for (const auto &t : r.timings)
      std::fprintf(stderr, "%-10s %12.3f %12.3f\n", t.pass.c_str(), t.seconds * 1e3,
                   t.verify_seconds * 1e3);
  }
  if (!r.mapping) {
    // A model that does not fit is the user's input problem: report it like one (exit 1).
    std::string text = compiler::format_diagnostics(r.diagnostics);
    if (!text.empty() && text.back() == '\n')
      text.pop_back();
    throw InputError("compilation failed:\n" + text);
  }
  const mapping::Mapping &mp = *r.mapping;
  write_file_atomic(out, mapping::to_yaml(mp));
  const mapping::Summary &s = mp.summary;
  const double clock_hz = hw.clock_mhz * 1e6;
  std::printf("granita compile: %s -> %s on '%s' (%dx%d mesh, %d x %dx%d crossbars per core, "
              "%s encoding)\n",
              m.name.c_str(), out.string().c_str(), hw.name.c_str(), hw.mesh_x, hw.mesh_y,
              hw.crossbars_per_core, hw.crossbar_rows, hw.crossbar_cols, hw.encoding.c_str());
  std::printf("  %-28s %d / %d\n", "cores used", s.cores_used, s.cores_available);
  std::printf("  %-28s %d (%zu tasks, %zu flows)\n", "crossbar tiles", s.tiles, mp.tasks.size(),
              mp.flows.size());
  std::printf("  %-28s %.1f%% of the used crossbars' synapses\n", "crossbar utilization",
              100.0 * s.crossbar_utilization);
  std::printf("  %-28s %s max of %s per core\n", "scratch SRAM", kbits(s.max_sram_bits).c_str(),
              kbits(mp.scratch_sram_bits).c_str());
  std::printf("  %-28s %s per sentence (max_seq_len %d)\n", "max link load",
              kbits(s.max_link_bits).c_str(), mp.max_seq_len);
  std::printf("  %-28s %lld bit-hops; lower bound %lld (%.2fx)\n", "placement traffic",
              (long long)s.traffic_bit_hops, (long long)s.traffic_lower_bound,
              s.traffic_lower_bound ? double(s.traffic_bit_hops) / double(s.traffic_lower_bound)
                                    : 0.0);
  std::printf("  %-28s %lld cycles = %.2f us at %d MHz (max_seq_len, no spikes)\n",
              "cycles lower bound", (long long)s.cycles_lower_bound,
              double(s.cycles_lower_bound) / clock_hz * 1e6, hw.clock_mhz);
  std::printf("  %-28s %lld synaptic accumulates per sentence at full activity\n",
              "dense synops bound", (long long)s.dense_synops);
  // Analytical energy estimate: the mapping's dense work scaled by an assumed activity (mean
  // input spike count = half the levels, the midpoint of the k-bit range), its traffic at
  // max_seq_len, priced by the chip's energy table. `granita run` measures the real counts.
  const double activity = 0.5;
  const int64_t n = mp.max_seq_len;
  energy::EnergyCounters est;
  for (const mapping::Task &t : mp.tasks) {
    const int64_t w = t.hi - t.lo;
    if (t.kind == mapping::TaskKind::XbarTile) {
      const double events = double(n) * (t.row1 - t.row0) * m.arch.levels() * activity;
      est.add(energy::Event::CrossbarRowRead, uint64_t(events));
      est.add(energy::Event::AccumulateSynop, uint64_t(events * double(t.col1 - t.col0)));
    } else if (t.kind == mapping::TaskKind::Fire) {
      est.add(energy::Event::NeuronUpdate, uint64_t((t.per_token ? n : 1) * w));
    }
  }
  for (const mapping::Flow &f : mp.flows) {
    const uint64_t hops = f.route.size() > 1 ? uint64_t(f.route.size() - 1) : 0;
    est.add(energy::Event::LinkBit, uint64_t(f.bits_per_sentence) * hops);
    est.add(energy::Event::RouterSwitchBit, uint64_t(f.bits_per_sentence) * (hops ? hops + 1 : 0));
  }
  std::printf("  %-28s %.1f nJ per sentence at max_seq_len (activity %.1f, table '%s'; "
              "crossbar + synapses + neurons + NoC only)\n",
              "energy estimate", table.energy_pj(est) / 1e3, activity, table.name().c_str());
  if (!o.json_out.empty()) {
    nlohmann::json j;
    j["energy_estimate_pj"] = table.energy_pj(est);
    j["model"] = m.name;
    j["hw"] = hw.name;
    j["mapping"] = out.string();
    j["cores_used"] = s.cores_used;
    j["cores_available"] = s.cores_available;
    j["tiles"] = s.tiles;
    j["crossbar_utilization"] = s.crossbar_utilization;
    j["max_sram_bits"] = s.max_sram_bits;
    j["max_link_bits_per_sentence"] = s.max_link_bits;
    j["traffic_bit_hops"] = s.traffic_bit_hops;
    j["traffic_lower_bound_bit_hops"] = s.traffic_lower_bound;
    j["cycles_lower_bound"] = s.cycles_lower_bound;
    j["dense_synops"] = s.dense_synops;
    for (const auto &t : r.timings)
      j["pass_seconds"][t.pass] = t.seconds;
    write_file_atomic(o.json_out, j.dump(2) + "\n");
  }
  return 0;
}

} // namespace granita::cli
