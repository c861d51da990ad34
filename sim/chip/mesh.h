// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"
#include "hwmodels/router/spike_router.h"
#include "src/config/hw_config.h"

#include <systemc>

#include <memory>
#include <string>
#include <vector>

namespace granita::sim {

/// The X x Y router mesh and its links, built and bound from a hardware config; endpoints
/// (cores, the host, traffic nodes) attach to a router's Local or a free edge port.
/// Contract: must be built during elaboration, inside the owning module's constructor.
struct Mesh {
  std::vector<std::unique_ptr<hw::SpikeRouter>> routers;
  std::vector<std::unique_ptr<hw::FlitChannel>> channels;

  /// With a calendar, the routers run from it instead of one SystemC process each.
  void build(const config::HwConfig &hw, sc_core::sc_time period, hw::EnergyLedger &ledger,
             hw::WakeCalendar *calendar = nullptr);
  /// Binds an endpoint to port `port` of router `index`: returns the channel it sends on and
  /// the one it receives from. `latency` is the link's latency in cycles.
  template <class Endpoint>
  void attach(int index, int port, Endpoint &ep, const std::string &name, int latency) {
    hw::SpikeRouter &r = *routers[size_t(index)];
    const hw::Wake ep_wake = wake_of(ep.wake());
    hw::FlitChannel *up = channel(name + "_inject", latency, r.wake(), ep_wake);
    hw::FlitChannel *down = channel(name + "_eject", latency, ep_wake, r.wake());
    ep.to_router.bind(*up);
    r.in[port].bind(*up);
    r.out[port].bind(*down);
    ep.from_router.bind(*down);
  }

private:
  hw::FlitChannel *channel(const std::string &name, int latency, const hw::Wake &rx,
                           const hw::Wake &tx);
  hw::Wake wake_of(sc_core::sc_event &e) const { return hw::Wake(e, m_period); }
  const hw::Wake &wake_of(const hw::Wake &w) const { return w; }
  int m_vcs = 1, m_depth = 1;
  hw::WakeCalendar *m_calendar = nullptr;
  sc_core::sc_time m_period;
};

} // namespace granita::sim
