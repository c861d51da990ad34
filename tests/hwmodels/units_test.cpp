// SPDX-License-Identifier: Apache-2.0
// One testbench per core unit (hwmodels/units): the cycles a job occupies its unit and the events
// it counts, on small cases derived by hand from each unit's description in docs/chip.md; and the
// schedule's minimum cycles (task_cycles.h) as the same formulas with no spike arriving.
#include "hwmodels/units/accumulate.h"
#include "hwmodels/units/bspn.h"
#include "hwmodels/units/crossbar.h"
#include "hwmodels/units/neuron.h"
#include "hwmodels/units/ptsoftmax.h"
#include "hwmodels/units/task_cycles.h"
#include "hwmodels/units/scratch_sram.h"
#include "src/mapping/mapping.h"

#include <gtest/gtest.h>

namespace granita::hw {
namespace {

using energy::Event;

UnitParams params() {
  UnitParams p;
  p.accumulate_lanes = 4;
  p.neuron_updates_per_cycle = 2;
  p.ptsoftmax_elements_per_cycle = 3;
  p.ptsoftmax_latency_cycles = 5;
  p.bspn_elements_per_cycle = 2;
  p.bspn_latency_cycles = 7;
  p.bits = 4;
  return p;
}

const uint64_t kV = uint64_t(mapping::kValueBits);

TEST(CrossbarUnit, SpikeEventsPerCoding) {
  const int64_t c[] = {0, 3, 8, 15};
  EXPECT_EQ(spike_events(c, 4, true), 26);      // rate: one per spike, 0 + 3 + 8 + 15
  EXPECT_EQ(spike_events(c, 4, true, 8), 20);   // signed_rate: |c - 8| = 8 + 5 + 0 + 7
  EXPECT_EQ(spike_events(c, 4, false), 7);      // bit-serial: popcounts 0 + 2 + 1 + 4
}

TEST(CrossbarUnit, RowsTimesColumnsOnTheLanes) {
  // 5 word lines x 10 columns: 50 synaptic adds, ceil(10 / 4) = 3 cycles per row, plus the
  // offset pass (3 cycles, 10 adds).
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(xbar_job(p, 5, 10, true, ev), 5 * 3 + 3);
  EXPECT_EQ(ev.count(Event::CrossbarRowRead), 5u);
  EXPECT_EQ(ev.count(Event::AccumulateSynop), 50u);
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 10u);
  energy::EnergyCounters signed_ev; // signed spikes skip the offset pass
  EXPECT_EQ(xbar_job(p, 5, 10, false, signed_ev), 15);
  EXPECT_EQ(signed_ev.count(Event::AccumulateAdd), 0u);
}

TEST(CrossbarUnit, BitSerialAddsOneShiftAndAddPassPerPlane) {
  UnitParams p = params();
  p.rate = false;
  energy::EnergyCounters ev;
  // 2 rows x ceil(10/4) + offset pass 3 + 4 planes x 3 cycles.
  EXPECT_EQ(xbar_job(p, 2, 10, true, ev), 6 + 3 + 12);
  EXPECT_EQ(ev.count(Event::AccumulateShift), 40u);
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 40u + 10u);
}

TEST(AccumulateUnit, ReduceStagesEverySliceInSram) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(reduce_job(p, 3, 6, ev), 5); // 18 values over 4 lanes
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 12u);
  EXPECT_EQ(ev.count(Event::SramWriteBit), 18 * kV);
  EXPECT_EQ(ev.count(Event::SramReadBit), 18 * kV);
  energy::EnergyCounters one;
  EXPECT_EQ(reduce_job(p, 1, 0, one), 1); // never less than a cycle
}

TEST(AccumulateUnit, QkReadsAKeyColumnPerQuerySpike) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  // 3 query spikes x ceil(8/4) + the offset term's ceil(8/4).
  EXPECT_EQ(qk_job(p, 3, 8, ev), 8);
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 3u * 8 + 8);
  EXPECT_EQ(ev.count(Event::SramReadBit), 3u * 8 * 4 + 8 * kV);
  EXPECT_EQ(ev.count(Event::AccumulateShift), 8u);
}

TEST(AccumulateUnit, PvAddsAValueRowPerProbabilitySpike) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  // 5 spikes x ceil(6/4) + ceil((8 + 6)/4).
  EXPECT_EQ(pv_job(p, 5, 8, 6, ev), 10 + 4);
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 5u * 6 + 8 + 6);
  EXPECT_EQ(ev.count(Event::SramReadBit), 5u * 6 * 4);
}

TEST(AccumulateUnit, ResidualAndInt8Layer) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(residual_job(p, 6, ev), 3); // 12 aligned adds over 4 lanes
  EXPECT_EQ(ev.count(Event::AccumulateShift), 12u);
  EXPECT_EQ(ev.count(Event::SramReadBit), 6 * kV);
  energy::EnergyCounters il;
  // 7 input spikes x ceil(3/4) + ceil(6/4): 7 + 2.
  EXPECT_EQ(int_linear_job(p, 7, 3, il), 9);
  EXPECT_EQ(il.count(Event::AccumulateAdd), 7u * 3 + 6);
  EXPECT_EQ(il.count(Event::SramReadBit), 7u * 3 * 8);
}

TEST(NeuronUnit, FireMultiplyAndDenseLayer) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(fire_job(p, 5, 11, ev), 3); // ceil(5/2)
  EXPECT_EQ(ev.count(Event::NeuronUpdate), 5u);
  EXPECT_EQ(ev.count(Event::NeuronSpike), 11u);
  energy::EnergyCounters mul;
  EXPECT_EQ(multiply_job(p, 9, mul), 5);
  EXPECT_EQ(mul.count(Event::NeuronMultiply), 9u);
  energy::EnergyCounters dense;
  // 3 inputs x ceil(5/2) multiplies + ceil(5/4) bias adds.
  EXPECT_EQ(dense_linear_job(p, 3, 5, dense), 3 * 3 + 2);
  EXPECT_EQ(dense.count(Event::NeuronMultiply), 15u);
  EXPECT_EQ(dense.count(Event::SramReadBit), 15u * 32);
}

TEST(PtSoftmaxUnit, TwoPassesPlusLatency) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(ptsoftmax_job(p, 7, 4, ev), 2 * 3 + 5);
  EXPECT_EQ(ev.count(Event::PtsoftmaxCompare), 7u);
  EXPECT_EQ(ev.count(Event::PtsoftmaxShift), 14u);
  EXPECT_EQ(ev.count(Event::PtsoftmaxAdd), 7u);
  EXPECT_EQ(ev.count(Event::NeuronSpike), 4u);
  EXPECT_EQ(ev.count(Event::SramWriteBit), 7 * kV);
}

TEST(BspnUnit, TwoPassesPlusLatency) {
  const UnitParams p = params();
  energy::EnergyCounters ev;
  EXPECT_EQ(bspn_job(p, 5, ev), 2 * 3 + 7);
  EXPECT_EQ(ev.count(Event::BspnAdd), 10u);
  EXPECT_EQ(ev.count(Event::BspnShift), 10u);
  EXPECT_EQ(ev.count(Event::BspnCompare), 5u);
}

TEST(ScratchSram, CountsBits) {
  energy::EnergyCounters ev;
  sram_read(ev, 7);
  sram_write(ev, 9);
  EXPECT_EQ(ev.count(Event::SramReadBit), 7u);
  EXPECT_EQ(ev.count(Event::SramWriteBit), 9u);
  EXPECT_EQ(value_bits(3), 3 * kV);
}

TEST(MinCycles, UnitsOfTaskKinds) {
  EXPECT_EQ(unit_of(mapping::TaskKind::Fire), CoreUnit::Neuron);
  EXPECT_EQ(unit_of(mapping::TaskKind::PtSoftmax), CoreUnit::PtSoftmax);
  EXPECT_EQ(unit_of(mapping::TaskKind::Bspn), CoreUnit::Bspn);
  EXPECT_EQ(unit_of(mapping::TaskKind::XbarTile), CoreUnit::Accumulate);
  EXPECT_EQ(unit_of(mapping::TaskKind::QkMatmul), CoreUnit::Accumulate);
}

} // namespace
} // namespace granita::hw
