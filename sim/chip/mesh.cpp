// SPDX-License-Identifier: Apache-2.0
#include "sim/chip/mesh.h"

namespace granita::sim {

hw::FlitChannel *Mesh::channel(const std::string &name, int latency, const hw::Wake &rx,
                               const hw::Wake &tx) {
  channels.push_back(
      std::make_unique<hw::FlitChannel>(name.c_str(), m_vcs, m_depth, latency, m_period));
  channels.back()->set_wake(rx, tx);
  channels.back()->set_clock(m_calendar);
  return channels.back().get();
}

void Mesh::build(const config::HwConfig &hwc, sc_core::sc_time period, hw::EnergyLedger &ledger,
                 hw::WakeCalendar *calendar) {
  const int X = hwc.mesh_x, Y = hwc.mesh_y;
  m_vcs = hwc.router_virtual_channels;
  m_depth = hwc.router_buffer_depth_flits;
  m_period = period;
  m_calendar = calendar;
  for (int i = 0; i < X * Y; ++i) {
    hw::SpikeRouter::Params p;
    p.x = i % X;
    p.y = i / X;
    p.mesh_x = X;
    p.mesh_y = Y;
    p.virtual_channels = m_vcs;
    p.flit_bits = hwc.flit_bits;
    p.routing = hwc.routing;
    p.period = period;
    p.out_to_router = {false, p.y > 0, p.x < X - 1, p.y < Y - 1, p.x > 0};
    const std::string rn = "router_" + std::to_string(p.x) + "_" + std::to_string(p.y);
    routers.push_back(std::make_unique<hw::SpikeRouter>(rn.c_str(), p, ledger));
    if (calendar)
      routers.back()->use_calendar(*calendar);
  }
  // out[d] of one router feeds in[opposite d] of its neighbour.
  const int dx[] = {0, 0, 1, 0, -1}, dy[] = {0, -1, 0, 1, 0}, opposite[] = {0, 3, 4, 1, 2};
  for (int i = 0; i < X * Y; ++i)
    for (int d = hw::kNorth; d <= hw::kWest; ++d) {
      const int nx = i % X + dx[d], ny = i / X + dy[d];
      if (nx < 0 || ny < 0 || nx >= X || ny >= Y)
        continue;
      const int j = ny * X + nx;
      hw::FlitChannel *c = channel("link_" + std::to_string(i) + "_" + hw::port_name(d),
                                   hwc.hop_latency_cycles, routers[size_t(j)]->wake(),
                                   routers[size_t(i)]->wake());
      routers[size_t(i)]->out[d].bind(*c);
      routers[size_t(j)]->in[opposite[d]].bind(*c);
    }
}

} // namespace granita::sim
