// SPDX-License-Identifier: Apache-2.0
#include "sim/chip/chip.h"

#include <algorithm>
#include <sstream>

namespace granita::sim {

using hw::FlitChannel;

Chip::Chip(sc_core::sc_module_name name, const config::HwConfig &hwc, const hw::Program &prog,
           uint64_t watchdog_cycles)
    : sc_core::sc_module(name), m_period(1e3 / hwc.clock_mhz, sc_core::SC_NS),
      m_ledger(prog.mapping.tasks.size()), m_watchdog_cycles(watchdog_cycles) {
  const int X = hwc.mesh_x, Y = hwc.mesh_y, V = hwc.router_virtual_channels;
  const int depth = hwc.router_buffer_depth_flits;
  std::vector<bool> has_tasks(size_t(X * Y), false);
  for (const auto &t : prog.mapping.tasks)
    if (t.core >= 0)
      has_tasks[size_t(t.core)] = true;
  for (int i = 0; i < X * Y; ++i) {
    hw::SpikeRouter::Params p;
    p.x = i % X;
    p.y = i / X;
    p.mesh_x = X;
    p.mesh_y = Y;
    p.virtual_channels = V;
    p.flit_bits = hwc.flit_bits;
    p.routing = hwc.routing;
    p.period = m_period;
    p.out_to_router = {false, p.y > 0, p.x < X - 1, p.y < Y - 1, p.x > 0};
    const std::string rn = "router_" + std::to_string(p.x) + "_" + std::to_string(p.y);
    m_routers.push_back(std::make_unique<hw::SpikeRouter>(rn.c_str(), p, m_ledger));
  }
  auto link = [&](const std::string &n, int latency, sc_core::sc_event *rx,
                  sc_core::sc_event *tx) {
    m_channels.push_back(std::make_unique<FlitChannel>(n.c_str(), V, depth, latency, m_period));
    m_channels.back()->set_wake(rx, tx);
    return m_channels.back().get();
  };
  // Router-to-router links: out[d] of one router feeds in[opposite d] of its neighbour.
  const int dx[] = {0, 0, 1, 0, -1}, dy[] = {0, -1, 0, 1, 0}, opposite[] = {0, 3, 4, 1, 2};
  for (int i = 0; i < X * Y; ++i)
    for (int d = hw::kNorth; d <= hw::kWest; ++d) {
      const int nx = i % X + dx[d], ny = i / X + dy[d];
      if (nx < 0 || ny < 0 || nx >= X || ny >= Y)
        continue;
      const int j = ny * X + nx;
      FlitChannel *c = link("link_" + std::to_string(i) + "_" + hw::port_name(d),
                            hwc.hop_latency_cycles, &m_routers[size_t(j)]->wake(),
                            &m_routers[size_t(i)]->wake());
      m_routers[size_t(i)]->out[d].bind(*c);
      m_routers[size_t(j)]->in[opposite[d]].bind(*c);
    }
  for (int i = 0; i < X * Y; ++i) {
    if (!has_tasks[size_t(i)])
      continue;
    hw::Core::Params p;
    p.index = i;
    p.mesh_x = X;
    p.flit_bits = hwc.flit_bits;
    p.virtual_channels = V;
    p.period = m_period;
    p.units.accumulate_lanes = hwc.accumulate_lanes;
    p.units.neuron_updates_per_cycle = hwc.neuron_updates_per_cycle;
    p.units.ptsoftmax_elements_per_cycle = hwc.ptsoftmax_elements_per_cycle;
    p.units.ptsoftmax_latency_cycles = hwc.ptsoftmax_latency_cycles;
    p.units.bspn_elements_per_cycle = hwc.bspn_elements_per_cycle;
    p.units.bspn_latency_cycles = hwc.bspn_latency_cycles;
    p.units.rate = prog.rate;
    p.units.bits = prog.bits;
    const std::string cn = "core_" + std::to_string(i);
    m_cores.push_back(std::make_unique<hw::Core>(cn.c_str(), p, prog, m_pool, m_ledger));
    hw::Core &core = *m_cores.back();
    hw::SpikeRouter &r = *m_routers[size_t(i)];
    FlitChannel *up = link(cn + "_inject", 1, &r.wake(), &core.wake());
    FlitChannel *down = link(cn + "_eject", 1, &core.wake(), &r.wake());
    core.to_router.bind(*up);
    r.in[hw::kLocal].bind(*up);
    r.out[hw::kLocal].bind(*down);
    core.from_router.bind(*down);
  }
  hw::HostInterface::Params hp{hwc.flit_bits, V, X, m_period};
  m_host = std::make_unique<hw::HostInterface>("host", hp, prog, m_pool, m_ledger);
  hw::SpikeRouter &r0 = *m_routers[0];
  FlitChannel *up = link("host_inject", hwc.hop_latency_cycles, &r0.wake(), &m_host->wake());
  FlitChannel *down = link("host_eject", hwc.hop_latency_cycles, &m_host->wake(), &r0.wake());
  m_host->to_router.bind(*up);
  r0.in[hw::kWest].bind(*up);
  r0.out[hw::kWest].bind(*down);
  m_host->from_router.bind(*down);

  SC_METHOD(watchdog);
  dont_initialize();
  sensitive << m_watch << m_host->done_event();
}

void Chip::begin_sentence(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids) {
  m_ledger.clear();
  for (auto &c : m_cores)
    c->begin_sentence(int(ids.size()));
  m_stalled = false;
  m_last_progress = progress();
  m_host->start(ids, type_ids);
  m_watch.cancel();
  m_watch.notify(m_period * double(m_watchdog_cycles));
}

uint64_t Chip::progress() const {
  uint64_t p = 0;
  for (const auto &r : m_routers)
    p += r->flits_forwarded();
  for (const auto &c : m_cores)
    p += c->jobs_done();
  return p;
}

bool Chip::drained() {
  if (m_pool.in_flight() != 0 || !m_host->idle())
    return false;
  for (const auto &c : m_cores)
    if (!c->idle())
      return false;
  for (const auto &r : m_routers)
    if (!r->idle())
      return false;
  return true;
}

void Chip::watchdog() {
  // The logits can leave before every token's work is done (only [CLS] feeds the pooler);
  // the next sentence starts once the chip has drained.
  if (m_host->done() && drained()) {
    sc_core::sc_pause();
    return;
  }
  const uint64_t p = progress();
  bool computing = false; // a unit in the middle of a long job is progress too
  for (const auto &c : m_cores)
    computing = computing || c->computing();
  if (p == m_last_progress && !computing) {
    m_stalled = true;
    sc_core::sc_pause();
    return;
  }
  m_last_progress = p;
  m_watch.notify(m_period * double(m_host->done() ? std::min<uint64_t>(m_watchdog_cycles, 256)
                                                  : m_watchdog_cycles));
}

std::string Chip::blocked_report() {
  std::ostringstream os;
  int shown = 0;
  for (const auto &r : m_routers)
    if (!r->idle() && shown < 16) {
      os << "\n  " << r->basename() << ":" << r->buffer_state();
      ++shown;
    }
  for (const auto &c : m_cores) {
    const std::string w = c->waiting_state();
    if (!w.empty() && shown < 32) {
      os << "\n  " << c->basename() << " waiting:" << w;
      ++shown;
    }
  }
  return os.str();
}

} // namespace granita::sim
