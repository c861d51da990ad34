// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/noc/network_interface.h"

#include <algorithm>

namespace granita::hw {

using energy::Event;

void NetworkInterface::send(int flow_id, int token, const int64_t *values, int count,
                            uint64_t now) {
  const mapping::Flow &f = m_prog.mapping.flows[size_t(flow_id)];
  const mapping::Task &dst = m_prog.mapping.tasks[size_t(f.dst)];
  const int dst_x = dst.core == mapping::kHostCore ? kHostX : mapping::core_x(dst.core, m_mesh_x);
  const int dst_y = dst.core == mapping::kHostCore ? 0 : mapping::core_y(dst.core, m_mesh_x);
  // Spikes travel as planes of one bit per element: T time steps (rate) or `bits` bit planes;
  // planes in which no element spikes are not sent, except that the last packet always goes
  // (it carries the message). Signed spikes (signed_rate) send the magnitudes |c − o| as time
  // steps, preceded by one sign plane (1 = negative) when any element is negative. Values
  // travel as 32-bit words.
  int packets = 1, payload_flits;
  if (f.payload == mapping::Payload::Spikes) {
    payload_flits = (count + m_flit_bits - 1) / m_flit_bits;
    const int planes = m_prog.rate ? m_prog.time_steps : m_prog.bits;
    const int64_t o = m_prog.flow_offset[size_t(flow_id)];
    bool negative = false;
    for (int i = 0; i < count && !negative; ++i)
      negative = values[i] < o;
    int nonzero = 0;
    if (planes <= 64) {
      // The union of every element's planes, as a mask (one bit per plane).
      const uint64_t all = planes == 64 ? ~uint64_t(0) : (uint64_t(1) << planes) - 1;
      uint64_t mask = 0;
      for (int i = 0; i < count && mask != all; ++i)
        mask |= plane_mask(values[i] >= o ? values[i] - o : o - values[i]) & all;
      nonzero = __builtin_popcountll(mask);
    } else {
      for (int t = 0; t < planes; ++t) {
        bool any = false;
        for (int i = 0; i < count && !any; ++i) {
          const int64_t c = values[i] >= o ? values[i] - o : o - values[i];
          any = m_prog.rate ? ((t + 1) * c / m_prog.time_steps > t * c / m_prog.time_steps)
                            : ((c >> t) & 1) != 0;
        }
        nonzero += any;
      }
    }
    packets = std::max(1, nonzero + int(negative));
  } else {
    payload_flits = int((int64_t(count) * mapping::kValueBits + m_flit_bits - 1) / m_flit_bits);
  }
  for (int p = 0; p < packets; ++p) {
    const bool carries = p == packets - 1;
    const uint32_t id = m_pool.acquire(flow_id, token, carries, f.dst);
    m_pool.at(id).injected_cycle = now;
    if (carries)
      m_pool.at(id).msg.values.assign(values, values + count);
    const int flits = 1 + payload_flits; // header + payload
    for (int k = 0; k < flits; ++k) {
      Flit fl;
      fl.packet = id;
      fl.dst_x = int16_t(dst_x);
      fl.dst_y = int16_t(dst_y);
      fl.head = k == 0;
      fl.tail = k == flits - 1;
      fl.owner = f.src;
      m_queue.push_back(fl);
    }
  }
}

NetworkInterface::NetworkInterface(const Program &prog, PacketPool &pool, EnergyLedger &ledger,
                                   int flit_bits, int vcs, int mesh_x)
    : m_prog(prog), m_pool(pool), m_ledger(ledger), m_flit_bits(flit_bits), m_vcs(vcs),
      m_mesh_x(mesh_x) {
  // Rate coding: a count c spikes in time step t iff floor((t + 1) c / T) > floor(t c / T);
  // every step once c >= T. Tabulated for c < T when the steps fit a mask.
  const int T = prog.time_steps;
  if (prog.rate && T <= 64) {
    m_rate_mask.assign(size_t(T), 0);
    for (int64_t c = 0; c < T; ++c)
      for (int t = 0; t < T; ++t)
        if ((t + 1) * c / T > t * c / T)
          m_rate_mask[size_t(c)] |= uint64_t(1) << t;
  }
}

uint64_t NetworkInterface::plane_mask(int64_t c) const {
  if (!m_prog.rate)
    return uint64_t(c); // bit planes: the bits of c
  return c < int64_t(m_rate_mask.size()) ? m_rate_mask[size_t(c)] : ~uint64_t(0);
}

template <class Tx> bool NetworkInterface::inject_on(Tx &tx, uint64_t) {
  if (m_queue.empty())
    return false;
  Flit &f = m_queue.front();
  if (f.head) {
    // A packet stays on one VC: take the one with most credits when its head leaves.
    int best = -1, best_credits = 0;
    for (int v = 0; v < m_vcs; ++v) {
      const int c = tx.credits(v);
      if (c > best_credits) {
        best = v;
        best_credits = c;
      }
    }
    if (best < 0)
      return true;
    m_packet_vc = best;
  } else if (!tx.can_send(m_packet_vc)) {
    return true;
  }
  f.vc = uint8_t(m_packet_vc);
  tx.send(f);
  m_ledger.task(f.owner).add(Event::RouterBufferWriteBit, uint64_t(m_flit_bits));
  if (f.tail)
    ++m_packets_sent;
  m_queue.pop_front();
  return !m_queue.empty();
}

template <class Rx>
void NetworkInterface::eject_from(Rx &rx, uint64_t now,
                                  const std::function<void(const Message &)> &on_message) {
  for (int vc = 0; vc < rx.vcs(); ++vc)
    while (const Flit *f = rx.peek(vc, now)) {
      const Flit fl = *f;
      rx.pop(vc);
      if (!fl.tail)
        continue;
      PacketPool::Packet &p = m_pool.at(fl.packet);
      if (p.carries)
        on_message(p.msg);
      m_pool.release(fl.packet);
    }
}

template bool NetworkInterface::inject_on(IFlitTx &, uint64_t);
template bool NetworkInterface::inject_on(FlitChannel &, uint64_t);
template void NetworkInterface::eject_from(IFlitRx &, uint64_t,
                                           const std::function<void(const Message &)> &);
template void NetworkInterface::eject_from(FlitChannel &, uint64_t,
                                           const std::function<void(const Message &)> &);

} // namespace granita::hw
