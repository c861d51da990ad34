// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/core/units.h"

#include "src/mapping/mapping.h"

#include <algorithm>

namespace granita::hw {

using energy::Event;

namespace {

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bit-serial coding adds one shift-and-add pass per plane over the accumulators.
int64_t plane_passes(const UnitParams &p, int64_t width, energy::EnergyCounters &ev) {
  if (p.rate)
    return 0;
  ev.add(Event::AccumulateShift, uint64_t(p.bits * width));
  ev.add(Event::AccumulateAdd, uint64_t(p.bits * width));
  return p.bits * cdiv(width, p.accumulate_lanes);
}

} // namespace

int64_t spike_events(const int64_t *counts, int n, bool rate, int offset) {
  int64_t s = 0;
  if (!rate) {
    for (int i = 0; i < n; ++i)
      s += __builtin_popcountll(uint64_t(counts[i]));
    return s;
  }
  for (int i = 0; i < n; ++i)
    s += counts[i] >= offset ? counts[i] - offset : offset - counts[i];
  return s;
}

int64_t xbar_job(const UnitParams &p, int64_t row_events, int cols, bool offset_pass,
                 energy::EnergyCounters &ev) {
  // Every spike (or set plane bit) activates its word line; the accumulate unit adds the row's
  // `cols` ±1 synapses into the partial sums, `lanes` per cycle (a negative spike of signed_rate
  // coding inverts the weight bits before the adders: the same add). One more pass adds the
  // input offset correction (−o · Σ w, precomputed per column); signed spikes already add
  // w · (c − o), so they skip it.
  ev.add(Event::CrossbarRowRead, uint64_t(row_events));
  ev.add(Event::AccumulateSynop, uint64_t(row_events * cols));
  const int64_t per_row = cdiv(cols, p.accumulate_lanes);
  int64_t cycles = row_events * per_row + plane_passes(p, cols, ev);
  if (offset_pass) {
    ev.add(Event::AccumulateAdd, uint64_t(cols));
    cycles += per_row;
  }
  return cycles;
}

int64_t reduce_job(const UnitParams &p, int row_blocks, int width, energy::EnergyCounters &ev) {
  ev.add(Event::AccumulateAdd, uint64_t((row_blocks - 1) * width));
  ev.add(Event::SramWriteBit, uint64_t(row_blocks * width * mapping::kValueBits));
  ev.add(Event::SramReadBit, uint64_t(row_blocks * width * mapping::kValueBits));
  return std::max<int64_t>(1, cdiv(int64_t(row_blocks) * width, p.accumulate_lanes));
}

int64_t fire_job(const UnitParams &p, int width, int64_t spikes_out, energy::EnergyCounters &ev) {
  ev.add(Event::NeuronUpdate, uint64_t(width));
  ev.add(Event::NeuronSpike, uint64_t(spikes_out));
  return cdiv(width, p.neuron_updates_per_cycle);
}

int64_t bspn_job(const UnitParams &p, int width, energy::EnergyCounters &ev) {
  // Pass 1 accumulates the group power sums; pass 2 shifts by the group scale and gamma, adds
  // beta and snaps each value to its power of two (one compare against the sqrt(2) constant).
  ev.add(Event::BspnAdd, uint64_t(2 * width));
  ev.add(Event::BspnShift, uint64_t(2 * width));
  ev.add(Event::BspnCompare, uint64_t(width));
  return 2 * cdiv(width, p.bspn_elements_per_cycle) + p.bspn_latency_cycles;
}

int64_t ptsoftmax_job(const UnitParams &p, int n, int64_t spikes_out, energy::EnergyCounters &ev) {
  // Pass 1 finds the row maximum; pass 2 forms 2^(s − max) by shifts, sums them and normalises
  // by a shift; the output counts leave as spikes.
  ev.add(Event::PtsoftmaxCompare, uint64_t(n));
  ev.add(Event::PtsoftmaxShift, uint64_t(2 * n));
  ev.add(Event::PtsoftmaxAdd, uint64_t(n));
  ev.add(Event::NeuronSpike, uint64_t(spikes_out));
  ev.add(Event::SramWriteBit, uint64_t(n * mapping::kValueBits));
  ev.add(Event::SramReadBit, uint64_t(n * mapping::kValueBits));
  return 2 * cdiv(n, p.ptsoftmax_elements_per_cycle) + p.ptsoftmax_latency_cycles;
}

int64_t qk_job(const UnitParams &p, int64_t q_events, int n, energy::EnergyCounters &ev) {
  // Each query spike reads its K column (n keys) from SRAM and adds it to n score
  // accumulators; the offset term adds one stored per-key constant; scores are then shifted.
  ev.add(Event::AccumulateAdd, uint64_t(q_events * n + n));
  ev.add(Event::SramReadBit, uint64_t(q_events * n * p.bits + n * mapping::kValueBits));
  ev.add(Event::AccumulateShift, uint64_t(n));
  const int64_t per = cdiv(n, p.accumulate_lanes);
  return q_events * per + per + plane_passes(p, n, ev);
}

int64_t pv_job(const UnitParams &p, int64_t p_events, int n, int dh, energy::EnergyCounters &ev) {
  // Each probability spike reads one V row (dh values) and adds it; the offset term needs the
  // spike total (n adds) and one subtract per output.
  ev.add(Event::AccumulateAdd, uint64_t(p_events * dh + n + dh));
  ev.add(Event::SramReadBit, uint64_t(p_events * dh * p.bits));
  return p_events * cdiv(dh, p.accumulate_lanes) + cdiv(n + dh, p.accumulate_lanes) +
         plane_passes(p, dh, ev);
}

int64_t residual_job(const UnitParams &p, int width, energy::EnergyCounters &ev) {
  ev.add(Event::AccumulateAdd, uint64_t(2 * width));
  ev.add(Event::AccumulateShift, uint64_t(2 * width));
  ev.add(Event::SramReadBit, uint64_t(width * mapping::kValueBits));
  return cdiv(2 * width, p.accumulate_lanes);
}

int64_t multiply_job(const UnitParams &p, int64_t count, energy::EnergyCounters &ev) {
  ev.add(Event::NeuronMultiply, uint64_t(count));
  return cdiv(count, p.neuron_updates_per_cycle);
}

int64_t dense_linear_job(const UnitParams &p, int ins, int outs, energy::EnergyCounters &ev) {
  // Every input value multiplies its row of int32 weights (read from SRAM) into the outputs.
  ev.add(Event::NeuronMultiply, uint64_t(ins) * uint64_t(outs));
  ev.add(Event::AccumulateAdd, uint64_t(ins) * uint64_t(outs) + uint64_t(outs));
  ev.add(Event::SramReadBit, uint64_t(ins) * uint64_t(outs) * 32);
  return int64_t(ins) * cdiv(outs, p.neuron_updates_per_cycle) + cdiv(outs, p.accumulate_lanes);
}

int64_t int_linear_job(const UnitParams &p, int64_t in_events, int outs,
                       energy::EnergyCounters &ev) {
  // Each input spike reads `outs` int8 weights from SRAM and adds them; then the offset
  // correction and the bias.
  ev.add(Event::AccumulateAdd, uint64_t(in_events * outs + 2 * outs));
  ev.add(Event::SramReadBit, uint64_t(in_events * outs * 8));
  return in_events * cdiv(outs, p.accumulate_lanes) + cdiv(2 * outs, p.accumulate_lanes) +
         plane_passes(p, outs, ev);
}

} // namespace granita::hw
