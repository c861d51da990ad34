// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/noc/traffic_node.h"
#include "sim/chip/mesh.h"
#include "src/config/hw_config.h"

#include <systemc>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace granita::sim {

/// Result of a synthetic-traffic run of the mesh alone.
struct NocResult {
  uint64_t injected_packets = 0, delivered_packets = 0, duplicate_packets = 0;
  uint64_t delivered_flits = 0;
  double offered_flits_per_node_cycle = 0;
  double accepted_flits_per_node_cycle = 0; // during the injection window
  double mean_latency_cycles = 0, p99_latency_cycles = 0;
  double zero_load_latency_cycles = 0; // mean hops x hop latency + serialisation, analytical
  uint64_t cycles = 0;
  uint64_t router_cycles = 0; // routers x simulated cycles (for router-cycles/s)
};

/// The mesh with a TrafficNode on every router (`granita noc`): characterises the router by its
/// latency-vs-injection curve. Contract: one per process (SystemC elaborates once).
class NocBench : public sc_core::sc_module {
public:
  NocBench(sc_core::sc_module_name name, const config::HwConfig &hw, const std::string &pattern,
           double rate, int packet_flits, uint64_t cycles, uint64_t seed);
  /// Injects for `cycles`, drains (up to 20x as long), and checks every packet arrived once.
  NocResult run();

private:
  config::HwConfig m_hw;
  sc_core::sc_time m_period;
  hw::PacketPool m_pool;
  hw::EnergyLedger m_ledger;
  Mesh m_mesh;
  std::vector<std::unique_ptr<hw::TrafficNode>> m_nodes;
  double m_rate;
  int m_packet_flits;
  uint64_t m_cycles;
};

} // namespace granita::sim
