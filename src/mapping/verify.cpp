// SPDX-License-Identifier: Apache-2.0
// The mapping verifier: every rule of docs/mapping-format.md checked on a mapping, for the
// compiler's output and for mappings written by hand (the simulator checks them on load).
#include "src/mapping/mapping.h"

#include "src/util/error.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace granita::mapping {

using model::OpType;

namespace {

bool kind_matches(TaskKind k, OpType t) {
  switch (k) {
  case TaskKind::HostEmbed: return t == OpType::Embedding;
  case TaskKind::Bspn: return t == OpType::Bspn;
  case TaskKind::Fire: return t == OpType::Fire || t == OpType::Requant; // the neuron unit
  case TaskKind::XbarTile:
  case TaskKind::PsumReduce: return t == OpType::BinaryLinear;
  case TaskKind::QkMatmul: return t == OpType::QkScores;
  case TaskKind::PtSoftmax: return t == OpType::PtSoftmax;
  case TaskKind::PvMatmul: return t == OpType::PvMatmul;
  case TaskKind::ResidualAdd: return t == OpType::ResidualAdd;
  case TaskKind::SelectCls: return t == OpType::SelectCls;
  case TaskKind::IntLinear: return t == OpType::IntLinear;
  case TaskKind::HostOut: return false;
  }
  return false;
}

bool adjacent(int a, int b, int mesh_x) {
  if (a == kHostCore || b == kHostCore)
    return (a == kHostCore && b == 0) || (b == kHostCore && a == 0);
  const int dx = std::abs(core_x(a, mesh_x) - core_x(b, mesh_x));
  const int dy = std::abs(core_y(a, mesh_x) - core_y(b, mesh_x));
  return dx + dy == 1;
}

std::string range_str(int lo, int hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + ")";
}

} // namespace

/// Checks that `parts` (sorted in place) tile [lo, hi) exactly; describes the first fault.
std::string check_partition(std::vector<std::pair<int, int>> &parts, int lo, int hi) {
  std::sort(parts.begin(), parts.end());
  int at = lo;
  for (const auto &p : parts) {
    if (p.first > at)
      return "range " + range_str(at, p.first) + " is not covered";
    if (p.first < at)
      return "range " + range_str(p.first, std::min(at, p.second)) + " is covered twice";
    at = p.second;
  }
  if (at < hi)
    return "range " + range_str(at, hi) + " is not covered";
  if (at > hi)
    return "covers " + range_str(hi, at) + " beyond the end " + std::to_string(hi);
  return "";
}

std::vector<Issue> verify(const Mapping &mp, const model::SorbetModel &model,
                          const config::HwConfig &hw) {
  std::vector<Issue> issues;
  auto add = [&](const std::string &where, const std::string &msg) {
    if (issues.size() < 200)
      issues.push_back({where, msg});
  };
  if (mp.mesh_x != hw.mesh_x || mp.mesh_y != hw.mesh_y || mp.crossbar_rows != hw.crossbar_rows ||
      mp.crossbar_cols != hw.crossbar_cols || mp.crossbars_per_core != hw.crossbars_per_core ||
      mp.scratch_sram_bits != int64_t(hw.scratch_sram_kib) * 8192)
    add("chip", "mapping was made for a " + std::to_string(mp.mesh_x) + "x" +
                    std::to_string(mp.mesh_y) + " mesh of " + std::to_string(mp.crossbars_per_core) +
                    " x " + std::to_string(mp.crossbar_rows) + "x" +
                    std::to_string(mp.crossbar_cols) + " crossbars and " +
                    std::to_string(mp.scratch_sram_bits) + " SRAM bits, the chip differs");
  // The chip takes the spike encoding from the mapping (flit sizes and spike events depend on
  // it): a mapping compiled for the other encoding would be reported under the wrong one.
  if (mp.encoding != hw.encoding)
    add("encoding", "mapping was compiled for " + mp.encoding + " coding, the chip uses " +
                        hw.encoding + " (compile again with this hardware config)");
  const std::string ident = model_identity(model);
  if (!mp.model_sha256.empty() && !ident.empty() && mp.model_sha256 != ident)
    add("model", "mapping was compiled for another model.yaml (sha256 " + mp.model_sha256 + ")");
  if (mp.max_seq_len != model.arch.max_seq_len)
    add("max_seq_len", "mapping has " + std::to_string(mp.max_seq_len) + ", the model " +
                           std::to_string(model.arch.max_seq_len));
  if (!issues.empty())
    return issues; // nothing below is meaningful for another chip or model

  const int cores = mp.mesh_x * mp.mesh_y;
  const int nops = int(model.ops.size());
  // Which ops run once per sentence (after select_cls) instead of once per token.
  std::vector<bool> per_token(size_t(nops), true);
  for (int i = 0; i < nops; ++i) {
    const model::Op &op = model.ops[size_t(i)];
    if (op.type == OpType::SelectCls)
      per_token[size_t(i)] = false;
    else
      for (int in : op.inputs)
        if (in >= 0 && !per_token[size_t(in)])
          per_token[size_t(i)] = false;
  }

  std::vector<std::vector<std::pair<int, int>>> produced(static_cast<size_t>(nops));
  std::vector<std::vector<const Task *>> tiles(static_cast<size_t>(nops));
  std::map<std::pair<int, int>, const Task *> slot_owner;
  std::vector<int64_t> sram(size_t(cores), 0);
  int host_out = 0;
  for (size_t i = 0; i < mp.tasks.size(); ++i) {
    const Task &t = mp.tasks[i];
    const std::string w = "task " + std::to_string(i) + " '" + t.name + "'";
    if (t.kind == TaskKind::HostOut) {
      ++host_out;
      if (t.core != kHostCore)
        add(w, "host_out must be on the host");
      if (t.inputs != expected_inputs(t, model))
        add(w, "inputs differ from what a host_out needs");
      continue;
    }
    if (t.op < 0 || t.op >= nops) {
      add(w, "op index " + std::to_string(t.op) + " is not in the model");
      continue;
    }
    const model::Op &op = model.ops[size_t(t.op)];
    if (!kind_matches(t.kind, op.type)) {
      add(w, std::string("a ") + task_kind_name(t.kind) + " task cannot implement " +
                 model::op_type_name(op.type) + " op '" + op.name + "'");
      continue;
    }
    const bool on_host = t.kind == TaskKind::HostEmbed;
    if (on_host != (t.core == kHostCore))
      add(w, on_host ? "must run on the host" : "must run on a core, not the host");
    if (t.core != kHostCore && (t.core < 0 || t.core >= cores)) {
      add(w, "core " + std::to_string(t.core) + " does not exist on a " +
                 std::to_string(mp.mesh_x) + "x" + std::to_string(mp.mesh_y) + " mesh");
      continue;
    }
    const int units = t.kind == TaskKind::XbarTile ? op.features : op_output_units(model, t.op);
    if (t.lo < 0 || t.lo >= t.hi || t.hi > units) {
      add(w, "output slice " + range_str(t.lo, t.hi) + " is outside " + range_str(0, units));
      continue;
    }
    if (t.per_token != per_token[size_t(t.op)])
      add(w, std::string("per_token must be ") + (per_token[size_t(t.op)] ? "true" : "false"));
    if ((t.kind == TaskKind::QkMatmul || t.kind == TaskKind::PtSoftmax ||
         t.kind == TaskKind::PvMatmul) &&
        (t.head < 0 || t.head >= (t.kind == TaskKind::PvMatmul ? op.heads : units)))
      add(w, "head " + std::to_string(t.head) + " is out of range");
    if (t.inputs != expected_inputs(t, model)) {
      add(w, std::string("inputs differ from what a ") + task_kind_name(t.kind) + " of " +
                 range_str(t.lo, t.hi) + " needs");
      continue;
    }
    if (t.sram_bits != task_sram_bits(t, model))
      add(w, "sram_bits " + std::to_string(t.sram_bits) + " should be " +
                 std::to_string(task_sram_bits(t, model)));
    if (t.core != kHostCore)
      sram[size_t(t.core)] += t.sram_bits;
    if (t.kind == TaskKind::XbarTile) {
      if (t.row1 - t.row0 > mp.crossbar_rows || t.col1 - t.col0 > mp.crossbar_cols)
        add(w, "tile of " + std::to_string(t.row1 - t.row0) + "x" + std::to_string(t.col1 - t.col0) +
                   " does not fit a " + std::to_string(mp.crossbar_rows) + "x" +
                   std::to_string(mp.crossbar_cols) + " crossbar");
      if (t.row0 < 0 || t.row0 >= t.row1 || t.row1 > op.in_features || t.lo != t.col0 ||
          t.hi != t.col1)
        add(w, "tile rows " + range_str(t.row0, t.row1) + " cols " + range_str(t.col0, t.col1) +
                   " are not inside the " + std::to_string(op.in_features) + "x" +
                   std::to_string(op.features) + " weight matrix");
      if (t.crossbar < 0 || t.crossbar >= mp.crossbars_per_core)
        add(w, "crossbar " + std::to_string(t.crossbar) + " does not exist");
      const auto key = std::make_pair(t.core, t.crossbar);
      auto it = slot_owner.find(key);
      if (it != slot_owner.end())
        add(w, "overlaps tile '" + it->second->name + "' on core " + std::to_string(t.core) +
                   " crossbar " + std::to_string(t.crossbar));
      else
        slot_owner[key] = &t;
      tiles[size_t(t.op)].push_back(&t);
    } else {
      produced[size_t(t.op)].push_back({t.lo, t.hi});
    }
  }
  if (host_out != 1)
    add("tasks", "expected exactly one host_out task, found " + std::to_string(host_out));

  for (int i = 0; i < nops; ++i) {
    const model::Op &op = model.ops[size_t(i)];
    const std::string w = "op '" + op.name + "'";
    if (produced[size_t(i)].empty()) {
      add(w, "is not mapped to any task");
      continue;
    }
    std::string why = check_partition(produced[size_t(i)], 0, op_output_units(model, i));
    if (!why.empty())
      add(w, "output " + why);
    if (op.type == OpType::BinaryLinear) {
      int64_t area = 0;
      const auto &ts = tiles[size_t(i)];
      for (size_t a = 0; a < ts.size(); ++a) {
        area += int64_t(ts[a]->row1 - ts[a]->row0) * (ts[a]->col1 - ts[a]->col0);
        for (size_t b = a + 1; b < ts.size(); ++b)
          if (ts[a]->row0 < ts[b]->row1 && ts[b]->row0 < ts[a]->row1 &&
              ts[a]->col0 < ts[b]->col1 && ts[b]->col0 < ts[a]->col1)
            add(w, "tiles '" + ts[a]->name + "' and '" + ts[b]->name + "' overlap");
      }
      if (area != int64_t(op.in_features) * op.features)
        add(w, "tiles cover " + std::to_string(area) + " of " +
                   std::to_string(int64_t(op.in_features) * op.features) + " weights");
    }
  }

  for (int c = 0; c < cores; ++c)
    if (sram[size_t(c)] > mp.scratch_sram_bits)
      add("core " + std::to_string(c),
          "needs " + std::to_string(sram[size_t(c)]) + " bits of scratch SRAM, has " +
              std::to_string(mp.scratch_sram_bits) + " (over by " +
              std::to_string(sram[size_t(c)] - mp.scratch_sram_bits) + ")");

  // Flows: every input slot of every task covered exactly once, routes valid.
  std::map<std::pair<int, int>, std::vector<std::pair<int, int>>> cover;
  const int ntasks = int(mp.tasks.size());
  for (const Flow &f : mp.flows) {
    const std::string w = "flow " + std::to_string(f.id);
    if (f.src < 0 || f.src >= ntasks || f.dst < 0 || f.dst >= ntasks) {
      add(w, "names a task that does not exist");
      continue;
    }
    const Task &s = mp.tasks[size_t(f.src)], &d = mp.tasks[size_t(f.dst)];
    if (f.src >= f.dst)
      add(w, "goes from task " + std::to_string(f.src) + " back to task " + std::to_string(f.dst) +
                 " (tasks must be in schedule order)");
    if (f.slot < 0 || size_t(f.slot) >= d.inputs.size()) {
      add(w, "slot " + std::to_string(f.slot) + " does not exist on '" + d.name + "'");
      continue;
    }
    const TaskInput &need = d.inputs[size_t(f.slot)];
    const bool from_tile = d.kind == TaskKind::PsumReduce;
    if (from_tile ? !(s.kind == TaskKind::XbarTile && s.op == d.op && s.row_block == f.slot)
                  : (s.kind == TaskKind::XbarTile || s.kind == TaskKind::HostOut ||
                     s.op != need.op))
      add(w, "source '" + s.name + "' does not produce what slot " + std::to_string(f.slot) +
                 " of '" + d.name + "' consumes");
    if (f.lo < s.lo || f.hi > s.hi || f.lo >= f.hi)
      add(w, "range " + range_str(f.lo, f.hi) + " is not produced by '" + s.name + "' " +
                 range_str(s.lo, s.hi));
    const bool rows = need.op >= 0 && op_units_are_rows(model, need.op) && !from_tile;
    const Payload want = from_tile || need.op < 0 ? Payload::Values : op_payload(model, need.op);
    if (f.payload != want || f.seq_elements != rows ||
        f.elem_bits != (want == Payload::Spikes ? model.arch.bits : kValueBits) ||
        f.elements != (f.hi - f.lo) * (rows ? model.arch.max_seq_len : 1))
      add(w, "payload, element count or element width do not match the producing op");
    cover[{f.dst, f.slot}].push_back({f.lo, f.hi});
    const std::vector<int> want_route = route_path(s.core, d.core, mp.mesh_x, hw.routing);
    bool ok = !f.route.empty() && f.route.front() == s.core && f.route.back() == d.core;
    for (size_t i = 1; ok && i < f.route.size(); ++i)
      ok = adjacent(f.route[i - 1], f.route[i], mp.mesh_x) &&
           (f.route[i] == kHostCore || f.route[i] < cores);
    if (!ok)
      add(w, "route is not a path of neighbouring routers from '" + s.name + "' to '" + d.name +
                 "' (unroutable flow)");
    else if (f.route != want_route)
      add(w, "route differs from the " + hw.routing + " route the routers will take");
  }
  for (const Task &t : mp.tasks)
    for (size_t s = 0; s < t.inputs.size(); ++s) {
      auto it = cover.find({t.id, int(s)});
      std::vector<std::pair<int, int>> parts;
      if (it != cover.end())
        parts = it->second;
      const std::string why = check_partition(parts, t.inputs[s].lo, t.inputs[s].hi);
      if (!why.empty())
        add("task " + std::to_string(t.id) + " '" + t.name + "'",
            "input slot " + std::to_string(s) + ": " + why + " by flows");
    }
  return issues;
}

void verify_or_throw(const Mapping &m, const model::SorbetModel &model,
                     const config::HwConfig &hw, const std::string &file) {
  const std::vector<Issue> issues = verify(m, model, hw);
  if (issues.empty())
    return;
  std::ostringstream os;
  os << "invalid mapping (" << issues.size() << (issues.size() >= 200 ? "+" : "")
     << " problems): ";
  for (size_t i = 0; i < issues.size() && i < 5; ++i)
    os << (i ? "; " : "") << issues[i].where << ": " << issues[i].message;
  throw InputError({file}, "", os.str());
}

} // namespace granita::mapping
