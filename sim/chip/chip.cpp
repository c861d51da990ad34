// SPDX-License-Identifier: Apache-2.0
#include "sim/chip/chip.h"

#include "src/util/error.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace granita::sim {

Chip::Chip(sc_core::sc_module_name name, const config::HwConfig &hwc, const hw::Program &prog,
           uint64_t watchdog_cycles, const std::string &vcd_path)
    : sc_core::sc_module(name), m_period(1e3 / hwc.clock_mhz, sc_core::SC_NS),
      m_ledger(prog.mapping.tasks.size()), m_watchdog_cycles(watchdog_cycles) {
  const int X = hwc.mesh_x, Y = hwc.mesh_y, V = hwc.router_virtual_channels;
  std::vector<bool> has_tasks(size_t(X * Y), false);
  for (const auto &t : prog.mapping.tasks)
    if (t.core >= 0)
      has_tasks[size_t(t.core)] = true;
  m_calendar = std::make_unique<hw::WakeCalendar>("calendar", m_period);
  m_mesh.build(hwc, m_period, m_ledger, m_calendar.get());
  m_sync = std::make_unique<hw::ReductionNetwork>(prog, X * Y, m_period, m_ledger);
  for (int i = 0; i < X * Y; ++i) {
    if (!has_tasks[size_t(i)])
      continue;
    hw::Core::Params p;
    p.index = i;
    p.mesh_x = X;
    p.flit_bits = hwc.flit_bits;
    p.virtual_channels = V;
    p.period = m_period;
    p.units = hw::unit_params(hwc, prog.bits);
    // The coding comes from the mapping (mapping::verify made sure it is the config's).
    p.units.rate = prog.rate;
    p.units.signed_spikes = prog.signed_spikes;
    const std::string cn = "core_" + std::to_string(i);
    m_cores.push_back(
        std::make_unique<hw::Core>(cn.c_str(), p, prog, m_pool, m_ledger, *m_sync));
    m_cores.back()->use_calendar(*m_calendar);
    m_mesh.attach(i, hw::kLocal, *m_cores.back(), cn, 1);
  }
  hw::HostInterface::Params hp{hwc.flit_bits, V, X, m_period};
  m_host = std::make_unique<hw::HostInterface>("host", hp, prog, m_pool, m_ledger);
  m_mesh.attach(0, hw::kWest, *m_host, "host", hwc.hop_latency_cycles);

  for (size_t i = 0; i < m_mesh.routers.size(); ++i)
    m_mesh.routers[i]->set_trace(&m_trace, int(i));
  for (auto &c : m_cores)
    c->set_trace(&m_trace);
  if (!vcd_path.empty()) {
    // Key signals: every router's forwarded-flit counter and every unit's busy flag.
    // SystemC writes the VCD as the simulation runs: it goes to BASE.part.vcd, renamed to the
    // requested name by commit_vcd() after a complete run and removed otherwise.
    std::string base = vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
      base.resize(base.size() - 4);
    m_vcd_final = base + ".vcd";
    m_vcd_partial = base + ".part.vcd";
    m_vcd = sc_core::sc_create_vcd_trace_file((base + ".part").c_str());
    m_vcd->set_time_unit(1.0, sc_core::SC_PS); // SystemC's default, stated (no I702 notice)
    for (const auto &r : m_mesh.routers)
      sc_core::sc_trace(m_vcd, r->forwarded_counter(), std::string(r->basename()) + "_flits");
    const char *units[] = {"accumulate", "neuron", "ptsoftmax", "bspn"};
    for (const auto &c : m_cores)
      for (int u = 0; u < 4; ++u)
        sc_core::sc_trace(m_vcd, c->unit_busy(u), std::string(c->basename()) + "_" + units[u]);
  }

  // The watchdog looks at the chip after every module has run in its cycle (a delta later), so
  // that what it sees does not depend on the kernel's order of processes within a cycle.
  SC_METHOD(watch_timer);
  dont_initialize();
  sensitive << m_watch;
  SC_METHOD(watchdog);
  dont_initialize();
  sensitive << m_watch_check << m_host->done_event();
}

Chip::~Chip() {
  if (m_vcd) { // an interrupted or failed run: no partial VCD is left behind
    sc_core::sc_close_vcd_trace_file(m_vcd);
    std::remove(m_vcd_partial.c_str());
  }
}

void Chip::commit_vcd() {
  if (!m_vcd)
    return;
  sc_core::sc_close_vcd_trace_file(m_vcd);
  m_vcd = nullptr;
  if (std::rename(m_vcd_partial.c_str(), m_vcd_final.c_str()) != 0)
    throw InputError({m_vcd_final}, "", "cannot rename " + m_vcd_partial + " into place");
}

void Chip::begin_sentence(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids) {
  m_ledger.clear();
  m_sync->begin_sentence(int(ids.size()));
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
  for (const auto &r : m_mesh.routers)
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
  for (const auto &r : m_mesh.routers)
    if (!r->idle())
      return false;
  return true;
}

void Chip::watch_timer() { m_watch_check.notify(sc_core::SC_ZERO_TIME); }

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
  for (const auto &r : m_mesh.routers)
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
