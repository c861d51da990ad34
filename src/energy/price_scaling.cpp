// SPDX-License-Identifier: Apache-2.0
#include "src/energy/price_scaling.h"

#include "src/config/yaml_reader.h"

#include <algorithm>
#include <cmath>

namespace granita::energy {

PriceScaling parse_price_scaling(config::YamlMap &scaling) {
  PriceScaling r;
  r.crossbar_cols = int(scaling.get_int("crossbar_cols", 1, 1 << 20));
  r.sram_bank_kib = int(scaling.get_int("sram_bank_kib", 1, 1 << 20));
  config::YamlMap leak = scaling.get_map("leakage");
  const std::string per = leak.get_enum("per", {"core", "mm2"});
  r.leakage = per == "mm2" ? PriceScaling::Leakage::PerMm2 : PriceScaling::Leakage::PerCore;
  r.leakage_clock_mhz = int(leak.get_int("clock_mhz", 1, 1000000));
  if (r.leakage == PriceScaling::Leakage::PerMm2) {
    r.leakage_core_mm2 = leak.get_double("core_mm2", 1e-9, 1e6);
  } else if (leak.has("core_mm2")) {
    leak.fail("core_mm2", "only a `per: mm2` leakage price is quoted for a core area; a "
                          "`per: core` price is per core whatever its area");
  }
  leak.finish();
  scaling.finish();
  return r;
}

std::array<double, kNumEvents> price_factors(const PriceScaling &rules, const ChipShape &s,
                                             double core_mm2) {
  std::array<double, kNumEvents> f;
  f.fill(1.0);
  f[event_index(Event::CrossbarRowRead)] = double(s.crossbar_cols) / rules.crossbar_cols;
  const double bank = std::min(s.scratch_sram_kib, rules.sram_bank_kib);
  const double sram = std::sqrt(bank / rules.sram_bank_kib);
  f[event_index(Event::SramReadBit)] = sram;
  f[event_index(Event::SramWriteBit)] = sram;
  double leak = double(rules.leakage_clock_mhz) / s.clock_mhz;
  if (rules.leakage == PriceScaling::Leakage::PerMm2)
    leak *= core_mm2 / rules.leakage_core_mm2;
  f[event_index(Event::CoreLeakCycle)] = leak;
  return f;
}

} // namespace granita::energy
