// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/noc/traffic_node.h"

namespace granita::hw {

TrafficNode::TrafficNode(sc_core::sc_module_name name, const Params &p, PacketPool &pool)
    : sc_core::sc_module(name), m_p(p), m_pool(pool), m_rng(p.seed * 1000003u + uint64_t(p.index)) {
  SC_METHOD(step);
  sensitive << m_wake;
}

int TrafficNode::pick_destination() {
  const int n = m_p.mesh_x * m_p.mesh_y;
  const int x = m_p.index % m_p.mesh_x, y = m_p.index / m_p.mesh_x;
  if (m_p.pattern == "transpose" && m_p.mesh_x == m_p.mesh_y)
    return x * m_p.mesh_x + y;
  if (m_p.pattern == "hotspot" && std::uniform_real_distribution<double>(0, 1)(m_rng) < 0.2)
    return (m_p.mesh_y / 2) * m_p.mesh_x + m_p.mesh_x / 2; // 20% to the centre node
  if (n == 1)
    return 0;
  int d = int(std::uniform_int_distribution<int>(0, n - 2)(m_rng));
  return d >= m_p.index ? d + 1 : d;
}

void TrafficNode::step() {
  const uint64_t now = cycle();
  // Sink: every flit that arrived.
  for (int vc = 0; vc < from_router[0]->vcs(); ++vc)
    while (const Flit *f = from_router[0]->peek(vc, now)) {
      const Flit fl = *f;
      from_router[0]->pop(vc);
      ++received_flits;
      if (fl.tail) {
        received.push_back(fl.packet);
        latencies.push_back(now - m_pool.at(fl.packet).injected_cycle);
      }
    }
  // Source: Bernoulli packet creation at rate / packet_flits packets per cycle.
  if (now < m_p.inject_until &&
      std::uniform_real_distribution<double>(0, 1)(m_rng) < m_p.rate / m_p.packet_flits) {
    const int dst = pick_destination();
    if (dst != m_p.index) {
      const uint32_t id = uint32_t(m_pool.acquire(-1, 0, false, -1));
      m_pool.at(id).injected_cycle = now;
      for (int k = 0; k < m_p.packet_flits; ++k) {
        Flit f;
        f.packet = id;
        f.dst_x = int16_t(dst % m_p.mesh_x);
        f.dst_y = int16_t(dst / m_p.mesh_x);
        f.head = k == 0;
        f.tail = k == m_p.packet_flits - 1;
        m_queue.push_back(f);
      }
      ++m_made;
    }
  }
  if (!m_queue.empty()) {
    Flit &f = m_queue.front();
    bool ok = true;
    if (f.head) {
      ok = false;
      for (int v = 0; v < m_p.virtual_channels && !ok; ++v)
        if (to_router[0]->can_send(v)) {
          m_vc = v;
          ok = true;
        }
    } else {
      ok = to_router[0]->can_send(m_vc);
    }
    if (ok) {
      f.vc = uint8_t(m_vc);
      to_router[0]->send(f);
      m_queue.pop_front();
    }
  }
  if (now < m_p.inject_until || !m_queue.empty()) {
    m_wake.notify(m_p.period);
  } else {
    const uint64_t arrival = from_router[0]->next_arrival();
    if (arrival != UINT64_MAX && arrival > now)
      m_wake.notify(m_p.period * double(arrival - now));
  }
}

} // namespace granita::hw
