// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the hardware config reader on arbitrary bytes. Leading lines "-p key=value"
// are command-line overrides, the rest is the YAML. Anything malformed must raise InputError; a
// config that loads must respect every documented range.
#include "src/config/hw_config.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::vector<std::string> overrides;
  while (text.rfind("-p ", 0) == 0) {
    const size_t nl = text.find('\n');
    overrides.push_back(text.substr(3, nl == std::string::npos ? std::string::npos : nl - 3));
    text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
  }
  try {
    const granita::config::HwConfig c =
        granita::config::parse_hw_config(text, "fuzz.yaml", overrides);
    using namespace granita::config;
    const bool ok = c.mesh_x >= 1 && c.mesh_x <= kMaxMeshSide && c.mesh_y >= 1 &&
                    c.mesh_y <= kMaxMeshSide && c.crossbar_rows >= 1 &&
                    c.crossbar_rows <= kMaxCrossbarSide && c.crossbar_cols >= 1 &&
                    c.crossbar_cols <= kMaxCrossbarSide && c.crossbars_per_core >= 1 &&
                    c.crossbars_per_core <= kMaxCrossbarsPerCore && c.scratch_sram_kib >= 1 &&
                    c.scratch_sram_kib <= kMaxScratchKib && c.clock_mhz >= 1 &&
                    !c.energy_table.empty() &&
                    (c.routing == "xy" || c.routing == "yx" || c.routing == "west_first") &&
                    (c.encoding == "rate" || c.encoding == "bitserial");
    if (!ok)
      __builtin_trap(); // a config outside the documented ranges was accepted
  } catch (const granita::InputError &) {
  }
  return 0;
}
