// SPDX-License-Identifier: Apache-2.0
#pragma once

// Library diagnostics (warnings and notes that are not a command's output) go through one spdlog
// logger, on stderr as "granita: warning: ...". GRANITA_LOG=debug|info|warning|error|off sets
// the level (default info). A command's own results (tables, reports, status lines) are its
// output and go to stdout as before.

#include <string>

namespace granita::log {

void debug(const std::string &msg);
void info(const std::string &msg);
void warn(const std::string &msg);

} // namespace granita::log
