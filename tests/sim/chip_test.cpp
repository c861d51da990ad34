// SPDX-License-Identifier: Apache-2.0
// The cycle-accurate chip against independently derived quantities. Each TEST elaborates its
// own SystemC model, so CTest runs every TEST in a separate process (gtest_discover_tests).
#include "compiler/compile.h"
#include "sim/chip/noc_bench.h"
#include "sim/run/simulator.h"
#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

using namespace granita;

namespace {

model::SorbetModel tiny_model(uint64_t seed) {
  model::SyntheticSpec spec;
  spec.arch.layers = 2;
  spec.arch.hidden = 32;
  spec.arch.heads = 2;
  spec.arch.ffn = 64;
  spec.arch.max_seq_len = 12;
  spec.arch.vocab_size = 100;
  spec.arch.type_vocab_size = 2;
  spec.seed = seed;
  return model::make_synthetic_model(spec);
}

config::HwConfig small_chip(const std::string &encoding) {
  config::HwConfig hw;
  hw.name = "test";
  hw.mesh_x = 5;
  hw.mesh_y = 5;
  hw.crossbar_rows = 16; // 32-wide matrices split into 2 row blocks: partial sums are reduced
  hw.crossbar_cols = 16;
  hw.crossbars_per_core = 4;
  hw.accumulate_lanes = 8;
  hw.scratch_sram_kib = 64;
  hw.router_virtual_channels = 2;
  hw.router_buffer_depth_flits = 2;
  hw.flit_bits = 32;
  hw.encoding = encoding;
  return hw;
}

std::vector<int32_t> sentence(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> ids{2};
  for (int i = 1; i < n; ++i)
    ids.push_back(int32_t(3 + rng() % 90));
  return ids;
}

/// A synthetic SNN (no attention): 40 inputs, hidden layers of 24 and 20 neurons (both split
/// over 16-row crossbars, so partial sums are reduced), inputs spiking at 0.2 per step.
model::SorbetModel tiny_snn(uint64_t seed) {
  model::SyntheticSnnSpec spec;
  spec.sizes = {40, 24, 20};
  spec.input_rate = 0.2;
  spec.max_seq_len = 12;
  spec.vocab_size = 100;
  spec.seed = seed;
  return model::make_synthetic_snn(spec);
}

void expect_identity(const std::string &encoding, const model::SorbetModel &m = tiny_model(7)) {
  const config::HwConfig hw = small_chip(encoding);
  const compiler::CompileResult cr = compiler::compile(m, hw);
  ASSERT_TRUE(cr.mapping) << compiler::format_diagnostics(cr.diagnostics);
  sim::Simulator sim(m, hw, *cr.mapping);
  const std::vector<int32_t> ids = sentence(9, 3), types(9, 0);
  const sim::SentenceRun r = sim.run(ids, types);
  const ref::Reference reference(m);
  const ref::ReferenceResult want = reference.run(ids, types, true);
  EXPECT_EQ(r.logits, want.logits);

  // Expected counts from the reference's spike counts alone. A crossbar input spike (rate) or
  // set bit (bit-serial) activates one word line in each column block of its weight matrix and
  // makes one synaptic accumulate per column: synops = Σ events × out_features. Signed rate
  // coding sends a signed level c as |c − o| spikes (o = the producer's offset, 0 unsigned).
  const bool is_signed = encoding == "signed_rate";
  auto magnitude = [&](int64_t c, int o) { return uint64_t(is_signed ? std::abs(c - o) : c); };
  uint64_t synops = 0, row_reads = 0, spikes = 0, signed_inputs = 0;
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const model::Op &op = m.ops[i];
    if (op.type == model::OpType::Fire || op.type == model::OpType::PtSoftmax)
      for (int64_t c : want.outputs[i].v)
        spikes += magnitude(c, op.offset);
    if (op.type != model::OpType::BinaryLinear)
      continue;
    signed_inputs += op.in_offset != 0;
    uint64_t events = 0;
    for (int64_t c : want.outputs[size_t(op.inputs[0])].v)
      events += encoding == "bitserial" ? uint64_t(__builtin_popcountll(uint64_t(c)))
                                        : magnitude(c, op.in_offset);
    synops += events * uint64_t(op.features);
    row_reads += events * uint64_t((op.features + hw.crossbar_cols - 1) / hw.crossbar_cols);
  }
  uint64_t got_synops = 0, got_rows = 0, got_spikes = 0;
  for (const auto &c : r.task_events) {
    got_synops += c.count(energy::Event::AccumulateSynop);
    got_rows += c.count(energy::Event::CrossbarRowRead);
    got_spikes += c.count(energy::Event::NeuronSpike);
  }
  EXPECT_GT(synops, 0u); // the model is not silent: the checks below can fail
  EXPECT_EQ(got_synops, synops);
  EXPECT_EQ(got_rows, row_reads);
  // In a Sorbet model both kinds of input occur, so both spike counts were exercised: Q, K, V,
  // attention output and FFN-up of each layer and the pooler's dense layer take signed inputs,
  // FFN-down the (unsigned) ReLU output. A synthetic SNN's inputs are all unsigned.
  const bool sorbet = m.find_op("pool.dense") >= 0;
  EXPECT_EQ(signed_inputs, sorbet ? uint64_t(5 * m.arch.layers + 1) : 0u);
  // Fire ops after select_cls see one token in both; every other fire op sees n tokens.
  EXPECT_EQ(got_spikes, spikes);
  EXPECT_GT(r.cycles, 0u);
  // Leakage: one count per powered core per cycle of the sentence and of its drain (the chip is
  // powered until it has drained and the next sentence starts).
  EXPECT_EQ(r.chip_events.count(energy::Event::CoreLeakCycle),
            (r.cycles + r.drain_cycles) * uint64_t(sim.chip().cores_powered()));
}

} // namespace

TEST(Chip, EnergyIdentityRateCoding) { expect_identity("rate"); }
TEST(Chip, EnergyIdentityBitSerial) { expect_identity("bitserial"); }
TEST(Chip, EnergyIdentitySignedRate) { expect_identity("signed_rate"); }
TEST(Chip, SyntheticSnnBitExactRateCoding) { expect_identity("rate", tiny_snn(5)); }
TEST(Chip, SyntheticSnnBitExactBitSerial) { expect_identity("bitserial", tiny_snn(6)); }
TEST(Chip, SyntheticSnnBitExactSignedRate) { expect_identity("signed_rate", tiny_snn(8)); }

TEST(Chip, StallIsAnErrorNamingTheWaitingTask) {
  const model::SorbetModel m = tiny_model(11);
  const config::HwConfig hw = small_chip("rate");
  const compiler::CompileResult cr = compiler::compile(m, hw);
  ASSERT_TRUE(cr.mapping);
  mapping::Mapping broken = *cr.mapping;
  // Drop every flow into the classifier: its input never arrives, so the chip must report a
  // stall (the verifier rejects this mapping; the simulator must still never hang).
  std::vector<mapping::Flow> kept;
  for (const auto &f : broken.flows)
    if (broken.tasks[size_t(f.dst)].kind != mapping::TaskKind::IntLinear)
      kept.push_back(f);
  ASSERT_LT(kept.size(), broken.flows.size());
  broken.flows = kept;
  for (size_t i = 0; i < broken.flows.size(); ++i)
    broken.flows[i].id = int(i);
  EXPECT_FALSE(mapping::verify(broken, m, hw).empty());
  sim::Simulator sim(m, hw, broken, 1000);
  const std::vector<int32_t> ids = sentence(5, 1), types(5, 0);
  try {
    sim.run(ids, types);
    FAIL() << "a chip without the classifier's input finished";
  } catch (const granita::InputError &e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("stalled"), std::string::npos) << msg;
    EXPECT_NE(msg.find("classifier"), std::string::npos) << msg;
  }
}

TEST(Noc, EveryPacketDeliveredExactlyOnceUnderLoad) {
  config::HwConfig hw = small_chip("rate");
  hw.mesh_x = 4;
  hw.mesh_y = 4;
  sim::NocBench bench("noc", hw, "transpose", 0.3, 4, 3000, 5);
  const sim::NocResult r = bench.run();
  EXPECT_GT(r.injected_packets, 100u);
  EXPECT_EQ(r.delivered_packets, r.injected_packets);
  EXPECT_EQ(r.duplicate_packets, 0u);
}

TEST(Noc, LowLoadLatencyIsTheZeroLoadLatency) {
  config::HwConfig hw = small_chip("rate");
  hw.mesh_x = 4;
  hw.mesh_y = 4;
  hw.hop_latency_cycles = 3;
  // Buffers deeper than the credit round trip (3 + 1 cycles), so body flits stream one per cycle.
  hw.router_buffer_depth_flits = 8;
  sim::NocBench bench("noc", hw, "uniform", 0.005, 4, 20000, 9);
  const sim::NocResult r = bench.run();
  EXPECT_EQ(r.delivered_packets, r.injected_packets);
  // Zero-load: mean hops x 3 + 2 local links + 3 body flits; contention at 0.5% load is rare,
  // and a packet can never be faster than its hops allow.
  EXPECT_GE(r.mean_latency_cycles, r.zero_load_latency_cycles - 1.0);
  EXPECT_LE(r.mean_latency_cycles, r.zero_load_latency_cycles * 1.1);
}
