// SPDX-License-Identifier: Apache-2.0
#pragma once

// A link and the input buffer it fills (credit-based flow control), and the two interfaces its
// ends see.

#include "hwmodels/noc/flit.h"
#include "hwmodels/noc/wake_calendar.h"

#include <systemc>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace granita::hw {

/// Sending side of a link: what an upstream router or network interface sees.
class IFlitTx : public virtual sc_core::sc_interface {
public:
  virtual bool can_send(int vc) = 0;
  virtual void send(const Flit &f) = 0;
  virtual int credits(int vc) = 0;
};

/// Receiving side of a link: the downstream input buffer.
class IFlitRx : public virtual sc_core::sc_interface {
public:
  /// The flit at the head of `vc`'s buffer if it has arrived by `cycle`.
  virtual const Flit *peek(int vc, uint64_t cycle) = 0;
  virtual void pop(int vc) = 0;
  virtual int vcs() const = 0;
  virtual bool empty() const = 0;
  /// Earliest arrival cycle of a buffered flit, UINT64_MAX if none. A receiver that wakes before
  /// a flit has arrived must re-arm for this cycle: sc_event keeps only the earliest pending
  /// notification, so the sender's later wake-up may have been merged away.
  virtual uint64_t next_arrival() const = 0;
};

/// A link plus the downstream input buffer it fills: per virtual channel a FIFO of
/// `depth` flits, flits arriving `latency` cycles after send(), credits returning to the
/// sender one cycle after pop() (credit-based flow control). Wakes the receiver on arrival and
/// the sender on credit return, so idle modules sleep. Contract: a sender sends on a VC only
/// when can_send() says so (credits bound every FIFO to `depth` flits, which live in fixed
/// rings: no allocation per flit).
class FlitChannel final : public sc_core::sc_prim_channel, public IFlitTx, public IFlitRx {
public:
  FlitChannel(const char *name, int vcs, int depth, int latency_cycles, sc_core::sc_time period)
      : sc_core::sc_prim_channel(name), m_vcs(vcs), m_depth(depth), m_latency(latency_cycles),
        m_slots(size_t(vcs) * size_t(depth)), m_credit_returns(size_t(vcs) * size_t(depth)),
        m_period(period) {
    if (vcs < 1 || vcs > kMaxVcs)
      throw std::logic_error(std::string(name) + ": " + std::to_string(vcs) +
                             " virtual channels (1.." + std::to_string(kMaxVcs) + " supported)");
  }

  /// Wake-ups of the two ends (set by the chip when binding).
  void set_wake(const Wake &receiver, const Wake &sender) {
    m_rx_wake = receiver;
    m_tx_wake = sender;
  }
  /// Reads the cycle from `calendar` (cheaper than the kernel's time stamp while it runs).
  void set_clock(const WakeCalendar *calendar) { m_clock = calendar; }

  bool can_send(int vc) override { return credits(vc) > 0; }
  int credits(int vc) override {
    absorb_credits();
    return m_depth - m_vc[size_t(vc)].used;
  }
  void send(const Flit &f) override {
    absorb_credits();
    const size_t vc = f.vc;
    if (m_vc[vc].used >= m_depth)
      throw std::logic_error(std::string(name()) + ": flit sent without a credit");
    ++m_vc[vc].used;
    int pos = m_vc[vc].first + m_vc[vc].count; // ring position (no division per flit-hop)
    if (pos >= m_depth)
      pos -= m_depth;
    m_slots[vc * size_t(m_depth) + size_t(pos)] = {now() + uint64_t(m_latency), f};
    ++m_vc[vc].count;
    ++m_size;
    m_rx_wake.notify(uint64_t(m_latency));
  }
  const Flit *peek(int vc, uint64_t cycle) override {
    if (m_vc[size_t(vc)].count == 0)
      return nullptr;
    const Slot &s = front(size_t(vc));
    return s.arrival > cycle ? nullptr : &s.flit;
  }
  void pop(int vc) override {
    const size_t v = size_t(vc);
    m_vc[v].first = m_vc[v].first + 1 == m_depth ? 0 : m_vc[v].first + 1;
    --m_vc[v].count;
    --m_size;
    size_t pos = m_credit_first + m_credit_count;
    if (pos >= m_credit_returns.size())
      pos -= m_credit_returns.size();
    m_credit_returns[pos] = {now() + 1, vc};
    ++m_credit_count;
    m_tx_wake.notify(1);
  }
  int vcs() const override { return m_vcs; }
  bool empty() const override { return m_size == 0; }
  uint64_t next_arrival() const override {
    uint64_t best = UINT64_MAX;
    for (size_t v = 0; v < size_t(m_vcs); ++v)
      if (m_vc[v].count != 0 && front(v).arrival < best)
        best = front(v).arrival;
    return best;
  }
  /// Earliest arrival cycle after `cycle` of a flit at the head of its VC, UINT64_MAX if none.
  uint64_t next_arrival_after(uint64_t cycle) const {
    uint64_t best = UINT64_MAX;
    for (size_t v = 0; v < size_t(m_vcs); ++v)
      if (m_vc[v].count != 0 && front(v).arrival > cycle && front(v).arrival < best)
        best = front(v).arrival;
    return best;
  }
  /// Earliest cycle after `cycle` at which a credit returns to the sender, UINT64_MAX if none.
  uint64_t next_credit_after(uint64_t cycle) const {
    const size_t cap = m_credit_returns.size();
    size_t pos = m_credit_first;
    for (size_t k = 0; k < m_credit_count; ++k) {
      const auto &r = m_credit_returns[pos];
      if (r.first > cycle)
        return r.first;
      if (++pos == cap)
        pos = 0;
    }
    return UINT64_MAX;
  }
  size_t occupancy(int vc) const { return size_t(m_vc[size_t(vc)].count); }

private:
  struct Slot {
    uint64_t arrival;
    Flit flit;
  };
  const Slot &front(size_t vc) const {
    return m_slots[vc * size_t(m_depth) + size_t(m_vc[vc].first)];
  }
  uint64_t now() const {
    return m_clock ? m_clock->now() : uint64_t(sc_core::sc_time_stamp() / m_period);
  }
  void absorb_credits() {
    if (m_credit_count == 0)
      return;
    const uint64_t t = now();
    const size_t cap = m_credit_returns.size();
    while (m_credit_count != 0 && m_credit_returns[m_credit_first].first <= t) {
      --m_vc[size_t(m_credit_returns[m_credit_first].second)].used;
      m_credit_first = m_credit_first + 1 == cap ? 0 : m_credit_first + 1;
      --m_credit_count;
    }
  }
  // Hot state first and together (a router reads it for every input and output each cycle):
  // sizes, the credit ring's cursor, the clock and the per-VC counters.
  struct VcState {
    int first = 0; // ring start
    int count = 0; // flits buffered
    int used = 0;  // buffered + in flight + credits not yet returned
  };
  size_t m_size = 0;
  size_t m_credit_first = 0, m_credit_count = 0;
  const WakeCalendar *m_clock = nullptr;
  int m_vcs, m_depth, m_latency;
  std::array<VcState, kMaxVcs> m_vc{};
  std::vector<Slot> m_slots; // [vc * depth + ring position]
  // Credits on their way back (cycle, vc), in cycle order: at most vcs * depth.
  std::vector<std::pair<uint64_t, int>> m_credit_returns;
  Wake m_rx_wake, m_tx_wake;
  sc_core::sc_time m_period;
};

} // namespace granita::hw
