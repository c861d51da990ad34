// SPDX-License-Identifier: Apache-2.0
// granita noc (synthetic NoC traffic) and granita describe (unit self-descriptions).
#include "hwmodels/describe.h"
#include "sim/chip/noc_bench.h"
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/hw_config.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

namespace granita::cli {

int run_noc(const NocOptions &o) {
  const config::HwConfig hw = load_hw(o.hw, o.hw_params);
  check_output_path("--json", o.json_out);
  if (o.traffic != "uniform" && o.traffic != "transpose" && o.traffic != "hotspot")
    throw InputError({}, "--traffic", "expected uniform, transpose or hotspot, got '" + o.traffic + "'");
  if (!(o.rate > 0 && o.rate <= 1))
    throw InputError({}, "--rate", "expected an injection rate in (0, 1] flits per node per cycle");
  if (o.packet_flits < 1 || o.packet_flits > 1024)
    throw InputError({}, "--packet-flits", "expected 1..1024");
  if (o.cycles < 1 || o.cycles > 100000000)
    throw InputError({}, "--cycles", "expected 1..1e8");
  sim::NocBench bench("noc", hw, o.traffic, o.rate, o.packet_flits, o.cycles, o.seed);
  const auto t0 = std::chrono::steady_clock::now();
  const sim::NocResult r = bench.run();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("granita noc: %dx%d mesh, %s routing, %d VCs x %d flits, hop latency %d, %s traffic\n",
              hw.mesh_x, hw.mesh_y, hw.routing.c_str(), hw.router_virtual_channels,
              hw.router_buffer_depth_flits, hw.hop_latency_cycles, o.traffic.c_str());
  std::printf("  offered      %.4f flits/node/cycle (%d-flit packets, %llu cycles)\n", o.rate,
              o.packet_flits, (unsigned long long)o.cycles);
  std::printf("  accepted     %.4f flits/node/cycle\n", r.accepted_flits_per_node_cycle);
  std::printf("  latency      mean %.2f  p99 %.0f cycles (zero-load estimate %.2f)\n",
              r.mean_latency_cycles, r.p99_latency_cycles, r.zero_load_latency_cycles);
  std::printf("  delivered    %llu of %llu packets, %llu duplicates\n",
              (unsigned long long)r.delivered_packets, (unsigned long long)r.injected_packets,
              (unsigned long long)r.duplicate_packets);
  std::printf("  speed        %.3g router-cycles/s (%llu cycles in %.3f s)\n",
              secs > 0 ? double(r.router_cycles) / secs : 0.0, (unsigned long long)r.cycles, secs);
  if (!o.json_out.empty()) {
    nlohmann::json j{{"version", 1},
                     {"traffic", o.traffic},
                     {"offered", o.rate},
                     {"accepted", r.accepted_flits_per_node_cycle},
                     {"mean_latency_cycles", r.mean_latency_cycles},
                     {"p99_latency_cycles", r.p99_latency_cycles},
                     {"zero_load_latency_cycles", r.zero_load_latency_cycles},
                     {"injected_packets", r.injected_packets},
                     {"delivered_packets", r.delivered_packets},
                     {"duplicate_packets", r.duplicate_packets}};
    write_file_atomic(o.json_out, j.dump(2) + "\n");
  }
  if (r.delivered_packets != r.injected_packets || r.duplicate_packets)
    throw std::runtime_error("the NoC lost or duplicated packets (a Granita bug)");
  return 0;
}

int run_describe(const std::string &unit) {
  bool found = false;
  std::vector<std::string> names;
  for (const hw::UnitDescription &u : hw::describe_units()) {
    names.push_back(u.name);
    if (!unit.empty() && unit != u.name)
      continue;
    found = true;
    std::printf("%s: %s\n  parameters:\n", u.name.c_str(), u.models.c_str());
    for (const auto &p : u.params)
      std::printf("    %-36s %-6s %-16s %-9s %s\n", p.name.c_str(), p.type.c_str(),
                  p.unit.c_str(), p.default_value.c_str(), p.doc.c_str());
    std::printf("  ports:\n");
    for (const auto &p : u.ports)
      std::printf("    %s\n", p.c_str());
    std::printf("  energy events:");
    for (const auto &e : u.energy_events)
      std::printf(" %s", e.c_str());
    std::printf("%s\n\n", u.energy_events.empty() ? " (none)" : "");
  }
  if (!found) {
    std::string list;
    for (const auto &n : names)
      list += (list.empty() ? "" : ", ") + n;
    throw InputError({}, "describe", "unknown unit '" + unit + "' (units: " + list + ")");
  }
  return 0;
}

} // namespace granita::cli
