// SPDX-License-Identifier: Apache-2.0
// Mapping YAML writer and reader (docs/mapping-format.md).
#include "src/config/yaml_reader.h"
#include "src/mapping/mapping.h"
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace granita::mapping {

namespace {

std::string core_str(int core) { return core == kHostCore ? "host" : std::to_string(core); }

/// A YAML scalar that reads back as exactly `s`: single-quoted ('' stands for '), or
/// double-quoted with escapes if `s` holds control characters, which single quotes cannot carry.
std::string quoted(const std::string &s) {
  const bool control = std::any_of(
      s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  std::string out(1, control ? '"' : '\'');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!control) {
      out += c;
      if (c == '\'')
        out += c;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + (control ? '"' : '\'');
}

void write_summary(std::ostringstream &os, const Summary &s) {
  os << "summary:\n"
     << "  cores_used: " << s.cores_used << "\n"
     << "  cores_available: " << s.cores_available << "\n"
     << "  tiles: " << s.tiles << "\n"
     << "  crossbar_utilization: " << s.crossbar_utilization << "\n"
     << "  max_sram_bits: " << s.max_sram_bits << "\n"
     << "  max_link_bits_per_sentence: " << s.max_link_bits << "\n"
     << "  traffic_bit_hops: " << s.traffic_bit_hops << "\n"
     << "  traffic_lower_bound_bit_hops: " << s.traffic_lower_bound << "\n"
     << "  cycles_lower_bound: " << s.cycles_lower_bound << "\n"
     << "  dense_synops: " << s.dense_synops << "\n";
}

} // namespace

std::string to_yaml(const Mapping &m) {
  std::ostringstream os;
  os.precision(6);
  os << "# Granita mapping (docs/mapping-format.md). Written by `granita compile`.\n"
     << "version: " << m.version << "\n"
     << "model: {name: " << quoted(m.model_name) << ", sha256: " << quoted(m.model_sha256) << "}\n"
     << "chip:\n"
     << "  name: " << quoted(m.hw_name) << "\n"
     << "  mesh: {x: " << m.mesh_x << ", y: " << m.mesh_y << "}\n"
     << "  crossbar: {rows: " << m.crossbar_rows << ", cols: " << m.crossbar_cols
     << ", count: " << m.crossbars_per_core << "}\n"
     << "  scratch_sram_bits: " << m.scratch_sram_bits << "\n"
     << "  encoding: " << m.encoding << "\n"
     << "max_seq_len: " << m.max_seq_len << "\n";
  write_summary(os, m.summary);
  os << "tasks:\n";
  for (const Task &t : m.tasks) {
    os << "  - {id: " << t.id << ", name: " << quoted(t.name)
       << ", kind: " << task_kind_name(t.kind) << ", op: " << t.op << ", core: " << core_str(t.core)
       << ", out: [" << t.lo << ", " << t.hi << "]";
    if (t.kind == TaskKind::XbarTile)
      os << ", crossbar: " << t.crossbar << ", rows: [" << t.row0 << ", " << t.row1
         << "], cols: [" << t.col0 << ", " << t.col1 << "], block: [" << t.row_block << ", "
         << t.col_block << "]";
    if (t.kind == TaskKind::PsumReduce)
      os << ", row_blocks: " << t.row_blocks;
    if (t.head >= 0)
      os << ", head: " << t.head;
    if (!t.per_token)
      os << ", per_token: false";
    os << ", sram_bits: " << t.sram_bits << ", stage: " << t.stage << ", inputs: [";
    for (size_t i = 0; i < t.inputs.size(); ++i)
      os << (i ? ", " : "") << "[" << t.inputs[i].op << ", " << t.inputs[i].lo << ", "
         << t.inputs[i].hi << "]";
    os << "]}\n";
  }
  os << "flows:\n";
  for (const Flow &f : m.flows) {
    os << "  - {id: " << f.id << ", src: " << f.src << ", dst: " << f.dst << ", slot: " << f.slot
       << ", range: [" << f.lo << ", " << f.hi << "], payload: "
       << (f.payload == Payload::Spikes ? "spikes" : "values") << ", elem_bits: " << f.elem_bits
       << ", elements: " << f.elements;
    if (f.seq_elements)
      os << ", seq_elements: true";
    os << ", bits_per_sentence: " << f.bits_per_sentence << ", route: [";
    for (size_t i = 0; i < f.route.size(); ++i)
      os << (i ? ", " : "") << core_str(f.route[i]);
    os << "]}\n";
  }
  os << "links:\n";
  for (const LinkLoad &l : m.links)
    os << "  - {from: " << core_str(l.from) << ", to: " << core_str(l.to)
       << ", bits_per_sentence: " << l.bits_per_sentence << "}\n";
  os << "cores:\n";
  for (const CoreUse &c : m.cores)
    os << "  - {core: " << c.core << ", crossbars: " << c.crossbars_used
       << ", sram_bits: " << c.sram_bits << ", tasks: " << c.tasks << "}\n";
  return os.str();
}

namespace {

using config::YamlMap;

int parse_core(const YAML::Node &n, const YamlMap &ctx, const std::string &what, int cores) {
  if (n.IsScalar() && n.Scalar() == "host")
    return kHostCore;
  return int(config::scalar_int(n, ctx, what, 0, cores - 1));
}

/// A flow-style [a, b] pair of integers.
std::pair<int, int> parse_pair(YamlMap &map, const std::string &key, int64_t lo, int64_t hi) {
  YAML::Node n = map.get_node(key);
  if (!n.IsSequence() || n.size() != 2)
    throw InputError(map.location(n), map.key_path(key), "expected a pair [a, b]");
  const int a = int(config::scalar_int(n[0], map, map.key_path(key) + "[0]", lo, hi));
  const int b = int(config::scalar_int(n[1], map, map.key_path(key) + "[1]", lo, hi));
  return {a, b};
}

} // namespace

Mapping parse_mapping(const std::string &text, const std::string &file) {
  // One non-empty UTF-8 document without NUL bytes (the shared checked loader).
  const YAML::Node root = config::load_yaml_document(text, file);
  if (!root.IsMap())
    throw InputError({file}, "", "expected a YAML mapping (a Granita mapping file)");
  YamlMap top(root, file, "");
  Mapping m;
  const int64_t version = top.get_int("version", 0, 1 << 30);
  if (version != kMappingVersion)
    top.fail("version", "unsupported mapping version " + std::to_string(version) +
                            " (this Granita reads " + std::to_string(kMappingVersion) + ")");
  m.version = int(version);
  {
    YamlMap model = top.get_map("model");
    m.model_name = model.get_string("name");
    m.model_sha256 = model.get_string("sha256", "");
    model.finish();
  }
  {
    YamlMap chip = top.get_map("chip");
    m.hw_name = chip.get_string("name");
    YamlMap mesh = chip.get_map("mesh");
    m.mesh_x = int(mesh.get_int("x", 1, 1024));
    m.mesh_y = int(mesh.get_int("y", 1, 1024));
    mesh.finish();
    YamlMap xbar = chip.get_map("crossbar");
    m.crossbar_rows = int(xbar.get_int("rows", 1, 1 << 16));
    m.crossbar_cols = int(xbar.get_int("cols", 1, 1 << 16));
    m.crossbars_per_core = int(xbar.get_int("count", 1, 1024));
    xbar.finish();
    m.scratch_sram_bits = chip.get_int("scratch_sram_bits", 1, int64_t(1) << 40);
    m.encoding = chip.get_enum("encoding", {"rate", "bitserial", "signed_rate"});
    chip.finish();
  }
  m.max_seq_len = int(top.get_int("max_seq_len", 1, 1 << 16));
  const int cores = m.mesh_x * m.mesh_y;
  {
    YamlMap s = top.get_map("summary");
    const int64_t big = int64_t(1) << 62;
    m.summary.cores_used = int(s.get_int("cores_used", 0, cores));
    m.summary.cores_available = int(s.get_int("cores_available", 0, 1 << 20));
    m.summary.tiles = int(s.get_int("tiles", 0, 1 << 30));
    m.summary.crossbar_utilization = s.get_double("crossbar_utilization", 0, 1);
    m.summary.max_sram_bits = s.get_int("max_sram_bits", 0, big);
    m.summary.max_link_bits = s.get_int("max_link_bits_per_sentence", 0, big);
    m.summary.traffic_bit_hops = s.get_int("traffic_bit_hops", 0, big);
    m.summary.traffic_lower_bound = s.get_int("traffic_lower_bound_bit_hops", 0, big);
    m.summary.cycles_lower_bound = s.get_int("cycles_lower_bound", 0, big);
    m.summary.dense_synops = s.get_int("dense_synops", 0, big);
    s.finish();
  }
  const YAML::Node tasks = top.get_node("tasks");
  if (!tasks.IsSequence())
    throw InputError(top.location(tasks), "tasks", "expected a list of tasks");
  const int kMaxUnits = 1 << 24;
  for (size_t i = 0; i < tasks.size(); ++i) {
    YamlMap t(tasks[i], file, "tasks[" + std::to_string(i) + "]");
    Task task;
    task.id = int(t.get_int("id", 0, 1 << 30));
    if (task.id != int(i))
      t.fail("id", "expected id " + std::to_string(i) + " (tasks are numbered in order)");
    task.name = t.get_string("name");
    const std::string kind = t.get_string("kind");
    if (!parse_task_kind(kind, task.kind))
      t.fail("kind", "unknown task kind '" + kind + "'");
    task.op = int(t.get_int("op", -1, kMaxUnits));
    task.core = parse_core(t.get_node("core"), t, t.key_path("core"), cores);
    std::tie(task.lo, task.hi) = parse_pair(t, "out", 0, kMaxUnits);
    if (task.kind == TaskKind::XbarTile) {
      task.crossbar = int(t.get_int("crossbar", 0, m.crossbars_per_core - 1));
      std::tie(task.row0, task.row1) = parse_pair(t, "rows", 0, kMaxUnits);
      std::tie(task.col0, task.col1) = parse_pair(t, "cols", 0, kMaxUnits);
      std::tie(task.row_block, task.col_block) = parse_pair(t, "block", 0, kMaxUnits);
    }
    if (task.kind == TaskKind::PsumReduce)
      task.row_blocks = int(t.get_int("row_blocks", 1, kMaxUnits));
    task.head = int(t.get_int("head", 0, kMaxUnits, -1));
    task.per_token = t.get_bool("per_token", true);
    task.sram_bits = t.get_int("sram_bits", 0, int64_t(1) << 50);
    task.stage = int(t.get_int("stage", 0, 1 << 30));
    const YAML::Node inputs = t.get_node("inputs");
    if (!inputs.IsSequence())
      throw InputError(t.location(inputs), t.key_path("inputs"), "expected a list of [op, lo, hi]");
    for (size_t j = 0; j < inputs.size(); ++j) {
      const std::string what = t.key_path("inputs") + "[" + std::to_string(j) + "]";
      const YAML::Node in = inputs[j];
      if (!in.IsSequence() || in.size() != 3)
        throw InputError(t.location(in), what, "expected [op, lo, hi]");
      TaskInput ti;
      ti.op = int(config::scalar_int(in[0], t, what, -1, kMaxUnits));
      ti.lo = int(config::scalar_int(in[1], t, what, 0, kMaxUnits));
      ti.hi = int(config::scalar_int(in[2], t, what, 0, kMaxUnits));
      task.inputs.push_back(ti);
    }
    t.finish();
    m.tasks.push_back(std::move(task));
  }
  const int ntasks = int(m.tasks.size());
  const YAML::Node flows = top.get_node("flows");
  if (!flows.IsSequence())
    throw InputError(top.location(flows), "flows", "expected a list of flows");
  for (size_t i = 0; i < flows.size(); ++i) {
    YamlMap f(flows[i], file, "flows[" + std::to_string(i) + "]");
    Flow flow;
    flow.id = int(f.get_int("id", 0, 1 << 30));
    if (flow.id != int(i))
      f.fail("id", "expected id " + std::to_string(i) + " (flows are numbered in order)");
    if (ntasks == 0)
      f.fail("src", "flow without tasks");
    flow.src = int(f.get_int("src", 0, ntasks - 1));
    flow.dst = int(f.get_int("dst", 0, ntasks - 1));
    flow.slot = int(f.get_int("slot", 0, 64));
    std::tie(flow.lo, flow.hi) = parse_pair(f, "range", 0, kMaxUnits);
    flow.payload = f.get_enum("payload", {"spikes", "values"}) == "spikes" ? Payload::Spikes
                                                                           : Payload::Values;
    flow.elem_bits = int(f.get_int("elem_bits", 1, 64));
    flow.elements = int(f.get_int("elements", 1, kMaxUnits));
    flow.seq_elements = f.get_bool("seq_elements", false);
    flow.bits_per_sentence = f.get_int("bits_per_sentence", 0, int64_t(1) << 60);
    const YAML::Node route = f.get_node("route");
    if (!route.IsSequence() || route.size() == 0)
      throw InputError(f.location(route), f.key_path("route"), "expected a list of cores");
    for (size_t j = 0; j < route.size(); ++j)
      flow.route.push_back(
          parse_core(route[j], f, f.key_path("route") + "[" + std::to_string(j) + "]", cores));
    f.finish();
    m.flows.push_back(std::move(flow));
  }
  const YAML::Node links = top.get_node("links");
  if (!links.IsSequence())
    throw InputError(top.location(links), "links", "expected a list");
  for (size_t i = 0; i < links.size(); ++i) {
    YamlMap l(links[i], file, "links[" + std::to_string(i) + "]");
    LinkLoad ll;
    ll.from = parse_core(l.get_node("from"), l, l.key_path("from"), cores);
    ll.to = parse_core(l.get_node("to"), l, l.key_path("to"), cores);
    ll.bits_per_sentence = l.get_int("bits_per_sentence", 0, int64_t(1) << 60);
    l.finish();
    m.links.push_back(ll);
  }
  const YAML::Node cu = top.get_node("cores");
  if (!cu.IsSequence())
    throw InputError(top.location(cu), "cores", "expected a list");
  for (size_t i = 0; i < cu.size(); ++i) {
    YamlMap c(cu[i], file, "cores[" + std::to_string(i) + "]");
    CoreUse u;
    u.core = int(c.get_int("core", 0, cores - 1));
    u.crossbars_used = int(c.get_int("crossbars", 0, m.crossbars_per_core));
    u.sram_bits = c.get_int("sram_bits", 0, int64_t(1) << 50);
    u.tasks = int(c.get_int("tasks", 0, 1 << 30));
    c.finish();
    m.cores.push_back(u);
  }
  top.finish();
  return m;
}

Mapping load_mapping(const std::filesystem::path &path) {
  return parse_mapping(read_file(path, size_t(1) << 30), path.string());
}

} // namespace granita::mapping
