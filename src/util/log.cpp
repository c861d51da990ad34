// SPDX-License-Identifier: Apache-2.0
#include "src/util/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

namespace granita::log {

namespace {

spdlog::logger &logger() {
  static const std::shared_ptr<spdlog::logger> l = [] {
    // Plain (uncoloured) stderr: the text is the same on a terminal, in a pipe and in a log file.
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
    auto lg = std::make_shared<spdlog::logger>("granita", sink);
    lg->set_pattern("granita: %l: %v");
    spdlog::level::level_enum level = spdlog::level::info;
    if (const char *env = std::getenv("GRANITA_LOG"); env && *env)
      level = spdlog::level::from_str(env); // unknown names turn logging off, as spdlog does
    lg->set_level(level);
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return *l;
}

} // namespace

void debug(const std::string &msg) { logger().debug(msg); }
void info(const std::string &msg) { logger().info(msg); }
void warn(const std::string &msg) { logger().warn(msg); }

} // namespace granita::log
