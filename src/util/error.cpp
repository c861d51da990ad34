// SPDX-License-Identifier: Apache-2.0
#include "src/util/error.h"

namespace granita {

std::string format_diagnostic(const SourceLocation &loc, const std::string &key_path,
                              const std::string &message) {
  std::string out;
  if (!loc.file.empty()) {
    out += loc.file;
    if (loc.line > 0) {
      out += ":" + std::to_string(loc.line);
      if (loc.column > 0)
        out += ":" + std::to_string(loc.column);
    }
    out += ": ";
  }
  if (!key_path.empty())
    out += key_path + ": ";
  out += message;
  return out;
}

InputError::InputError(SourceLocation loc, std::string key_path, std::string message)
    : std::runtime_error(format_diagnostic(loc, key_path, message)), m_loc(std::move(loc)),
      m_key_path(std::move(key_path)), m_message(std::move(message)) {}

void assertion_failed(const char *file, int line, const char *cond, const std::string &message) {
  std::fprintf(stderr, "granita: internal error at %s:%d: assertion '%s' failed: %s\n", file, line,
               cond, message.c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace granita
