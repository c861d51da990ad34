// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hwmodels/core/core.h"
#include "hwmodels/core/program.h"
#include "hwmodels/host/host_interface.h"
#include "hwmodels/noc/flit_channel.h"
#include "hwmodels/noc/instrumentation.h"
#include "hwmodels/router/spike_router.h"
#include "sim/chip/mesh.h"
#include "src/config/hw_config.h"

#include <systemc>

#include <memory>
#include <string>
#include <vector>

namespace granita::sim {

/// The whole chip: a mesh of routers joined by links, a core at every router that has tasks
/// (unused cores are power-gated and only route), and the host west of router (0, 0). Owns
/// every module and channel and does all port binding (STYLE.md section 4), plus the
/// watchdog that stops a run which makes no progress.
class Chip : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(Chip);
  Chip(sc_core::sc_module_name name, const config::HwConfig &hw, const hw::Program &prog,
       uint64_t watchdog_cycles, const std::string &vcd_path = "");
  ~Chip() override;
  /// Perfetto/Chrome trace recorder (off until set_on(true)).
  hw::TraceRecorder &trace() { return m_trace; }

  hw::HostInterface &host() { return *m_host; }
  hw::EnergyLedger &ledger() { return m_ledger; }
  const std::vector<std::unique_ptr<hw::Core>> &cores() const { return m_cores; }
  const std::vector<std::unique_ptr<hw::SpikeRouter>> &routers() const { return m_mesh.routers; }
  int cores_powered() const { return int(m_cores.size()); }

  /// Starts a sentence; sc_start() then returns when its logits are in, or the watchdog fired.
  void begin_sentence(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids);
  bool stalled() const { return m_stalled; }
  /// No flit, message or job left anywhere.
  bool drained();
  /// The routers and cores that still hold work, for the watchdog's error.
  std::string blocked_report();
  /// Closes the VCD of a complete run and renames it into place (no-op without --vcd).
  void commit_vcd();
  sc_core::sc_time period() const { return m_period; }

private:
  void watchdog();
  void watch_timer();
  uint64_t progress() const;

  sc_core::sc_time m_period;
  hw::PacketPool m_pool;
  hw::EnergyLedger m_ledger;
  hw::TraceRecorder m_trace;
  std::unique_ptr<hw::WakeCalendar> m_calendar; // runs every router and core
  sc_core::sc_trace_file *m_vcd = nullptr;
  std::string m_vcd_final, m_vcd_partial;
  Mesh m_mesh;
  std::unique_ptr<hw::ReductionNetwork> m_sync;
  std::vector<std::unique_ptr<hw::Core>> m_cores;
  std::unique_ptr<hw::HostInterface> m_host;
  sc_core::sc_event m_watch, m_watch_check;
  uint64_t m_watchdog_cycles;
  uint64_t m_last_progress = 0;
  bool m_stalled = false;
};

} // namespace granita::sim
