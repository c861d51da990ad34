// SPDX-License-Identifier: Apache-2.0
// Testbench of one SpikeRouter: the router at (1, 1) of a 3x3 mesh with a link on every port.
// The test is the upstream of every input (it preloads flits at cycle 0) and a sink drains every
// output one flit per VC and cycle, recording when each flit arrived. Expected cycles are derived
// by hand from the router's contract (docs/chip.md): a link delivers `latency` cycles after
// send, the router forwards at most one flit per input and per output per cycle, a packet holds
// its output VC from head to tail, and switch arbitration is round-robin.
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"
#include "hwmodels/router/spike_router.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace granita::hw {
namespace {

const sc_core::sc_time kPeriod(1, sc_core::SC_NS);

struct Arrival {
  int port;
  uint64_t cycle;
  uint32_t packet;
  bool head, tail;
};

/// Drains one output link: every arrived flit is popped and recorded in its cycle.
class Sink : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(Sink);
  Sink(sc_core::sc_module_name n, int port, std::vector<Arrival> &log)
      : sc_core::sc_module(n), m_port(port), m_log(log) {
    SC_METHOD(drain);
    dont_initialize();
    sensitive << m_event;
  }
  Wake wake() { return Wake(m_event, kPeriod); }
  FlitChannel *rx = nullptr;

private:
  void drain() {
    const uint64_t now = uint64_t(sc_core::sc_time_stamp() / kPeriod);
    for (int vc = 0; vc < rx->vcs(); ++vc)
      if (const Flit *f = rx->peek(vc, now)) {
        m_log.push_back({m_port, now, f->packet, f->head, f->tail});
        rx->pop(vc);
      }
    const uint64_t next = rx->next_arrival();
    if (next != UINT64_MAX)
      m_event.notify(kPeriod * double(next > now ? next - now : 1));
  }
  int m_port;
  std::vector<Arrival> &m_log;
  sc_core::sc_event m_event;
};

struct Bench {
  explicit Bench(const std::string &routing, int vcs = 1) : ledger(0) {
    SpikeRouter::Params p;
    p.x = 1;
    p.y = 1;
    p.mesh_x = 3;
    p.mesh_y = 3;
    p.virtual_channels = vcs;
    p.flit_bits = 32;
    p.routing = routing;
    p.period = kPeriod;
    router = std::make_unique<SpikeRouter>("router", p, ledger);
    sc_core::sc_event *upstream = &idle; // the test sends at cycle 0 only; credits need no wake
    for (int port = 0; port < kNumPorts; ++port) {
      const std::string in_name = std::string("in_") + port_name(port);
      const std::string out_name = std::string("out_") + port_name(port);
      in.push_back(std::make_unique<FlitChannel>(in_name.c_str(), vcs, 8, 1, kPeriod));
      out.push_back(std::make_unique<FlitChannel>(out_name.c_str(), vcs, 8, 1, kPeriod));
      sinks.push_back(std::make_unique<Sink>(("sink_" + std::to_string(port)).c_str(), port, log));
      in.back()->set_wake(router->wake(), Wake(*upstream, kPeriod));
      out.back()->set_wake(sinks.back()->wake(), router->wake());
      sinks.back()->rx = out.back().get();
      router->in[port](*in.back());
      router->out[port](*out.back());
    }
  }
  /// A packet of `flits` flits from input `port` on `vc` to (dx, dy), sent at cycle 0.
  void packet(int port, uint32_t id, int flits, int dx, int dy, int vc = 0) {
    for (int k = 0; k < flits; ++k) {
      Flit f;
      f.packet = id;
      f.dst_x = int16_t(dx);
      f.dst_y = int16_t(dy);
      f.vc = uint8_t(vc);
      f.head = k == 0;
      f.tail = k == flits - 1;
      in[size_t(port)]->send(f);
    }
  }
  std::vector<Arrival> run(uint64_t cycles) {
    sc_core::sc_start(kPeriod * double(cycles));
    return log;
  }
  EnergyLedger ledger;
  sc_core::sc_event idle;
  std::unique_ptr<SpikeRouter> router;
  std::vector<std::unique_ptr<FlitChannel>> in, out;
  std::vector<std::unique_ptr<Sink>> sinks;
  std::vector<Arrival> log;
};

std::vector<uint64_t> cycles_of(const std::vector<Arrival> &log, uint32_t packet) {
  std::vector<uint64_t> c;
  for (const Arrival &a : log)
    if (a.packet == packet)
      c.push_back(a.cycle);
  return c;
}

// Each test runs in its own process under ctest (one SystemC elaboration per process).

TEST(RouterBench, XyRoutesXFirstAndStreamsOneFlitPerCycle) {
  Bench b("xy");
  b.packet(kLocal, 7, 4, 2, 0); // to (2, 0): east first under XY
  const auto log = b.run(20);
  ASSERT_EQ(log.size(), 4u);
  for (const Arrival &a : log)
    EXPECT_EQ(a.port, kEast);
  // In the router's buffer at cycle 1 (link latency 1); forwarded in cycles 1..4, each out link
  // delivering one cycle later.
  EXPECT_EQ(cycles_of(log, 7), (std::vector<uint64_t>{2, 3, 4, 5}));
  EXPECT_TRUE(log.front().head);
  EXPECT_TRUE(log.back().tail);
  EXPECT_EQ(b.router->flits_forwarded(), 4u);
}

TEST(RouterBench, YxRoutesYFirstAndLocalAndHostPorts) {
  Bench b("yx");
  b.packet(kWest, 1, 1, 2, 0);      // YX: north first (y 1 -> 0)
  b.packet(kNorth, 2, 1, 1, 1);     // arrived: local
  b.packet(kEast, 3, 1, kHostX, 0); // the host, west of (0, 0): YX goes north first too
  const auto log = b.run(20);
  ASSERT_EQ(log.size(), 3u);
  for (const Arrival &a : log)
    EXPECT_EQ(a.port, a.packet == 1 ? kNorth : a.packet == 2 ? kLocal : kNorth) << a.packet;
}

TEST(RouterBench, OneVcHoldsTheOutputFromHeadToTail) {
  Bench b("xy", 1);
  b.packet(kNorth, 1, 3, 2, 1); // both to the east neighbour
  b.packet(kWest, 2, 3, 2, 1);
  const auto log = b.run(30);
  ASSERT_EQ(log.size(), 6u);
  // Round-robin starts after input index 0 (local): north (1) before west (4). The whole north
  // packet goes first (it owns the only VC), then the west one.
  EXPECT_EQ(cycles_of(log, 1), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(cycles_of(log, 2), (std::vector<uint64_t>{5, 6, 7}));
}

TEST(RouterBench, TwoVcsInterleaveRoundRobin) {
  Bench b("xy", 2);
  b.packet(kNorth, 1, 3, 2, 1);
  b.packet(kWest, 2, 3, 2, 1);
  const auto log = b.run(30);
  ASSERT_EQ(log.size(), 6u);
  // One flit per output per cycle, alternating between the two packets' VCs.
  EXPECT_EQ(cycles_of(log, 1), (std::vector<uint64_t>{2, 4, 6}));
  EXPECT_EQ(cycles_of(log, 2), (std::vector<uint64_t>{3, 5, 7}));
}

TEST(RouterBench, DifferentOutputsGoInTheSameCycle) {
  Bench b("xy");
  b.packet(kNorth, 1, 2, 2, 1); // east
  b.packet(kWest, 2, 2, 1, 2);  // south
  const auto log = b.run(20);
  EXPECT_EQ(cycles_of(log, 1), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(cycles_of(log, 2), (std::vector<uint64_t>{2, 3}));
}

} // namespace
} // namespace granita::hw
