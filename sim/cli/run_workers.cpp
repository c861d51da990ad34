// SPDX-License-Identifier: Apache-2.0
#include "sim/cli/run_workers.h"

#include "sim/run/simulator.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/subprocess.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace granita::cli {

report::RunReport simulate(const RunContext &c, const std::vector<size_t> &indices,
                           const std::function<void(const report::SentenceRecord &)> &done) {
  const RunOptions &o = c.o;
  report::RunReport rep = report::RunReport::for_model(c.m);
  rep.checked = !o.no_check;
  sim::Simulator simulator(c.m, c.hw, c.mp, o.watchdog_cycles, o.vcd);
  rep.cores_powered = simulator.chip().cores_powered();
  rep.chip = energy::chip_shape(c.hw);
  const ref::Reference reference(c.m);
  uint64_t trace_start = 0;
  for (size_t i : indices) {
    const glue::Example &ex = c.examples[i];
    std::optional<std::string_view> b;
    if (ex.text_b)
      b = *ex.text_b;
    const text::Encoding enc = c.tok.encode(ex.text_a, b, size_t(c.m.arch.max_seq_len));
    if (enc.truncated_tokens && o.text_given)
      std::fprintf(stderr,
                   "granita: warning: --text: %zu wordpieces beyond max_seq_len %d were dropped\n",
                   enc.truncated_tokens, c.m.arch.max_seq_len);
    const bool tracing = !o.trace.empty() && int(i) == o.trace_sentence;
    simulator.chip().trace().set_on(tracing);
    if (tracing)
      trace_start = uint64_t(sc_core::sc_time_stamp() / simulator.chip().period());
    sim::SentenceRun r = simulator.run(enc.ids, enc.type_ids);
    simulator.chip().trace().set_on(false);
    if (!o.no_check && reference.run(enc.ids, enc.type_ids).logits != r.logits) {
      simulator.run(enc.ids, enc.type_ids, true);
      const std::string where = simulator.first_mismatch(enc.ids, enc.type_ids);
      // A mismatch is a Granita bug, never the user's: internal error, exit code 2.
      throw std::runtime_error("sentence " + std::to_string(i) +
                               ": chip logits differ from the reference: " +
                               (where.empty() ? "no task output differs" : where));
    }
    report::SentenceRecord s;
    s.index = int(i);
    s.prediction = r.prediction;
    s.label = ex.label;
    s.score = ex.score;
    s.logits = r.logits;
    s.cycles = r.cycles;
    s.drain_cycles = r.drain_cycles;
    s.bit_exact = !o.no_check;
    s.truncated_tokens = enc.truncated_tokens;
    // One time step per tick: a token is T steps (rate codings) or `bits` planes (bit-serial).
    const hw::Program &pg = simulator.program();
    s.ticks = uint64_t(enc.ids.size()) * uint64_t(pg.rate ? pg.time_steps : pg.bits);
    s.events = r.chip_events;
    for (size_t t = 0; t < r.task_events.size(); ++t) {
      const int op = c.mp.tasks[t].op;
      rep.op_events[op >= 0 ? size_t(op) : rep.op_events.size() - 1] += r.task_events[t];
      s.events += r.task_events[t];
    }
    rep.chip_events += r.chip_events;
    for (int u = 0; u < 4; ++u)
      rep.unit_busy_cycles[size_t(u)] += r.busy_cycles[u];
    // Timing views: each op's first start and last end over its tasks, per-core and router load.
    std::vector<std::pair<uint64_t, uint64_t>> op_spans(c.m.ops.size(), {UINT64_MAX, 0});
    for (size_t t = 0; t < r.task_spans.size(); ++t) {
      const int op = c.mp.tasks[t].op;
      if (op < 0 || r.task_spans[t].first == UINT64_MAX)
        continue;
      auto &sp = op_spans[size_t(op)];
      sp = {std::min(sp.first, r.task_spans[t].first), std::max(sp.second, r.task_spans[t].second)};
    }
    rep.add_op_spans(op_spans);
    rep.drain_cycles_sum += r.drain_cycles;
    rep.core_busy.resize(size_t(c.hw.mesh_x * c.hw.mesh_y));
    for (const auto &[core, busy] : r.core_busy)
      for (size_t u = 0; u < 4; ++u)
        rep.core_busy[size_t(core)][u] += busy[u];
    rep.router_flits.resize(r.router_flits.size());
    for (size_t k = 0; k < r.router_flits.size(); ++k)
      for (size_t p = 0; p < 5; ++p)
        rep.router_flits[k][p] += r.router_flits[k][p];
    rep.sentences.push_back(std::move(s));
    done(rep.sentences.back());
  }
  if (!o.trace.empty())
    write_file_atomic(o.trace, simulator.trace_json(trace_start));
  simulator.commit_vcd();
  return rep;
}

/// -j N: N forked workers, worker k simulating sentences k, k+N, ...; each writes its report
/// (raw counts) to a file and one byte per finished sentence to a pipe, for the progress bar.
report::RunReport simulate_parallel(const RunContext &c, const energy::EnergyTable &table,
                                    ProgressBar &bar) {
  const int jobs = std::min<int>(c.o.jobs, int(c.examples.size()));
  namespace fs = std::filesystem;
  const proc::TempDir tmp("granita-run");
  const fs::path &dir = tmp.path();
  int fds[2];
  if (::pipe(fds) != 0)
    throw InputError("cannot create a pipe to the workers");
  std::vector<pid_t> pids;
  for (int k = 0; k < jobs; ++k) {
    const std::string id = std::to_string(k);
    pids.push_back(proc::fork_worker(
        [&] {
          ::close(fds[0]);
          std::vector<size_t> mine;
          for (size_t i = size_t(k); i < c.examples.size(); i += size_t(jobs))
            mine.push_back(i);
          const report::RunReport r = simulate(c, mine, [&](const report::SentenceRecord &) {
            const char one = 1;
            (void)!::write(fds[1], &one, 1);
          });
          write_file_atomic(dir / ("shard-" + id + ".json"), r.to_json(table).dump() + "\n");
          return 0;
        },
        dir / ("error-" + id)));
  }
  ::close(fds[1]);
  size_t finished = 0;
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      finished += size_t(n);
      bar.update(finished);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int worst = 0;
  std::string error;
  for (size_t k = 0; k < pids.size(); ++k) {
    const int code = proc::exit_code(proc::wait_status(pids[k]));
    if (code != 0 && worst == 0) {
      const fs::path ef = dir / ("error-" + std::to_string(k));
      error = fs::exists(ef) ? read_file(ef) : "worker " + std::to_string(k) + " died";
      worst = code;
    }
  }
  report::RunReport merged = report::RunReport::for_model(c.m);
  merged.checked = !c.o.no_check;
  for (int k = 0; k < jobs && worst == 0; ++k) {
    const fs::path f = dir / ("shard-" + std::to_string(k) + ".json");
    const report::RunReport shard =
        report::RunReport::from_json(nlohmann::json::parse(read_file(f)), f.string());
    merged.cores_powered = shard.cores_powered;
    merged.chip = shard.chip;
    merged.merge(shard);
  }
  if (worst == 1)
    throw InputError(error);
  if (worst != 0)
    throw std::runtime_error(error);
  return merged;
}


} // namespace granita::cli
