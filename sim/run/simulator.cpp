// SPDX-License-Identifier: Apache-2.0
#include "sim/run/simulator.h"

#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"

#include <nlohmann/json.hpp>

#include <map>

#include <sstream>

namespace granita::sim {

Simulator::Simulator(const model::SorbetModel &model, const config::HwConfig &hw,
                     const mapping::Mapping &mapping, uint64_t watchdog_cycles,
                     const std::string &vcd_path)
    : m_model(model), m_hw(hw), m_prog(model, mapping) {
  m_chip = std::make_unique<Chip>("chip", hw, m_prog, watchdog_cycles, vcd_path);
}

std::string Simulator::trace_json(uint64_t start_cycle) const {
  const double us = 1.0 / m_hw.clock_mhz;
  const char *units[] = {"accumulate", "neuron", "ptsoftmax", "bspn"};
  nlohmann::json ev = nlohmann::json::array();
  std::map<int, bool> cores;
  for (const auto &b : m_chip->trace().busy_intervals()) {
    if (!cores[b.core]) {
      cores[b.core] = true;
      ev.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", b.core},
                    {"args", {{"name", "core " + std::to_string(b.core)}}}});
      for (int u = 0; u < 4; ++u)
        ev.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", b.core}, {"tid", u},
                      {"args", {{"name", units[u]}}}});
    }
    ev.push_back({{"ph", "X"},
                  {"name", m_prog.mapping.tasks[size_t(b.task)].name},
                  {"cat", units[b.unit]},
                  {"pid", b.core},
                  {"tid", b.unit},
                  {"ts", double(b.start - start_cycle) * us},
                  {"dur", double(b.end - b.start) * us}});
  }
  const int noc_pid = 1 << 20;
  ev.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", noc_pid},
                {"args", {{"name", "NoC (flits per 100 cycles)"}}}});
  std::map<std::pair<int, uint64_t>, int> windows;
  for (const auto &f : m_chip->trace().flits())
    ++windows[{f.first, (f.second - start_cycle) / 100}];
  for (const auto &[key, count] : windows) {
    const int x = key.first % m_hw.mesh_x, y = key.first / m_hw.mesh_x;
    ev.push_back({{"ph", "C"},
                  {"name", "router_" + std::to_string(x) + "_" + std::to_string(y)},
                  {"pid", noc_pid},
                  {"ts", double(key.second * 100) * us},
                  {"args", {{"flits", count}}}});
  }
  nlohmann::json j;
  j["traceEvents"] = ev;
  j["displayTimeUnit"] = "ns";
  return j.dump() + "\n";
}

Simulator::~Simulator() = default;

SentenceRun Simulator::run(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                           bool capture) {
  if (ids.empty() || int(ids.size()) > m_model.arch.max_seq_len)
    throw InputError("sentence of " + std::to_string(ids.size()) + " tokens: the model takes 1.." +
                     std::to_string(m_model.arch.max_seq_len));
  for (auto &c : m_chip->cores())
    c->set_capture(capture);
  m_router_flits_before.clear();
  for (const auto &router : m_chip->routers())
    m_router_flits_before.push_back(router->port_flits());
  m_chip->begin_sentence(ids, type_ids);
  sc_core::sc_start();
  hw::HostInterface &host = m_chip->host();
  if (!host.done() || m_chip->stalled()) {
    const uint64_t now = uint64_t(sc_core::sc_time_stamp() / m_chip->period());
    throw InputError(
        "simulation stalled: no flit moved and no unit finished work for " +
        std::string(m_chip->stalled() ? "the watchdog period" : "ever (no events left)") +
        " at cycle " + std::to_string(now - host.start_cycle()) +
        " of the sentence (deadlock or a mapping that never delivers an input); blocked:" +
        m_chip->blocked_report());
  }
  SentenceRun r;
  r.logits = host.logits();
  for (size_t j = 1; j < r.logits.size(); ++j)
    if (r.logits[j] > r.logits[size_t(r.prediction)])
      r.prediction = int(j);
  r.cycles = host.done_cycle() - host.start_cycle();
  const uint64_t now = uint64_t(sc_core::sc_time_stamp() / m_chip->period());
  r.drain_cycles = now > host.done_cycle() ? now - host.done_cycle() : 0;
  r.task_spans.assign(m_prog.mapping.tasks.size(), {UINT64_MAX, 0});
  for (const auto &c : m_chip->cores()) {
    r.core_busy.emplace_back(c->index(), c->busy_cycles());
    for (size_t i = 0; i < c->tasks().size(); ++i) {
      const hw::Core::Span &sp = c->task_spans()[i];
      if (sp.first != UINT64_MAX)
        r.task_spans[size_t(c->tasks()[i])] = {sp.first - host.start_cycle(),
                                               sp.last - host.start_cycle()};
    }
  }
  for (const auto &router : m_chip->routers()) {
    std::array<uint64_t, 5> f = router->port_flits();
    const std::array<uint64_t, 5> &before = m_router_flits_before[r.router_flits.size()];
    for (size_t p = 0; p < f.size(); ++p)
      f[p] -= before[p];
    r.router_flits.push_back(f);
  }
  r.task_events = m_chip->ledger().tasks();
  r.chip_events = m_chip->ledger().chip();
  // The powered cores leak until the chip has drained (the next sentence starts then), not only
  // until the logits are out.
  r.chip_events.add(energy::Event::CoreLeakCycle,
                    (r.cycles + r.drain_cycles) * uint64_t(m_chip->cores_powered()));
  for (const auto &c : m_chip->cores())
    for (int u = 0; u < 4; ++u)
      r.busy_cycles[u] += c->busy_cycles()[size_t(u)];
  return r;
}

std::string Simulator::first_mismatch(const std::vector<int32_t> &ids,
                                      const std::vector<int32_t> &type_ids) {
  const ref::Reference reference(m_model);
  const ref::ReferenceResult rr = reference.run(ids, type_ids, true);
  const mapping::Mapping &mp = m_prog.mapping;
  const int n = int(ids.size());
  // Walk tasks in schedule order: the first differing output is where the chip went wrong.
  for (const mapping::Task &t : mp.tasks) {
    if (t.core < 0 || t.kind == mapping::TaskKind::XbarTile)
      continue; // tiles hold partial sums, which the reference does not have
    const hw::Core *core = nullptr;
    size_t local = 0;
    for (const auto &c : m_chip->cores())
      for (size_t i = 0; i < c->tasks().size(); ++i)
        if (c->tasks()[i] == t.id) {
          core = c.get();
          local = i;
        }
    if (!core)
      continue;
    const ref::IntMatrix &want = rr.outputs[size_t(t.op)];
    const auto &got_tokens = core->captured()[local];
    const bool rows = mapping::op_units_are_rows(m_model, t.op);
    for (size_t tok = 0; tok < got_tokens.size(); ++tok) {
      const auto &got = got_tokens[tok];
      for (int u = t.lo; u < t.hi; ++u) {
        const int per = rows ? n : 1;
        for (int e = 0; e < per; ++e) {
          // Score rows are head-major in the reference: row h*n + token.
          const int64_t w = rows ? want.at(u * n + int(tok), e) : want.at(int(tok), u);
          const size_t gi = size_t((u - t.lo) * per + e);
          if (gi >= got.size() || got[gi] != w) {
            std::ostringstream os;
            os << "op '" << m_model.ops[size_t(t.op)].name << "' (task '" << t.name << "' on core "
               << t.core << ") differs first at token " << tok << ", output unit " << u
               << (rows ? ", key " + std::to_string(e) : std::string()) << ": chip "
               << (gi < got.size() ? std::to_string(got[gi]) : std::string("missing"))
               << ", reference " << w;
            return os.str();
          }
        }
      }
    }
  }
  return "";
}

void Simulator::commit_vcd() { m_chip->commit_vcd(); }

} // namespace granita::sim
