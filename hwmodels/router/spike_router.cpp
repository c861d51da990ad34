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
      m_inputs[size_t(m_n_inputs++)] = p;
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
  // Heads of line this cycle (route computed once per packet per router), listed per output
  // they want in increasing (input, VC) index order. Left uninitialised: only the first
  // n_req[o] entries of each list are ever read (zeroing them would cost more than the tick).
  struct Head {
    const Flit *flit;
    uint8_t idx, port, vc;
  };
  std::array<std::array<Head, kNumPorts * kMaxVcs>, kNumPorts> req;
  std::array<uint8_t, kNumPorts> n_req{};
  int n_heads = 0;
  for (int k = 0; k < m_n_inputs; ++k) {
    const int ip = m_inputs[size_t(k)];
    FlitChannel &rx = *m_rx[size_t(ip)];
    if (rx.empty())
      continue;
    for (int vc = 0; vc < V; ++vc) {
      const Flit *f = rx.peek(vc, now);
      if (!f)
        continue;
      const int idx = ip * V + vc;
      InState &st = m_in[size_t(idx)];
      if (st.out_port < 0) {
        st.out_port = route(*f);
        m_ledger.task(f->owner).add(Event::RouterRoute);
      }
      const size_t o = size_t(st.out_port);
      req[o][n_req[o]++] = {f, uint8_t(idx), uint8_t(ip), uint8_t(vc)};
      ++n_heads;
    }
  }
  if (n_heads == 0) {
    uint64_t next = UINT64_MAX;
    for (int k = 0; k < m_n_inputs; ++k)
      next = std::min(next, m_rx[size_t(m_inputs[size_t(k)])]->next_arrival());
    if (next != UINT64_MAX && next > now)
      m_waker.notify(next - now);
    return;
  }
  std::array<bool, kNumPorts> input_used{};
  bool forwarded = false;
  for (int o = 0; o < kNumPorts; ++o) {
    const int n = n_req[size_t(o)];
    if (n == 0 || !m_tx[size_t(o)])
      continue;
    // Round-robin over the heads that want this output, starting after the last winner: the
    // indices above it, then the others, each in increasing order; tried in that order until
    // one can go.
    const auto &list = req[size_t(o)];
    const int rr = m_rr[size_t(o)];
    int first = 0;
    while (first < n && list[size_t(first)].idx <= rr)
      ++first;
    for (int j = 0; j < n; ++j) {
      const Head &h = list[size_t(first + j < n ? first + j : first + j - n)];
      if (input_used[h.port])
        continue;
      InState &st = m_in[h.idx];
      if (st.out_vc < 0) {
        for (int v = 0; v < V && st.out_vc < 0; ++v)
          if (m_out_owner[size_t(o * V + v)] < 0) {
            st.out_vc = v;
            m_out_owner[size_t(o * V + v)] = h.idx;
          }
        if (st.out_vc < 0)
          continue; // every VC of this output carries another packet
      }
      FlitChannel &tx = *m_tx[size_t(o)];
      if (!tx.can_send(st.out_vc))
        continue;
      Flit g = *h.flit;
      g.vc = uint8_t(st.out_vc);
      m_rx[h.port]->pop(h.vc);
      tx.send(g);
      energy::EnergyCounters &c = m_ledger.task(g.owner);
      const uint64_t bits = uint64_t(m_p.flit_bits);
      c.add(Event::RouterBufferReadBit, bits);
      c.add(Event::RouterSwitchBit, bits);
      if (o != kLocal)
        c.add(Event::LinkBit, bits);
      if (m_p.out_to_router[size_t(o)])
        c.add(Event::RouterBufferWriteBit, bits);
      if (g.tail) {
        m_out_owner[size_t(o * V + st.out_vc)] = -1;
        st = InState{};
      }
      input_used[h.port] = true;
      forwarded = true;
      m_rr[size_t(o)] = h.idx;
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
