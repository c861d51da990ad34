// SPDX-License-Identifier: Apache-2.0
// granita describe: parameters, ports and energy events of the hardware blocks.
#include "hwmodels/describe.h"
#include "sim/cli/commands.h"
#include "src/util/error.h"

#include <cstdio>
#include <string>
#include <vector>

namespace granita::cli {

int run_describe(const std::string &unit) {
  bool found = false;
  std::vector<std::string> names;
  for (const hw::UnitDescription &u : hw::describe_units()) {
    names.push_back(u.name);
    if (!unit.empty() && unit != u.name)
      continue;
    found = true;
    std::printf("%s: %s\n  parameters:\n", u.name.c_str(), u.models.c_str());
    for (const auto &p : u.params)
      std::printf("    %-34s %-22s %-15s %-9s %s\n", p.name.c_str(), p.type.c_str(),
                  p.unit.c_str(), p.default_value.c_str(), p.doc.c_str());
    std::printf("  ports:\n");
    for (const auto &p : u.ports)
      std::printf("    %s\n", p.c_str());
    std::printf("  energy events:");
    for (const auto &e : u.energy_events)
      std::printf(" %s", e.c_str());
    std::printf("%s\n\n", u.energy_events.empty() ? " (none)" : "");
  }
  if (!found) {
    std::string list;
    for (const auto &n : names)
      list += (list.empty() ? "" : ", ") + n;
    throw InputError({}, "describe", "unknown unit '" + unit + "' (units: " + list + ")");
  }
  return 0;
}

} // namespace granita::cli
