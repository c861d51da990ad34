// SPDX-License-Identifier: Apache-2.0
#include "src/mapping/mapping.h"

#include "src/mapping/routing.h"

#include "src/util/error.h"
#include "src/util/sha256.h"

#include <algorithm>
#include <cstdlib>

namespace granita::mapping {

namespace {

struct KindName {
  TaskKind kind;
  const char *name;
};
constexpr KindName kKindNames[] = {
    {TaskKind::HostEmbed, "host_embed"},   {TaskKind::HostOut, "host_out"},
    {TaskKind::Bspn, "bspn"},              {TaskKind::Fire, "fire"},
    {TaskKind::XbarTile, "xbar_tile"},     {TaskKind::PsumReduce, "psum_reduce"},
    {TaskKind::QkMatmul, "qk_matmul"},     {TaskKind::PtSoftmax, "ptsoftmax"},
    {TaskKind::PvMatmul, "pv_matmul"},     {TaskKind::ResidualAdd, "residual_add"},
    {TaskKind::SelectCls, "select_cls"},   {TaskKind::IntLinear, "int_linear"},
};

} // namespace

const char *task_kind_name(TaskKind k) {
  for (const auto &kn : kKindNames)
    if (kn.kind == k)
      return kn.name;
  return "?";
}

bool parse_task_kind(const std::string &s, TaskKind &out) {
  for (const auto &kn : kKindNames)
    if (s == kn.name) {
      out = kn.kind;
      return true;
    }
  return false;
}

int op_output_units(const model::SorbetModel &m, int op) {
  const model::Op &o = m.ops[size_t(op)];
  if (o.type == model::OpType::QkScores || o.type == model::OpType::PtSoftmax) {
    // Score and probability rows: one unit per head (each unit is a row of n elements).
    const model::Op *p = &o;
    while (p->type != model::OpType::QkScores)
      p = &m.ops[size_t(p->inputs[0])];
    return p->heads;
  }
  return o.features;
}

bool op_units_are_rows(const model::SorbetModel &m, int op) {
  const auto t = m.ops[size_t(op)].type;
  return t == model::OpType::QkScores || t == model::OpType::PtSoftmax;
}

Payload op_payload(const model::SorbetModel &m, int op) {
  return m.ops[size_t(op)].counts ? Payload::Spikes : Payload::Values;
}

std::vector<TaskInput> expected_inputs(const Task &t, const model::SorbetModel &m) {
  if (t.kind == TaskKind::HostOut)
    return {{m.output, 0, op_output_units(m, m.output)}};
  if (t.op < 0 || size_t(t.op) >= m.ops.size())
    return {};
  const model::Op &op = m.ops[size_t(t.op)];
  auto in = [&](size_t i) { return i < op.inputs.size() ? op.inputs[i] : -1; };
  switch (t.kind) {
  case TaskKind::HostEmbed:
  case TaskKind::HostOut:
    return {};
  case TaskKind::Bspn:
  case TaskKind::Fire:
  case TaskKind::SelectCls:
    return {{in(0), t.lo, t.hi}};
  case TaskKind::ResidualAdd:
    return {{in(0), t.lo, t.hi}, {in(1), t.lo, t.hi}};
  case TaskKind::XbarTile:
    return {{in(0), t.row0, t.row1}};
  case TaskKind::PsumReduce:
    return std::vector<TaskInput>(size_t(std::max(t.row_blocks, 0)), {t.op, t.lo, t.hi});
  case TaskKind::QkMatmul: {
    const int dh = op.heads > 0 ? op_output_units(m, in(0)) / op.heads : 0;
    return {{in(0), t.head * dh, (t.head + 1) * dh}, {in(1), t.head * dh, (t.head + 1) * dh}};
  }
  case TaskKind::PtSoftmax:
    return {{in(0), t.head, t.head + 1}};
  case TaskKind::PvMatmul: {
    const int dh = op.heads > 0 ? op_output_units(m, in(1)) / op.heads : 0;
    return {{in(0), t.head, t.head + 1}, {in(1), t.head * dh, (t.head + 1) * dh}};
  }
  case TaskKind::IntLinear:
    return {{in(0), 0, op.in_features}};
  }
  return {};
}

int64_t task_sram_bits(const Task &t, const model::SorbetModel &m) {
  const int64_t n = m.arch.max_seq_len, bits = m.arch.bits;
  const int64_t width = int64_t(t.hi) - t.lo;
  switch (t.kind) {
  case TaskKind::QkMatmul: {
    const int64_t dh = int64_t(t.inputs.size() > 1 ? t.inputs[1].hi - t.inputs[1].lo : 0);
    return n * dh * bits + n * kValueBits; // K counts + per-key offset correction
  }
  case TaskKind::PvMatmul:
    return n * width * bits; // V counts
  case TaskKind::PtSoftmax:
    return n * kValueBits; // one score row
  case TaskKind::ResidualAdd:
    return n * width * kValueBits; // the skip operand waits for the branch output
  case TaskKind::IntLinear:
    return int64_t(m.ops[size_t(t.op)].in_features) * width * 8;
  case TaskKind::PsumReduce:
    return int64_t(t.row_blocks) * width * kValueBits;
  case TaskKind::Bspn:
  case TaskKind::SelectCls:
    return width * kValueBits;
  default:
    return 0;
  }
}

std::vector<int> route_path(int src, int dst, int mesh_x, const std::string &routing) {
  // The host sits west of core 0: its packets enter and leave through router (0, 0).
  std::vector<int> path{src};
  const int from = src == kHostCore ? 0 : src;
  const int to = dst == kHostCore ? 0 : dst;
  if (src == kHostCore)
    path.push_back(0);
  int x = core_x(from, mesh_x), y = core_y(from, mesh_x);
  const int tx = core_x(to, mesh_x), ty = core_y(to, mesh_x);
  const Routing r = routing_of(routing);
  for (Hop h = next_hop(r, x, y, tx, ty); h.port != kPortLocal; h = next_hop(r, x, y, tx, ty)) {
    x += h.port == kPortEast ? 1 : h.port == kPortWest ? -1 : 0;
    y += h.port == kPortSouth ? 1 : h.port == kPortNorth ? -1 : 0;
    path.push_back(y * mesh_x + x);
  }
  if (dst == kHostCore)
    path.push_back(kHostCore);
  if (src == kHostCore && dst == kHostCore)
    path = {kHostCore};
  return path;
}

std::string model_identity(const model::SorbetModel &model) {
  if (model.dir.empty())
    return "";
  return sha256_file_hex(model.dir / "model.yaml");
}

} // namespace granita::mapping
