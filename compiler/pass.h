// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "compiler/graph/ir_graph.h"

#include <memory>
#include <string>
#include <vector>

namespace granita::compiler {

/// A compiler diagnostic: collected, never thrown (STYLE.md section 5).
struct Diagnostic {
  enum class Severity { Error, Warning, Note };
  Severity severity = Severity::Error;
  std::string location; // "model.yaml:12: op 'layers.0.attn.q'" or a core / flow name
  std::string message;
  std::vector<std::string> notes;
};

/// Options shared by all passes.
struct Options {
  bool verify_each = true; // run the IR verifier after every pass
};

/// What passes share besides the graph.
struct PassContext {
  Options options;
  std::vector<Diagnostic> diagnostics;
  void error(std::string location, std::string message, std::vector<std::string> notes = {}) {
    diagnostics.push_back({Diagnostic::Severity::Error, std::move(location), std::move(message),
                           std::move(notes)});
  }
};

struct PassResult {
  bool ok = true;
  static PassResult success() { return {true}; }
  static PassResult failure() { return {false}; }
};

/// One compiler pass. Contract: run() reports a bad model or an oversize chip by returning
/// failure with diagnostics in the context; it never throws for them and never exits.
class IPass {
public:
  virtual ~IPass() = default;
  virtual const char *name() const = 0;
  virtual PassResult run(IrGraph &ir, PassContext &ctx) = 0;
};

/// Checks the invariants the IR's level promises; adds one diagnostic per problem.
bool verify_ir(const IrGraph &ir, PassContext &ctx);

/// Location string of a vertex for diagnostics.
std::string vertex_location(const IrGraph &ir, Vertex v);

} // namespace granita::compiler
