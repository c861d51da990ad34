// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/noc/network_interface.h"
#include "hwmodels/core/program.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"

#include <systemc>

#include <cstdint>
#include <vector>

namespace granita::hw {

/// The host interface, attached to the West port of router (0, 0): computes the embedding sum
/// (off-chip, docs/numerics.md §1), injects every token's hidden vector as messages, one flit
/// per cycle, and collects the logits. Contract: one sentence at a time (start, then run until
/// done()).
class HostInterface : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(HostInterface);
  struct Params {
    int flit_bits = 64, virtual_channels = 1, mesh_x = 1;
    sc_core::sc_time period;
  };

  // Ports: flits into router (0,0)'s West input, flits from its West output.
  sc_core::sc_port<IFlitTx> to_router;
  sc_core::sc_port<IFlitRx> from_router;

  HostInterface(sc_core::sc_module_name name, const Params &p, const Program &prog,
                PacketPool &pool, EnergyLedger &ledger);

  /// Queues a sentence for injection starting now.
  void start(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids);
  bool done() const { return m_done; }
  uint64_t start_cycle() const { return m_start; }
  uint64_t done_cycle() const { return m_done_cycle; }
  const std::vector<int64_t> &logits() const { return m_logits; }
  sc_core::sc_event &wake() { return m_wake; }
  /// Notified when the last logit has arrived.
  sc_core::sc_event &done_event() { return m_done_event; }
  bool idle() const { return m_ni.idle(); }

private:
  void step();
  uint64_t cycle() const { return uint64_t(sc_core::sc_time_stamp() / m_p.period); }

  Params m_p;
  const Program &m_prog;
  NetworkInterface m_ni;
  sc_core::sc_event m_wake, m_done_event;
  int m_embed = -1, m_out = -1; // task ids
  std::vector<int64_t> m_logits;
  int m_arrived = 0;
  bool m_done = true;
  uint64_t m_start = 0, m_done_cycle = 0;
};

} // namespace granita::hw
