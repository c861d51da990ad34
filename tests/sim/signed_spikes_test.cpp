// SPDX-License-Identifier: Apache-2.0
// Signed rate coding (`encoding: signed_rate`, docs/chip.md) on hand-derived cases: the spike
// events of the units and the packets the network interface sends for one message. The full
// chip's counts and logits are checked in chip_test.cpp (EnergyIdentitySignedRate).
#include "compiler/compile.h"
#include "hwmodels/noc/network_interface.h"
#include "hwmodels/units/accumulate.h"
#include "hwmodels/units/bspn.h"
#include "hwmodels/units/crossbar.h"
#include "hwmodels/units/neuron.h"
#include "hwmodels/units/ptsoftmax.h"
#include "src/model/synthetic_model.h"

#include <gtest/gtest.h>

#include <vector>

using namespace granita;
using energy::Event;

namespace {

model::SorbetModel tiny_model() {
  model::SyntheticSpec spec;
  spec.arch.layers = 1;
  spec.arch.hidden = 32;
  spec.arch.heads = 2;
  spec.arch.ffn = 64;
  spec.arch.max_seq_len = 8;
  spec.arch.vocab_size = 50;
  spec.arch.type_vocab_size = 2;
  spec.seed = 3;
  return model::make_synthetic_model(spec);
}

config::HwConfig chip(const std::string &encoding) {
  config::HwConfig hw;
  hw.name = "test";
  hw.mesh_x = 4;
  hw.mesh_y = 4;
  hw.crossbar_rows = 64;
  hw.crossbar_cols = 64;
  hw.scratch_sram_kib = 64;
  hw.flit_bits = 32;
  hw.encoding = encoding;
  return hw;
}

/// Packets one message of `values` makes on the first flow from a fire op with the given
/// offset into a crossbar tile (every packet is a header flit plus ⌈elements / 32⌉ flits).
struct Sent {
  size_t packets = 0;
  int64_t bits_per_sentence = 0, elements = 0;
};
Sent send(const std::string &encoding, int offset, const std::vector<int64_t> &head) {
  const model::SorbetModel m = tiny_model();
  const config::HwConfig hw = chip(encoding);
  const compiler::CompileResult cr = compiler::compile(m, hw);
  EXPECT_TRUE(cr.mapping) << compiler::format_diagnostics(cr.diagnostics);
  const mapping::Mapping &mp = *cr.mapping;
  const hw::Program prog(m, mp);
  for (const mapping::Flow &f : mp.flows) {
    const mapping::Task &src = mp.tasks[size_t(f.src)], &dst = mp.tasks[size_t(f.dst)];
    if (src.op < 0 || m.ops[size_t(src.op)].type != model::OpType::Fire ||
        m.ops[size_t(src.op)].offset != offset || dst.kind != mapping::TaskKind::XbarTile)
      continue;
    // The rest of the message is level `offset` (zero of a signed site, 0 of an unsigned one).
    std::vector<int64_t> values(size_t(f.hi - f.lo), offset);
    std::copy(head.begin(), head.end(), values.begin());
    hw::PacketPool pool;
    hw::EnergyLedger ledger(mp.tasks.size());
    hw::NetworkInterface ni(prog, pool, ledger, hw.flit_bits, 1, hw.mesh_x);
    ni.send(f.id, 0, values.data(), int(values.size()), 0);
    const size_t per_packet = 1 + (values.size() + 31) / 32;
    EXPECT_EQ(ni.queued_flits() % per_packet, 0u);
    return {ni.queued_flits() / per_packet, f.bits_per_sentence, f.elements};
  }
  ADD_FAILURE() << "no flow from a fire op with offset " << offset << " into a crossbar";
  return {};
}

} // namespace

TEST(SignedSpikes, SpikeEventsAreMagnitudes) {
  // Levels of a signed site (offset 8): 8 stands for 0, 5 for −3, 11 for +3, 15 for +7, 0 for −8.
  const int64_t c[] = {8, 5, 8, 11, 15, 0};
  EXPECT_EQ(hw::spike_events(c, 6, true, 8), 0 + 3 + 0 + 3 + 7 + 8);
  // Plain rate coding sends every level as level spikes (a zero costs 8).
  EXPECT_EQ(hw::spike_events(c, 6, true, 0), 8 + 5 + 8 + 11 + 15 + 0);
  const int64_t zero[] = {8};
  EXPECT_EQ(hw::spike_events(zero, 1, true, 8), 0);
}

TEST(SignedSpikes, CrossbarJobNeedsNoOffsetPass) {
  hw::UnitParams p;
  p.accumulate_lanes = 8;
  p.signed_spikes = true;
  energy::EnergyCounters ev;
  // 21 signed spikes into a 16-column tile: ⌈16/8⌉ = 2 cycles a row, no correction pass.
  EXPECT_EQ(hw::xbar_job(p, 21, 16, false, ev), 42);
  EXPECT_EQ(ev.count(Event::CrossbarRowRead), 21u);
  EXPECT_EQ(ev.count(Event::AccumulateSynop), 21u * 16u);
  EXPECT_EQ(ev.count(Event::AccumulateAdd), 0u);
  // The same levels in rate coding: 47 spikes, then the −o·Σw pass (16 adds, 2 cycles).
  energy::EnergyCounters rate;
  EXPECT_EQ(hw::xbar_job(p, 47, 16, true, rate), 47 * 2 + 2);
  EXPECT_EQ(rate.count(Event::AccumulateSynop), 47u * 16u);
  EXPECT_EQ(rate.count(Event::AccumulateAdd), 16u);
}

TEST(SignedSpikes, ZeroLevelsSendOnlyTheCarrierPacket) {
  // All zero: no spike, no sign; the message's last packet always goes.
  EXPECT_EQ(send("signed_rate", 8, {}).packets, 1u);
  // Rate coding: level 8 spikes at every odd step of T = 16, 8 packets.
  EXPECT_EQ(send("rate", 8, {}).packets, 8u);
}

TEST(SignedSpikes, MagnitudePlanesPlusOneSignPlane) {
  // Level 5 = −3: 3 spikes, at the steps t where ⌊3(t+1)/16⌋ > ⌊3t/16⌋ (t = 5, 10, 15), plus
  // the sign plane because an element is negative.
  EXPECT_EQ(send("signed_rate", 8, {5}).packets, 4u);
  // Level 11 = +3: the same 3 steps, no sign plane.
  EXPECT_EQ(send("signed_rate", 8, {11}).packets, 3u);
  // Rate: level 5 spikes at t = 3, 6, 9, 12, 15 and level 8 at odd t: {1,3,...,15} ∪ {6, 12}.
  EXPECT_EQ(send("rate", 8, {5}).packets, 10u);
}

TEST(SignedSpikes, UnsignedSitesStayRateCoded) {
  // The ReLU output (offset 0): level 3 is 3 spikes at t = 5, 10, 15 in both codings, no sign.
  EXPECT_EQ(send("signed_rate", 0, {3}).packets, 3u);
  EXPECT_EQ(send("rate", 0, {3}).packets, 3u);
}

TEST(SignedSpikes, CompilerCountsTheSignPlaneInTraffic) {
  // Dense traffic bound per flow: messages × elements × planes (T = 16 time steps; signed
  // sites under signed_rate add the sign plane).
  const Sent s = send("signed_rate", 8, {}), r = send("rate", 8, {});
  const Sent u = send("signed_rate", 0, {});
  EXPECT_EQ(s.bits_per_sentence, 8 * s.elements * 17);
  EXPECT_EQ(r.bits_per_sentence, 8 * r.elements * 16);
  EXPECT_EQ(u.bits_per_sentence, 8 * u.elements * 16);
}
