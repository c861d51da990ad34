// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/router/spike_router.h"

#include "src/util/error.h"

#include <algorithm>
#include <sstream>

namespace granita::hw {

using energy::Event;

const char *port_name(int p) {
  static const char *kNames[] = {"local", "north", "east", "south", "west"};
  return p >= 0 && p < kNumPorts ? kNames[p] : "?";
}

const std::vector<std::string> &SpikeRouter::energy_events() {
  static const std::vector<std::string> kEvents = {"router.buffer_write_bit",
                                                   "router.buffer_read_bit", "router.switch_bit",
                                                   "router.route", "link.bit"};
  return kEvents;
}

SpikeRouter::SpikeRouter(sc_core::sc_module_name name, const Params &p, EnergyLedger &ledger)
    : sc_core::sc_module(name), m_p(p), m_routing(mapping::routing_of(p.routing)),
      m_ledger(ledger), m_waker(m_wake, p.period),
      m_in(size_t(kNumPorts * p.virtual_channels)),
      m_out_owner(size_t(kNumPorts * p.virtual_channels), -1) {
  SC_METHOD(tick);
  dont_initialize();
  sensitive << m_wake;
}

void SpikeRouter::end_of_elaboration() {
  for (int p = 0; p < kNumPorts; ++p) {
    if (in[p].size() != 0) {
      m_rx[size_t(p)] = dynamic_cast<FlitChannel *>(in[p].get_interface(0));
      GRANITA_ASSERT(m_rx[size_t(p)], name() << ": input " << p << " is not a FlitChannel");
    }
    if (out[p].size() != 0) {
      m_tx[size_t(p)] = dynamic_cast<FlitChannel *>(out[p].get_interface(0));
      GRANITA_ASSERT(m_tx[size_t(p)], name() << ": output " << p << " is not a FlitChannel");
    }
  }
}

int SpikeRouter::route(const Flit &f) {
  // The host is reached through router (0, 0)'s West port: head for (0, 0), then West.
  const bool to_host = f.dst_x == kHostX;
  const mapping::Hop h =
      mapping::next_hop(m_routing, m_p.x, m_p.y, to_host ? 0 : f.dst_x, to_host ? 0 : f.dst_y);
  if (h.port == kLocal)
    return to_host ? kWest : kLocal;
  if (h.alt < 0)
    return h.port;
  // West-first with two productive directions: the one with more free credits (ties: `port`).
  auto free_credits = [&](int port) {
    int c = 0;
    for (int v = 0; v < m_p.virtual_channels; ++v)
      c += m_tx[size_t(port)]->credits(v);
    return c;
  };
  return free_credits(h.alt) > free_credits(h.port) ? h.alt : h.port;
}

void SpikeRouter::tick() {
  const uint64_t now = cycle();
  const int V = m_p.virtual_channels;
  // Heads of line this cycle (route computed once per packet per router). Left uninitialised:
  // only the entries listed in `active` are ever read, and zeroing them cost ~40% of tick().
  std::array<const Flit *, kNumPorts * kMaxVcs> head;
  std::array<int, kNumPorts * kMaxVcs> active;
  std::array<uint8_t, kNumPorts * kMaxVcs> port_of, vc_of; // idx -> (input, VC), no division
  int n_active = 0;
  bool any = false;
  for (int ip = 0; ip < kNumPorts; ++ip) {
    if (!m_rx[size_t(ip)])
      continue;
    FlitChannel &rx = *m_rx[size_t(ip)];
    if (rx.empty())
      continue;
    for (int vc = 0; vc < V; ++vc) {
      const Flit *f = rx.peek(vc, now);
      if (!f)
        continue;
      const int idx = ip * V + vc;
      head[size_t(idx)] = f;
      port_of[size_t(idx)] = uint8_t(ip);
      vc_of[size_t(idx)] = uint8_t(vc);
      active[size_t(n_active++)] = idx;
      any = true;
      InState &st = m_in[size_t(idx)];
      if (st.out_port < 0) {
        st.out_port = route(*f);
        m_ledger.task(f->owner).add(Event::RouterRoute);
      }
    }
  }
  if (!any) {
    uint64_t next = UINT64_MAX;
    for (int ip = 0; ip < kNumPorts; ++ip)
      if (m_rx[size_t(ip)])
        next = std::min(next, m_rx[size_t(ip)]->next_arrival());
    if (next != UINT64_MAX && next > now)
      m_waker.notify(next - now);
    return;
  }
  std::array<bool, kNumPorts> input_used{};
  bool forwarded = false;
  for (int o = 0; o < kNumPorts; ++o) {
    if (!m_tx[size_t(o)])
      continue;
    // Round-robin over the (input, VC) heads that want this output, starting after the last
    // winner; tried in that order until one can go. `active` is in increasing index order, so
    // the round-robin order is the indices above the last winner, then the others.
    std::array<int, kNumPorts * kMaxVcs> order; // the first n_order entries are written
    int n_order = 0;
    const int rr = m_rr[size_t(o)];
    for (int pass = 0; pass < 2; ++pass)
      for (int a = 0; a < n_active; ++a) {
        const int idx = active[size_t(a)];
        if ((idx > rr) == (pass == 0) && head[size_t(idx)] && m_in[size_t(idx)].out_port == o)
          order[size_t(n_order++)] = idx;
      }
    if (n_order == 0)
      continue;
    for (int k = 0; k < n_order; ++k) {
      const int idx = order[size_t(k)];
      const Flit *f = head[size_t(idx)];
      const int ip = port_of[size_t(idx)], vc = vc_of[size_t(idx)];
      if (input_used[size_t(ip)])
        continue;
      InState &st = m_in[size_t(idx)];
      if (st.out_port != o)
        continue;
      if (st.out_vc < 0) {
        for (int v = 0; v < V && st.out_vc < 0; ++v)
          if (m_out_owner[size_t(o * V + v)] < 0) {
            st.out_vc = v;
            m_out_owner[size_t(o * V + v)] = idx;
          }
        if (st.out_vc < 0)
          continue; // every VC of this output carries another packet
      }
      FlitChannel &tx = *m_tx[size_t(o)];
      if (!tx.can_send(st.out_vc))
        continue;
      Flit g = *f;
      g.vc = uint8_t(st.out_vc);
      m_rx[size_t(ip)]->pop(vc);
      head[size_t(idx)] = nullptr;
      tx.send(g);
      energy::EnergyCounters &c = m_ledger.task(g.owner);
      c.add(Event::RouterBufferReadBit, uint64_t(m_p.flit_bits));
      c.add(Event::RouterSwitchBit, uint64_t(m_p.flit_bits));
      if (o != kLocal)
        c.add(Event::LinkBit, uint64_t(m_p.flit_bits));
      if (m_p.out_to_router[size_t(o)])
        c.add(Event::RouterBufferWriteBit, uint64_t(m_p.flit_bits));
      if (g.tail) {
        m_out_owner[size_t(o * V + st.out_vc)] = -1;
        st = InState{};
      }
      input_used[size_t(ip)] = true;
      forwarded = true;
      m_rr[size_t(o)] = idx;
      ++m_forwarded;
      ++m_port_flits[size_t(o)];
      m_last_progress = now;
      if (m_trace)
        m_trace->flit(m_index, now);
      break;
    }
  }
  if (forwarded) {
    m_waker.notify(1); // the next flits may go next cycle
    return;
  }
  // Nothing went: every waiting head lacks a credit, or an output VC held by a packet whose next
  // flit has not arrived here. Nothing changes until a credit returns or a flit arrives, so
  // sleep until then (the ticks in between would forward nothing and change no state).
  uint64_t next = UINT64_MAX;
  for (int p = 0; p < kNumPorts; ++p) {
    if (m_rx[size_t(p)])
      next = std::min(next, m_rx[size_t(p)]->next_arrival_after(now));
    if (m_tx[size_t(p)])
      next = std::min(next, m_tx[size_t(p)]->next_credit_after(now));
  }
  if (next != UINT64_MAX)
    m_waker.notify(next - now);
}

bool SpikeRouter::idle() {
  for (int ip = 0; ip < kNumPorts; ++ip)
    if (in[ip].size() != 0 && !in[ip]->empty())
      return false;
  return true;
}

std::string SpikeRouter::buffer_state() {
  std::ostringstream os;
  const int V = m_p.virtual_channels;
  for (int ip = 0; ip < kNumPorts; ++ip) {
    if (in[ip].size() == 0 || in[ip]->empty())
      continue;
    os << " " << port_name(ip) << ":";
    for (int vc = 0; vc < V; ++vc) {
      const Flit *f = in[ip]->peek(vc, UINT64_MAX);
      const InState &st = m_in[size_t(ip * V + vc)];
      os << " vc" << vc << (f ? (f->head ? "[head" : "[body") : "[empty");
      if (f)
        os << " to (" << f->dst_x << "," << f->dst_y << ") wants "
           << (st.out_port >= 0 ? port_name(st.out_port) : "-")
           << (st.out_port >= 0 && out[st.out_port].size()
                   ? " credits " + std::to_string(out[st.out_port]->credits(std::max(st.out_vc, 0)))
                   : "");
      os << "]";
    }
  }
  return os.str();
}

} // namespace granita::hw
