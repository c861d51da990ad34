// SPDX-License-Identifier: Apache-2.0
#include "sim/chip/noc_bench.h"

#include <algorithm>
#include <cstdlib>

namespace granita::sim {

NocBench::NocBench(sc_core::sc_module_name name, const config::HwConfig &hw,
                   const std::string &pattern, double rate, int packet_flits, uint64_t cycles,
                   uint64_t seed)
    : sc_core::sc_module(name), m_hw(hw), m_period(1e3 / hw.clock_mhz, sc_core::SC_NS),
      m_rate(rate), m_packet_flits(packet_flits), m_cycles(cycles) {
  m_mesh.build(hw, m_period, m_ledger);
  for (int i = 0; i < hw.cores(); ++i) {
    hw::TrafficNode::Params p;
    p.index = i;
    p.mesh_x = hw.mesh_x;
    p.mesh_y = hw.mesh_y;
    p.pattern = pattern;
    p.rate = rate;
    p.packet_flits = packet_flits;
    p.inject_until = cycles;
    p.seed = seed;
    p.virtual_channels = hw.router_virtual_channels;
    p.period = m_period;
    const std::string nn = "node_" + std::to_string(i);
    m_nodes.push_back(std::make_unique<hw::TrafficNode>(nn.c_str(), p, m_pool));
    m_mesh.attach(i, hw::kLocal, *m_nodes.back(), nn, 1);
  }
}

NocResult NocBench::run() {
  NocResult r;
  sc_core::sc_start(m_period * double(m_cycles));
  uint64_t in_window = 0;
  for (const auto &n : m_nodes)
    in_window += n->received_flits;
  // Drain: stop when every packet is in, or give up after 20x the injection time.
  auto delivered = [&] {
    uint64_t d = 0;
    for (const auto &n : m_nodes)
      d += n->received.size();
    return d;
  };
  uint64_t injected = 0;
  for (const auto &n : m_nodes)
    injected += n->injected_packets();
  for (int k = 0; k < 20 && delivered() < injected; ++k)
    sc_core::sc_start(m_period * double(m_cycles));
  r.cycles = uint64_t(sc_core::sc_time_stamp() / m_period);
  r.router_cycles = r.cycles * uint64_t(m_hw.cores());
  r.injected_packets = injected;
  std::vector<uint64_t> lat;
  std::vector<uint8_t> seen(m_pool.in_flight(), 0);
  for (const auto &n : m_nodes) {
    r.delivered_flits += n->received_flits;
    lat.insert(lat.end(), n->latencies.begin(), n->latencies.end());
    for (uint32_t id : n->received) {
      if (id >= seen.size())
        seen.resize(id + 1, 0);
      if (seen[id]++)
        ++r.duplicate_packets;
      else
        ++r.delivered_packets;
    }
  }
  std::sort(lat.begin(), lat.end());
  double sum = 0;
  for (uint64_t l : lat)
    sum += double(l);
  r.mean_latency_cycles = lat.empty() ? 0 : sum / double(lat.size());
  r.p99_latency_cycles =
      lat.empty() ? 0 : double(lat[std::min(lat.size() - 1, size_t(0.99 * double(lat.size())))]);
  const double nodes = m_hw.cores();
  r.offered_flits_per_node_cycle = m_rate;
  r.accepted_flits_per_node_cycle = double(in_window) / nodes / double(m_cycles);
  // Zero-load: uniform random destinations average (X+Y)/3 hops on a mesh (exact value: mean
  // Manhattan distance over distinct pairs), each hop `hop_latency` cycles, plus the local
  // inject and eject links (1 cycle each) and serialisation of the body flits.
  double hops = 0;
  int pairs = 0;
  for (int a = 0; a < m_hw.cores(); ++a)
    for (int b = 0; b < m_hw.cores(); ++b)
      if (a != b) {
        hops += std::abs(a % m_hw.mesh_x - b % m_hw.mesh_x) +
                std::abs(a / m_hw.mesh_x - b / m_hw.mesh_x);
        ++pairs;
      }
  r.zero_load_latency_cycles =
      (pairs ? hops / pairs : 0) * m_hw.hop_latency_cycles + 2 + (m_packet_flits - 1);
  return r;
}

} // namespace granita::sim
