// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/accumulate.h"

#include "hwmodels/units/scratch_sram.h"

#include <algorithm>

namespace granita::hw {

using energy::Event;

int64_t plane_passes(const UnitParams &p, int64_t width, energy::EnergyCounters &ev) {
  if (p.rate)
    return 0;
  ev.add(Event::AccumulateShift, uint64_t(p.bits * width));
  ev.add(Event::AccumulateAdd, uint64_t(p.bits * width));
  return p.bits * ceil_div(width, p.accumulate_lanes);
}

int64_t reduce_job(const UnitParams &p, int row_blocks, int width, energy::EnergyCounters &ev) {
  ev.add(Event::AccumulateAdd, uint64_t((row_blocks - 1) * width));
  sram_write(ev, value_bits(int64_t(row_blocks) * width));
  sram_read(ev, value_bits(int64_t(row_blocks) * width));
  return std::max<int64_t>(1, ceil_div(int64_t(row_blocks) * width, p.accumulate_lanes));
}

int64_t qk_job(const UnitParams &p, int64_t q_events, int n, energy::EnergyCounters &ev) {
  // Each query spike reads its K column (n keys) from SRAM and adds it to n score
  // accumulators; the offset term adds one stored per-key constant; scores are then shifted.
  ev.add(Event::AccumulateAdd, uint64_t(q_events * n + n));
  sram_read(ev, uint64_t(q_events * n * p.bits) + value_bits(n));
  ev.add(Event::AccumulateShift, uint64_t(n));
  const int64_t per = ceil_div(n, p.accumulate_lanes);
  return q_events * per + per + plane_passes(p, n, ev);
}

int64_t pv_job(const UnitParams &p, int64_t p_events, int n, int dh, energy::EnergyCounters &ev) {
  // Each probability spike reads one V row (dh values) and adds it; the offset term needs the
  // spike total (n adds) and one subtract per output.
  ev.add(Event::AccumulateAdd, uint64_t(p_events * dh + n + dh));
  sram_read(ev, uint64_t(p_events * dh * p.bits));
  return p_events * ceil_div(dh, p.accumulate_lanes) + ceil_div(n + dh, p.accumulate_lanes) +
         plane_passes(p, dh, ev);
}

int64_t residual_job(const UnitParams &p, int width, energy::EnergyCounters &ev) {
  ev.add(Event::AccumulateAdd, uint64_t(2 * width));
  ev.add(Event::AccumulateShift, uint64_t(2 * width));
  sram_read(ev, value_bits(width));
  return ceil_div(2 * width, p.accumulate_lanes);
}

int64_t int_linear_job(const UnitParams &p, int64_t in_events, int outs,
                       energy::EnergyCounters &ev) {
  // Each input spike reads `outs` int8 weights from SRAM and adds them; then the offset
  // correction and the bias.
  ev.add(Event::AccumulateAdd, uint64_t(in_events * outs + 2 * outs));
  sram_read(ev, uint64_t(in_events * outs * 8));
  return in_events * ceil_div(outs, p.accumulate_lanes) + ceil_div(2 * outs, p.accumulate_lanes) +
         plane_passes(p, outs, ev);
}

} // namespace granita::hw
