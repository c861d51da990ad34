// SPDX-License-Identifier: Apache-2.0
#include "compiler/pass_manager.h"

#include <chrono>

namespace granita::compiler {

std::vector<std::string> PassManager::pass_names() const {
  std::vector<std::string> names;
  for (const auto &p : m_passes)
    names.push_back(p->name());
  return names;
}

bool PassManager::run(IrGraph &ir, PassContext &ctx) {
  using Clock = std::chrono::steady_clock;
  ctx.options = m_options;
  for (const auto &pass : m_passes) {
    PassTiming timing{pass->name(), 0, 0};
    const auto t0 = Clock::now();
    PassResult r = pass->run(ir, ctx);
    const auto t1 = Clock::now();
    timing.seconds = std::chrono::duration<double>(t1 - t0).count();
    if (r.ok && m_options.verify_each) {
      r.ok = verify_ir(ir, ctx);
      if (!r.ok)
        ctx.diagnostics.push_back({Diagnostic::Severity::Note, std::string("pass ") + pass->name(),
                                   "the IR verifier failed after this pass (a compiler bug)",
                                   {}});
      timing.verify_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    }
    m_timings.push_back(timing);
    if (m_dump && (!r.ok || m_dump_pass == "*" || m_dump_pass == pass->name()))
      m_dump(pass->name(), ir);
    if (!r.ok)
      return false;
  }
  return true;
}

} // namespace granita::compiler
