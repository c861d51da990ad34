// SPDX-License-Identifier: Apache-2.0
// Property: random small models on random chips either compile to a mapping that passes
// mapping::verify (and the independent checks below), or fail with a "does not fit" error.
// Compilation never throws.
#include "tests/compiler/compiler_test_support.h"

#include <cstdlib>
#include <map>
#include <random>
#include <regex>
#include <set>

namespace granita::compiler {
namespace {

using mapping::Task;
using mapping::TaskKind;

struct Case {
  model::SorbetModel model;
  config::HwConfig hw;
  std::string what;
};

Case random_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  model::SyntheticSpec spec;
  const int heads = 1 << pick(0, 2);     // 1, 2, 4
  const int head_size = 1 << pick(1, 4); // 2 .. 16 (a power of two: BSPN groups)
  const int hidden = heads * head_size;
  const int bits = pick(1, 8);
  const int levels = (1 << bits) - 1;
  spec.arch = {pick(1, 2), hidden, heads, hidden << pick(0, 2), pick(1, 32),
               16,         2,      bits,  levels + pick(0, 8)};
  spec.seed = seed;
  spec.labels =
      pick(0, 1) ? std::vector<std::string>{"a", "b"} : std::vector<std::string>{"a", "b", "c"};
  config::HwConfig hw;
  hw.name = "random";
  hw.mesh_x = pick(1, 6);
  hw.mesh_y = pick(1, 6);
  hw.crossbar_rows = pick(4, 64);
  hw.crossbar_cols = pick(4, 64);
  hw.crossbars_per_core = pick(1, 4);
  const int kib[] = {1, 2, 4, 8, 16, 64};
  hw.scratch_sram_kib = kib[pick(0, 5)];
  const char *routing[] = {"xy", "yx", "west_first"};
  hw.routing = routing[pick(0, 2)];
  hw.encoding = pick(0, 1) ? "rate" : "bitserial";
  hw.accumulate_lanes = 1 << pick(0, 6);
  hw.neuron_updates_per_cycle = 1 << pick(0, 4);
  hw.hop_latency_cycles = pick(1, 3);
  Case c{model::make_synthetic_model(spec), hw, ""};
  const auto &a = spec.arch;
  c.what = "seed " + std::to_string(seed) + ": layers " + std::to_string(a.layers) + " hidden " +
           std::to_string(a.hidden) + " heads " + std::to_string(a.heads) + " ffn " +
           std::to_string(a.ffn) + " n " + std::to_string(a.max_seq_len) + " bits " +
           std::to_string(a.bits) + " on " + std::to_string(hw.mesh_x) + "x" +
           std::to_string(hw.mesh_y) + " x " + std::to_string(hw.crossbars_per_core) + " " +
           std::to_string(hw.crossbar_rows) + "x" + std::to_string(hw.crossbar_cols) + ", " +
           std::to_string(hw.scratch_sram_kib) + " KiB, " + hw.routing + ", " + hw.encoding;
  return c;
}

/// Crossbar tiles a model needs: ceil(in / R) x ceil(out / C) per binary linear.
int64_t tiles_needed(const model::SorbetModel &m, const config::HwConfig &hw) {
  int64_t n = 0;
  for (const auto &op : m.ops)
    if (op.type == model::OpType::BinaryLinear)
      n += int64_t((op.in_features + hw.crossbar_rows - 1) / hw.crossbar_rows) *
           ((op.features + hw.crossbar_cols - 1) / hw.crossbar_cols);
  return n;
}

int hops(int a, int b, int mx) {
  const int extra = (a == mapping::kHostCore) + (b == mapping::kHostCore);
  a = std::max(a, 0);
  b = std::max(b, 0);
  return std::abs(a % mx - b % mx) + std::abs(a / mx - b / mx) + extra;
}

void check_mapping(const Case &c, const mapping::Mapping &mp) {
  const auto &hw = c.hw;
  const auto issues = mapping::verify(mp, c.model, hw);
  for (const auto &i : issues)
    ADD_FAILURE() << i.where << ": " << i.message;
  EXPECT_EQ(mp.summary.tiles, tiles_needed(c.model, hw));
  std::set<std::pair<int, int>> slots;
  std::map<int, int64_t> sram;
  std::set<int> used;
  for (const Task &t : mp.tasks) {
    if (t.core < 0)
      continue;
    used.insert(t.core);
    sram[t.core] += t.sram_bits;
    if (t.kind == TaskKind::XbarTile) {
      EXPECT_LE(t.row1 - t.row0, hw.crossbar_rows);
      EXPECT_LE(t.col1 - t.col0, hw.crossbar_cols);
      EXPECT_LT(t.crossbar, hw.crossbars_per_core);
      EXPECT_TRUE(slots.insert({t.core, t.crossbar}).second) << t.name;
    }
  }
  for (const auto &kv : sram)
    EXPECT_LE(kv.second, int64_t(hw.scratch_sram_kib) * 8192) << "core " << kv.first;
  EXPECT_EQ(mp.summary.cores_used, int(used.size()));
  std::map<std::pair<int, int>, int64_t> load;
  for (const auto &f : mp.flows) {
    EXPECT_EQ(int(f.route.size()) - 1,
              hops(mp.tasks[size_t(f.src)].core, mp.tasks[size_t(f.dst)].core, hw.mesh_x));
    for (size_t i = 1; i < f.route.size(); ++i)
      load[{f.route[i - 1], f.route[i]}] += f.bits_per_sentence;
  }
  EXPECT_EQ(mp.links.size(), load.size());
  for (const auto &l : mp.links)
    EXPECT_EQ(l.bits_per_sentence, (load[{l.from, l.to}]));
  EXPECT_GE(mp.summary.traffic_bit_hops, mp.summary.traffic_lower_bound);
  const std::string text = mapping::to_yaml(mp);
  EXPECT_EQ(mapping::to_yaml(mapping::parse_mapping(text, "m.yaml")), text);
}

void check_failure(const Case &c, const CompileResult &r) {
  const std::string e = test::errors(r);
  EXPECT_NE(e.find("error: does not fit"), std::string::npos) << e;
  const int64_t have = int64_t(c.hw.cores()) * c.hw.crossbars_per_core;
  if (e.find("crossbar tiles") != std::string::npos) {
    EXPECT_GT(tiles_needed(c.model, c.hw), have) << e;
  }
  std::smatch sm;
  if (std::regex_search(e, sm, std::regex("that fits is ([0-9]+)x([0-9]+) "))) {
    config::HwConfig big = c.hw;
    big.mesh_x = std::stoi(sm[1]);
    big.mesh_y = std::stoi(sm[2]);
    const CompileResult r2 = compile(c.model, big);
    ASSERT_TRUE(r2.mapping) << "the suggested mesh does not fit either:\n" << test::errors(r2);
    EXPECT_TRUE(mapping::verify(*r2.mapping, c.model, big).empty());
  } else {
    // Only a task too big for any core has no mesh to suggest.
    EXPECT_NE(e.find("no mesh size fixes this"), std::string::npos) << e;
  }
}

TEST(CompileProperty, RandomModelsOnRandomChips) {
  int fits = 0, too_small = 0, no_mesh = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Case c = random_case(seed);
    SCOPED_TRACE(c.what);
    try {
      const CompileResult r = compile(c.model, c.hw); // the default placer, metis
      // The greedy placer maps validly too, and metis maps whatever greedy maps.
      Case cg = c;
      cg.hw.placement = "greedy";
      const CompileResult rg = compile(cg.model, cg.hw);
      if (rg.mapping)
        check_mapping(cg, *rg.mapping);
      if (rg.mapping && !r.mapping)
        ADD_FAILURE() << "metis placement failed where greedy fits:\n" << test::errors(r);
      if (r.mapping) {
        ++fits;
        check_mapping(c, *r.mapping);
      } else {
        ++too_small;
        no_mesh += test::errors(r).find("no mesh size fixes this") != std::string::npos;
        check_failure(c, r);
      }
    } catch (const std::exception &ex) {
      ADD_FAILURE() << "compile threw: " << ex.what();
    }
    if (HasFatalFailure())
      return;
  }
  // Both outcomes must be exercised for the property to mean something.
  EXPECT_GE(fits, 20);
  EXPECT_GE(too_small, 20);
  std::printf("[ property ] %d mapped, %d did not fit (%d with no mesh that fits)\n", fits,
              too_small, no_mesh);
}

} // namespace
} // namespace granita::compiler
