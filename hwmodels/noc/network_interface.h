// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/core/program.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"

#include <deque>
#include <functional>
#include <vector>

namespace granita::hw {

/// The network interface of a core or the host: cuts messages into packets and flits
/// (spike planes or value words), injects one flit per cycle as credits allow, and reassembles
/// arriving packets into messages. Contract: owned by its module, driven from the module's
/// process; `tx`/`rx` are the module's bound ports.
class NetworkInterface {
public:
  NetworkInterface(const Program &prog, PacketPool &pool, EnergyLedger &ledger, int flit_bits,
                   int vcs, int mesh_x);

  /// Queues `values` (the flow's slice for one token) for the flow's destination.
  void send(int flow, int token, const int64_t *values, int count, uint64_t now);
  /// Injects at most one flit. Returns true if flits are still waiting.
  bool inject(IFlitTx &tx, uint64_t now) { return inject_on(tx, now); }
  bool inject(FlitChannel &tx, uint64_t now) { return inject_on(tx, now); } // no virtual calls
  /// Pops every arrived flit; calls on_message for each completed message.
  void eject(IFlitRx &rx, uint64_t now, const std::function<void(const Message &)> &on_message) {
    eject_from(rx, now, on_message);
  }
  void eject(FlitChannel &rx, uint64_t now,
             const std::function<void(const Message &)> &on_message) {
    eject_from(rx, now, on_message);
  }
  bool idle() const { return m_queue.empty(); }
  size_t queued_flits() const { return m_queue.size(); }
  uint64_t packets_sent() const { return m_packets_sent; }

private:
  /// Planes (bits 0..63) in which an element of magnitude `c` spikes; valid when the
  /// encoding has at most 64 planes.
  uint64_t plane_mask(int64_t c) const;
  template <class Tx> bool inject_on(Tx &tx, uint64_t now);
  template <class Rx>
  void eject_from(Rx &rx, uint64_t now, const std::function<void(const Message &)> &on_message);

  const Program &m_prog;
  PacketPool &m_pool;
  EnergyLedger &m_ledger;
  int m_flit_bits, m_vcs, m_mesh_x;
  std::vector<uint64_t> m_rate_mask; // rate coding: plane_mask(c) for c < time_steps
  std::deque<Flit> m_queue;
  int m_packet_vc = -1; // VC of the packet being injected
  uint64_t m_packets_sent = 0;
};

} // namespace granita::hw
