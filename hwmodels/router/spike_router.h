// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/describe.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"
#include "src/mapping/routing.h"

#include <systemc>

#include <array>
#include <string>
#include <vector>

namespace granita::hw {

/// A 5-port 2-D mesh spike router: input-buffered wormhole switching with virtual channels,
/// credit-based flow control, XY / YX / west-first routing, round-robin switch arbitration,
/// one flit per input and per output port per cycle. Contract: its input buffers live in the
/// FlitChannels bound to `in` (depth and hop latency are theirs); unbound ports are mesh edges.
/// It sleeps while no flit is buffered.
class SpikeRouter : public sc_core::sc_module, public IWakeable {
public:
  SC_HAS_PROCESS(SpikeRouter);
  struct Params {
    int x = 0, y = 0;           // position in the mesh
    int mesh_x = 1, mesh_y = 1; // mesh size
    int virtual_channels = 1;
    int flit_bits = 64;
    std::string routing = "xy"; // xy | yx | west_first
    sc_core::sc_time period;    // one clock cycle
    std::array<bool, kNumPorts> out_to_router{}; // output feeds another router's buffer
  };
  static const std::vector<std::string> &energy_events();

  // Ports: one link in and out per direction (Local, North, East, South, West).
  sc_core::sc_port<IFlitRx, 1, sc_core::SC_ZERO_OR_MORE_BOUND> in[kNumPorts];
  sc_core::sc_port<IFlitTx, 1, sc_core::SC_ZERO_OR_MORE_BOUND> out[kNumPorts];

  SpikeRouter(sc_core::sc_module_name name, const Params &p, EnergyLedger &ledger);

  /// Woken by arriving flits and returning credits.
  const Wake &wake() const { return m_waker; }
  /// Runs the router from `calendar` instead of its own process (before any binding).
  void use_calendar(WakeCalendar &calendar) {
    m_waker = Wake(calendar, calendar.add(this));
    m_clock = &calendar;
  }
  void on_wake() override { tick(); }

  uint64_t flits_forwarded() const { return m_forwarded; }
  /// Flits sent out of each port since construction (kLocal: ejected into the core).
  const std::array<uint64_t, kNumPorts> &port_flits() const { return m_port_flits; }
  const uint64_t &forwarded_counter() const { return m_forwarded; } // for sc_trace
  /// Optional trace sink (not owned).
  void set_trace(TraceRecorder *t, int index) {
    m_trace = t;
    m_index = index;
  }
  uint64_t last_progress_cycle() const { return m_last_progress; }
  /// Buffered flits per input port and VC, for the watchdog's report.
  std::string buffer_state();
  bool idle();

private:
  void end_of_elaboration() override;
  void tick();
  int route(const Flit &f);
  uint64_t cycle() const {
    return m_clock ? m_clock->now() : uint64_t(sc_core::sc_time_stamp() / m_p.period);
  }

  struct InState {
    int out_port = -1;
    int out_vc = -1;
  };
  Params m_p;
  mapping::Routing m_routing; // m_p.routing, parsed once
  EnergyLedger &m_ledger;
  sc_core::sc_event m_wake;
  Wake m_waker;
  const WakeCalendar *m_clock = nullptr;
  std::vector<InState> m_in;    // [port * vcs + vc]
  std::vector<int> m_out_owner; // [port * vcs + vc] -> input index or -1
  std::array<int, kNumPorts> m_rr{};
  // The channels bound to in / out (nullptr: mesh edge), called directly, not through ports.
  std::array<FlitChannel *, kNumPorts> m_rx{}, m_tx{};
  std::array<int, kNumPorts> m_inputs{}; // the ports with a bound input, in port order
  int m_n_inputs = 0;
  uint64_t m_forwarded = 0, m_last_progress = 0;
  std::array<uint64_t, kNumPorts> m_port_flits{};
  TraceRecorder *m_trace = nullptr;
  int m_index = 0;
};

} // namespace granita::hw
