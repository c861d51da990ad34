// SPDX-License-Identifier: Apache-2.0
// granita noc (synthetic NoC traffic) and granita describe (unit self-descriptions).
#include "hwmodels/describe.h"
#include "sim/chip/noc_bench.h"
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/hw_config.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"
#include "src/util/strings.h"
#include "src/util/subprocess.h"

#include <nlohmann/json.hpp>


#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace granita::cli {

namespace {

nlohmann::json result_json(const std::string &traffic, double rate, const sim::NocResult &r) {
  return {{"traffic", traffic},
          {"offered", rate},
          {"accepted", r.accepted_flits_per_node_cycle},
          {"mean_latency_cycles", r.mean_latency_cycles},
          {"p99_latency_cycles", r.p99_latency_cycles},
          {"zero_load_latency_cycles", r.zero_load_latency_cycles},
          {"injected_packets", r.injected_packets},
          {"delivered_packets", r.delivered_packets},
          {"duplicate_packets", r.duplicate_packets}};
}

std::vector<double> parse_rates(const std::string &spec) {
  const std::vector<std::string> parts = split(spec, ':');
  double v[3] = {0, 0, 0};
  bool ok = parts.size() == 3;
  for (size_t i = 0; ok && i < 3; ++i) {
    char *end = nullptr;
    v[i] = std::strtod(parts[i].c_str(), &end);
    ok = end && *end == '\0' && !parts[i].empty();
  }
  if (!ok || !(v[0] > 0 && v[1] <= 1 && v[0] <= v[1] && v[2] > 0))
    throw InputError({}, "--rates " + spec,
                     "expected LO:HI:STEP with 0 < LO <= HI <= 1 and STEP > 0 (e.g. 0.02:0.5:0.02)");
  std::vector<double> rates;
  for (int k = 0;; ++k) {
    const double r = v[0] + k * v[2];
    if (r > v[1] + 1e-9)
      break;
    rates.push_back(r);
    if (rates.size() > 1000)
      throw InputError({}, "--rates " + spec, "more than 1000 rates; use a larger STEP");
  }
  return rates;
}

/// One NoC simulation per rate, each in its own process (SystemC elaborates once per process).
int run_noc_curve(const NocOptions &o, const config::HwConfig &hw) {
  const std::vector<double> rates = parse_rates(o.rates);
  std::vector<nlohmann::json> points;
  ProgressBar bar("granita noc", rates.size());
  const proc::TempDir tmp("granita-noc");
  for (size_t k = 0; k < rates.size(); ++k) {
    const std::filesystem::path f = tmp.path() / ("rate-" + std::to_string(k) + ".json");
    const pid_t pid = proc::fork_worker([&] {
      sim::NocBench bench("noc", hw, o.traffic, rates[k], o.packet_flits, o.cycles, o.seed);
      write_file_atomic(f, result_json(o.traffic, rates[k], bench.run()).dump());
      return 0;
    });
    if (proc::exit_code(proc::wait_status(pid)) != 0)
      throw std::runtime_error("the NoC simulation at rate " + std::to_string(rates[k]) +
                               " failed");
    points.push_back(nlohmann::json::parse(read_file(f)));
    bar.update(k + 1);
  }
  bar.finish();
  // Saturation: the first offered load whose mean latency exceeds 3x the zero-load latency
  // (or whose accepted throughput falls below 95% of the offered load); the peak accepted load.
  double peak = 0, saturation = 0;
  for (const auto &p : points) {
    peak = std::max(peak, p["accepted"].get<double>());
    if (saturation == 0 &&
        (p["mean_latency_cycles"].get<double>() > 3 * p["zero_load_latency_cycles"].get<double>() ||
         p["accepted"].get<double>() < 0.95 * p["offered"].get<double>()))
      saturation = p["offered"].get<double>();
  }
  std::printf("granita noc: %dx%d mesh, %s routing, %d VCs x %d flits, %s traffic, %d-flit "
              "packets, %llu cycles per rate\n",
              hw.mesh_x, hw.mesh_y, hw.routing.c_str(), hw.router_virtual_channels,
              hw.router_buffer_depth_flits, o.traffic.c_str(), o.packet_flits,
              (unsigned long long)o.cycles);
  std::printf("  %8s %10s %12s %10s\n", "offered", "accepted", "mean lat.", "p99 lat.");
  for (const auto &p : points)
    std::printf("  %8.3f %10.4f %12.2f %10.0f\n", p["offered"].get<double>(),
                p["accepted"].get<double>(), p["mean_latency_cycles"].get<double>(),
                p["p99_latency_cycles"].get<double>());
  if (saturation > 0)
    std::printf("  saturation   at %.3f flits/node/cycle offered (mean latency > 3x zero-load, "
                "or accepted < 95%% of offered); peak accepted %.4f\n",
                saturation, peak);
  else
    std::printf("  saturation   not reached up to %.3f; peak accepted %.4f\n", rates.back(), peak);
  if (!o.json_out.empty()) {
    nlohmann::json j{{"version", 1},
                     {"hw", hw.name},
                     {"mesh", {hw.mesh_x, hw.mesh_y}},
                     {"routing", hw.routing},
                     {"traffic", o.traffic},
                     {"packet_flits", o.packet_flits},
                     {"cycles", o.cycles},
                     {"saturation_offered", saturation > 0 ? nlohmann::json(saturation) : nlohmann::json()},
                     {"peak_accepted", peak},
                     {"points", points}};
    write_file_atomic(o.json_out, j.dump(2) + "\n");
  }
  return 0;
}

} // namespace

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
  if (!o.rates.empty())
    return run_noc_curve(o, hw);
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
    nlohmann::json j = result_json(o.traffic, o.rate, r);
    j["version"] = 1;
    write_file_atomic(o.json_out, j.dump(2) + "\n");
  }
  if (r.delivered_packets != r.injected_packets || r.duplicate_packets)
    throw std::runtime_error("the NoC lost or duplicated packets (a Granita bug)");
  return 0;
}

} // namespace granita::cli
