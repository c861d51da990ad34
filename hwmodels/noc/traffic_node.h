// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"

#include <systemc>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace granita::hw {

/// Synthetic traffic endpoint at a router's Local port (for `granita noc`): injects fixed-length
/// packets by a Bernoulli process at `rate` flits per cycle toward destinations drawn from a
/// pattern, and sinks packets, recording each one's latency (creation to tail arrival,
/// including source queueing). Contract: records every packet it receives in `received`, so the
/// caller can check that the NoC delivered each injected packet exactly once.
class TrafficNode : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(TrafficNode);
  struct Params {
    int index = 0, mesh_x = 1, mesh_y = 1;
    std::string pattern = "uniform"; // uniform | transpose | hotspot
    double rate = 0.1;               // offered flits per cycle
    int packet_flits = 4;
    uint64_t inject_until = 0;       // cycle after which no new packets are made
    uint64_t seed = 1;
    int virtual_channels = 1;
    sc_core::sc_time period;
  };

  // Ports: flits into the router's Local input; flits from its Local output.
  sc_core::sc_port<IFlitTx> to_router;
  sc_core::sc_port<IFlitRx> from_router;

  TrafficNode(sc_core::sc_module_name name, const Params &p, PacketPool &pool);

  sc_core::sc_event &wake() { return m_wake; }
  uint64_t injected_packets() const { return m_made; }
  std::vector<uint32_t> received;   // packet ids (unique per run)
  std::vector<uint64_t> latencies;  // cycles, per received packet
  uint64_t received_flits = 0;

private:
  void step();
  int pick_destination();
  uint64_t cycle() const { return uint64_t(sc_core::sc_time_stamp() / m_p.period); }

  Params m_p;
  PacketPool &m_pool;
  sc_core::sc_event m_wake;
  std::mt19937_64 m_rng;
  std::deque<Flit> m_queue;
  int m_vc = 0;
  uint64_t m_made = 0;
};

} // namespace granita::hw
