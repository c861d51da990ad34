// SPDX-License-Identifier: Apache-2.0
// Mapping YAML: writer format, round trip, and parse errors that name file:line:col and the key
// path (STYLE.md section 6).
#include "src/util/error.h"
#include "tests/src/mapping/hand_mapping.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace granita::mapping {
namespace {

using granita::test::input_error_message;
using test::hand_hw;
using test::hand_mapping;
using test::hand_model;

/// `text` with the one occurrence of `from` replaced by `to`.
std::string replace_once(std::string text, const std::string &from, const std::string &to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "'" << from << "' is not unique";
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

/// "file:line:col" of the first `needle` in `text`, plus `skip` characters (1-based).
std::string where(const std::string &text, const std::string &needle, size_t skip = 0) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  const size_t pos = at + skip;
  const size_t line_start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  const size_t col = line_start == std::string::npos ? pos + 1 : pos - line_start;
  const size_t line = 1 + size_t(std::count(text.begin(), text.begin() + long(pos), '\n'));
  return "m.yaml:" + std::to_string(line) + ":" + std::to_string(col);
}

std::string parse_error(const std::string &text) {
  return input_error_message([&] { parse_mapping(text, "m.yaml"); });
}

TEST(MappingYaml, WriterFormat) {
  const std::string y = to_yaml(hand_mapping());
  EXPECT_EQ(y.rfind("# Granita mapping", 0), 0u);
  EXPECT_NE(y.find("\nversion: 1\n"), std::string::npos);
  EXPECT_NE(y.find("\nmodel: {name: 'hand', sha256: ''}\n"), std::string::npos);
  EXPECT_NE(y.find("\n  mesh: {x: 2, y: 2}\n  crossbar: {rows: 2, cols: 2, count: 2}\n"
                   "  scratch_sram_bits: 8192\n  encoding: rate\nmax_seq_len: 2\n"),
            std::string::npos);
  EXPECT_NE(
      y.find("\n  - {id: 2, name: 'lin.tile.r0c0', kind: xbar_tile, op: 2, core: 0, out: [0, 2], "
             "crossbar: 0, rows: [0, 2], cols: [0, 2], block: [0, 0], sram_bits: 0, "
             "stage: 2, inputs: [[1, 0, 2]]}\n"),
      std::string::npos)
      << y;
  EXPECT_NE(
      y.find("\n  - {id: 6, name: 'lin.reduce.c0', kind: psum_reduce, op: 2, core: 0, out: [0, 2], "
             "row_blocks: 2, sram_bits: 128, stage: 3, inputs: [[2, 0, 2], [2, 0, 2]]}\n"),
      std::string::npos);
  EXPECT_NE(
      y.find("\n  - {id: 11, name: 'host.logits', kind: host_out, op: -1, core: host, out: [0, 0], "
             "per_token: false, sram_bits: 0, stage: 7, inputs: [[5, 0, 2]]}\n"),
      std::string::npos);
  EXPECT_NE(y.find("\n  - {id: 13, src: 10, dst: 11, slot: 0, range: [0, 2], payload: values, "
                   "elem_bits: 32, elements: 2, bits_per_sentence: 64, route: [2, 0, host]}\n"),
            std::string::npos);
  EXPECT_NE(y.find("\nlinks:\n  - {from: host, to: 0, bits_per_sentence: 256}\n"),
            std::string::npos);
  EXPECT_NE(y.find("\ncores:\n  - {core: 0, crossbars: 2, sram_bits: 128, tasks: 4}\n"),
            std::string::npos);
  EXPECT_NE(y.find("\n  traffic_bit_hops: 960\n"), std::string::npos);
}

void expect_same(const Mapping &a, const Mapping &b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.model_name, b.model_name);
  EXPECT_EQ(a.model_sha256, b.model_sha256);
  EXPECT_EQ(a.hw_name, b.hw_name);
  EXPECT_EQ(a.mesh_x, b.mesh_x);
  EXPECT_EQ(a.mesh_y, b.mesh_y);
  EXPECT_EQ(a.crossbar_rows, b.crossbar_rows);
  EXPECT_EQ(a.crossbar_cols, b.crossbar_cols);
  EXPECT_EQ(a.crossbars_per_core, b.crossbars_per_core);
  EXPECT_EQ(a.scratch_sram_bits, b.scratch_sram_bits);
  EXPECT_EQ(a.max_seq_len, b.max_seq_len);
  EXPECT_EQ(a.encoding, b.encoding);
  ASSERT_EQ(a.tasks.size(), b.tasks.size());
  for (size_t i = 0; i < a.tasks.size(); ++i) {
    const Task &x = a.tasks[i], &y = b.tasks[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.core, y.core);
    EXPECT_EQ(x.lo, y.lo);
    EXPECT_EQ(x.hi, y.hi);
    if (x.kind == TaskKind::XbarTile) {
      EXPECT_EQ(x.crossbar, y.crossbar);
      EXPECT_EQ(x.row0, y.row0);
      EXPECT_EQ(x.row1, y.row1);
      EXPECT_EQ(x.col0, y.col0);
      EXPECT_EQ(x.col1, y.col1);
      EXPECT_EQ(x.row_block, y.row_block);
      EXPECT_EQ(x.col_block, y.col_block);
    }
    EXPECT_EQ(x.row_blocks, y.row_blocks);
    EXPECT_EQ(x.head, y.head);
    EXPECT_EQ(x.per_token, y.per_token);
    EXPECT_EQ(x.sram_bits, y.sram_bits);
    EXPECT_EQ(x.stage, y.stage);
    EXPECT_EQ(x.inputs, y.inputs);
  }
  ASSERT_EQ(a.flows.size(), b.flows.size());
  for (size_t i = 0; i < a.flows.size(); ++i) {
    const Flow &x = a.flows[i], &y = b.flows[i];
    SCOPED_TRACE("flow " + std::to_string(i));
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.src, y.src);
    EXPECT_EQ(x.dst, y.dst);
    EXPECT_EQ(x.slot, y.slot);
    EXPECT_EQ(x.lo, y.lo);
    EXPECT_EQ(x.hi, y.hi);
    EXPECT_EQ(x.elements, y.elements);
    EXPECT_EQ(x.seq_elements, y.seq_elements);
    EXPECT_EQ(x.payload, y.payload);
    EXPECT_EQ(x.elem_bits, y.elem_bits);
    EXPECT_EQ(x.route, y.route);
    EXPECT_EQ(x.bits_per_sentence, y.bits_per_sentence);
  }
  ASSERT_EQ(a.links.size(), b.links.size());
  for (size_t i = 0; i < a.links.size(); ++i) {
    EXPECT_EQ(a.links[i].from, b.links[i].from);
    EXPECT_EQ(a.links[i].to, b.links[i].to);
    EXPECT_EQ(a.links[i].bits_per_sentence, b.links[i].bits_per_sentence);
  }
  ASSERT_EQ(a.cores.size(), b.cores.size());
  for (size_t i = 0; i < a.cores.size(); ++i) {
    EXPECT_EQ(a.cores[i].core, b.cores[i].core);
    EXPECT_EQ(a.cores[i].crossbars_used, b.cores[i].crossbars_used);
    EXPECT_EQ(a.cores[i].sram_bits, b.cores[i].sram_bits);
    EXPECT_EQ(a.cores[i].tasks, b.cores[i].tasks);
  }
  const Summary &s = a.summary, &t = b.summary;
  EXPECT_EQ(s.cores_used, t.cores_used);
  EXPECT_EQ(s.cores_available, t.cores_available);
  EXPECT_EQ(s.tiles, t.tiles);
  EXPECT_DOUBLE_EQ(s.crossbar_utilization, t.crossbar_utilization);
  EXPECT_EQ(s.max_sram_bits, t.max_sram_bits);
  EXPECT_EQ(s.max_link_bits, t.max_link_bits);
  EXPECT_EQ(s.traffic_bit_hops, t.traffic_bit_hops);
  EXPECT_EQ(s.traffic_lower_bound, t.traffic_lower_bound);
  EXPECT_EQ(s.cycles_lower_bound, t.cycles_lower_bound);
  EXPECT_EQ(s.dense_synops, t.dense_synops);
}

TEST(MappingYaml, RoundTrip) {
  const Mapping m = hand_mapping();
  const std::string text = to_yaml(m);
  const Mapping back = parse_mapping(text, "hand.yaml");
  expect_same(m, back);
  EXPECT_EQ(to_yaml(back), text);
  EXPECT_TRUE(verify(back, hand_model(), hand_hw()).empty());
}

TEST(MappingYaml, RoundTripKeepsOptionalFields) {
  // Fields written only when they differ from their default: head, seq_elements, a fraction.
  Mapping m = hand_mapping();
  m.tasks[8].head = 3;
  m.flows[12].seq_elements = true;
  m.model_sha256 = std::string(64, 'a');
  m.summary.crossbar_utilization = 0.25;
  const Mapping back = parse_mapping(to_yaml(m), "hand.yaml");
  expect_same(m, back);
  EXPECT_EQ(to_yaml(back), to_yaml(m));
}

TEST(MappingYaml, NamesWithQuotesAndControlCharacters) {
  Mapping m = hand_mapping();
  m.hw_name = "Bob's chip";
  m.model_name = "a 'quoted' model";
  m.tasks[1].name = "tab\there \"and\" back\\slash";
  m.tasks[8].name = "new\nline";
  const std::string text = to_yaml(m);
  EXPECT_NE(text.find("  name: 'Bob''s chip'\n"), std::string::npos);
  EXPECT_NE(text.find("name: \"tab\\x09here \\\"and\\\" back\\\\slash\""), std::string::npos)
      << text;
  const Mapping back = parse_mapping(text, "hand.yaml");
  expect_same(m, back);
  EXPECT_EQ(to_yaml(back), text);
}

TEST(MappingYaml, LoadFromFile) {
  granita::test::TempDir dir;
  const auto p = dir.path() / "hand.yaml";
  granita::test::write_file(p, to_yaml(hand_mapping()));
  expect_same(load_mapping(p), hand_mapping());
  granita::test::write_file(p, replace_once(to_yaml(hand_mapping()), "version: 1", "version: 9"));
  EXPECT_NE(input_error_message([&] { load_mapping(p); }).find(p.string() + ":"),
            std::string::npos);
}

TEST(MappingYaml, ParseErrorsNameFileLineAndKeyPath) {
  const std::string y = to_yaml(hand_mapping());
  std::string bad;

  bad = replace_once(y, "version: 1", "version: 2");
  EXPECT_EQ(parse_error(bad),
            where(bad, "version: 2", 9) +
                ": version: unsupported mapping version 2 (this Granita reads 1)");

  bad = replace_once(y, "name: 'in', kind: fire", "name: 'in', kind: fir");
  EXPECT_EQ(parse_error(bad),
            where(bad, "kind: fir,", 6) + ": tasks[1].kind: unknown task kind 'fir'");

  bad = replace_once(y, "route: [0, 1, 3]", "route: [0, 1, 7]");
  EXPECT_EQ(parse_error(bad), where(bad, "route: [0, 1, 7]", 14) +
                                  ": flows[9].route[2]: expected an integer in [0, 3], got 7");

  bad = replace_once(y, "{id: 1, name: 'in',", "{id: 1, stagee: 1, name: 'in',");
  EXPECT_EQ(parse_error(bad),
            where(bad, "stagee") + ": tasks[1].stagee: unknown key (did you mean 'stage'?)");

  bad = replace_once(y, "kind: fire, op: 1,", "kind: fire, op: -2,");
  EXPECT_EQ(parse_error(bad), where(bad, "op: -2", 4) +
                                  ": tasks[1].op: expected an integer in [-1, 16777216], got -2");

  bad = replace_once(y, "{id: 1, name: 'in',", "{id: 5, name: 'in',");
  EXPECT_EQ(parse_error(bad),
            where(bad, "{id: 5", 5) + ": tasks[1].id: expected id 1 (tasks are numbered in order)");

  bad = replace_once(y, "inputs: [[0, 0, 4]]", "inputs: [[0, 4]]");
  EXPECT_EQ(parse_error(bad),
            where(bad, "inputs: [[0, 4]]", 9) + ": tasks[1].inputs[0]: expected [op, lo, hi]");

  bad = replace_once(y, "crossbar: 0, rows: [0, 2], cols: [0, 2]",
                     "crossbar: 2, rows: [0, 2], cols: [0, 2]");
  EXPECT_EQ(parse_error(bad), where(bad, "crossbar: 2", 10) +
                                  ": tasks[2].crossbar: expected an integer in [0, 1], got 2");

  bad = replace_once(y, "crossbar: 0, rows: [0, 2], cols: [0, 2]",
                     "crossbar: 0, rows: [0], cols: [0, 2]");
  EXPECT_EQ(parse_error(bad),
            where(bad, "rows: [0]", 6) + ": tasks[2].rows: expected a pair [a, b]");

  bad = replace_once(y, "src: 10, dst: 11", "src: 10, dst: 12");
  EXPECT_EQ(parse_error(bad),
            where(bad, "dst: 12", 5) + ": flows[13].dst: expected an integer in [0, 11], got 12");

  bad = replace_once(y, "  encoding: rate", "  encoding: spike");
  EXPECT_EQ(parse_error(bad),
            where(bad, "encoding: spike", 10) +
                ": chip.encoding: expected one of rate, bitserial, signed_rate, got 'spike'");

  bad = replace_once(y,
                     "{id: 0, src: 0, dst: 1, slot: 0, range: [0, 4], payload: values, "
                     "elem_bits: 32",
                     "{id: 0, src: 0, dst: 1, slot: 0, range: [0, 4], payload: values, "
                     "elem_bit: 32");
  EXPECT_EQ(parse_error(bad),
            where(bad, "elem_bit: 32") +
                ": flows[0].elem_bits: missing required key (is 'elem_bit' a misspelling of "
                "'elem_bits'?)");

  bad = replace_once(y, "\ntasks:\n", "\ntaskz:\n");
  EXPECT_EQ(parse_error(bad), where(bad, "taskz") +
                                  ": tasks: missing required key (is 'taskz' a misspelling of "
                                  "'tasks'?)");

  bad = replace_once(y, "route: [2, 0, host]}", "route: [2, 0, host]");
  EXPECT_NE(parse_error(bad).find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(parse_error(bad).rfind("m.yaml:", 0), 0u);

  EXPECT_EQ(parse_error("- 1\n- 2\n"), "m.yaml: expected a YAML mapping (a Granita mapping file)");
}

} // namespace
} // namespace granita::mapping
