// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

namespace granita {

/// Where in a user's input something went wrong. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

/// Bad user input (config, model package, data file, command line). Thrown by library code,
/// turned into exit code 1 by main(). what() is the full one-line message:
/// `file:line:col: key.path: message` (parts that are unknown are left out).
class InputError : public std::runtime_error {
public:
  InputError(SourceLocation loc, std::string key_path, std::string message);
  explicit InputError(std::string message) : InputError({}, "", std::move(message)) {}

  const SourceLocation &location() const { return m_loc; }
  const std::string &key_path() const { return m_key_path; }
  const std::string &message() const { return m_message; }

private:
  SourceLocation m_loc;
  std::string m_key_path;
  std::string m_message;
};

/// Formats `file:line:col: key: message` as used by InputError.
std::string format_diagnostic(const SourceLocation &loc, const std::string &key_path,
                              const std::string &message);

[[noreturn]] void assertion_failed(const char *file, int line, const char *cond,
                                   const std::string &message);

} // namespace granita

/// Internal invariant; a failure is a bug in Granita, never the user's fault (exit code 2).
#define GRANITA_ASSERT(cond, msg)                                                                  \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::ostringstream granita_assert_os_;                                                       \
      granita_assert_os_ << msg;                                                                   \
      ::granita::assertion_failed(__FILE__, __LINE__, #cond, granita_assert_os_.str());            \
    }                                                                                              \
  } while (0)
