// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the energy table reader on arbitrary bytes. Anything malformed must raise
// InputError; a table that loads must price every registered event with a finite value >= 0.
#include "src/energy/energy_table.h"
#include "src/energy/event_registry.h"
#include "src/util/error.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const granita::energy::EventRegistry registry = granita::energy::build_event_registry();
  try {
    const auto table = granita::energy::EnergyTable::parse(
        std::string(reinterpret_cast<const char *>(data), size), "fuzz.yaml", registry);
    for (const auto &e : registry.events()) {
      const double pj = table.pj(e.id);
      if (!std::isfinite(pj) || pj < 0)
        __builtin_trap(); // an unpriced or negative event was accepted
    }
  } catch (const granita::InputError &) {
  }
  return 0;
}
