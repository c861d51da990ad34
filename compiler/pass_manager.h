// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "compiler/pass.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace granita::compiler {

/// Time one pass took.
struct PassTiming {
  std::string pass;
  double seconds = 0;
  double verify_seconds = 0;
};

/// Runs passes in order, the IR verifier after each (unless disabled), dumps the IR after a
/// named pass or after a failure, and times every pass (MLIR/LLVM pass-manager style).
class PassManager {
public:
  explicit PassManager(Options options) : m_options(options) {}
  void add(std::unique_ptr<IPass> pass) { m_passes.push_back(std::move(pass)); }
  /// Called with (pass name, ir) after the named pass ("*" for every pass) and after a failure.
  void dump_after(std::string pass, std::function<void(const std::string &, const IrGraph &)> fn) {
    m_dump_pass = std::move(pass);
    m_dump = std::move(fn);
  }
  /// Runs all passes; false as soon as one fails (its diagnostics are in ctx).
  bool run(IrGraph &ir, PassContext &ctx);
  const std::vector<PassTiming> &timings() const { return m_timings; }
  std::vector<std::string> pass_names() const;

private:
  Options m_options;
  std::vector<std::unique_ptr<IPass>> m_passes;
  std::vector<PassTiming> m_timings;
  std::string m_dump_pass;
  std::function<void(const std::string &, const IrGraph &)> m_dump;
};

} // namespace granita::compiler
