// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/chip_shape.h"
#include "src/energy/event_registry.h"

#include <array>
#include <string>

namespace granita::config {
class YamlMap;
}

namespace granita::energy {

/// How an energy table's prices follow the chip (the table's `scaling:` section; rules in
/// docs/energy.md §2.1). A table quotes each price for a reference hardware; pricing a run on
/// another chip multiplies each price by a factor from these rules:
///  * crossbar.row_read: × cols / crossbar_cols (a row read reads `cols` 1-bit cells, each at
///    the reference per-bit cost);
///  * sram.read_bit, sram.write_bit: × sqrt(bank / sram_bank_kib) with bank = min(scratch SRAM,
///    sram_bank_kib) (scratch SRAM is built from banks of the reference size; a smaller one is a
///    single smaller bank, and Horowitz's SRAM figures double per 4× size);
///  * core.leak_cycle: × leakage_clock_mhz / clock (static power over a longer or shorter cycle)
///    and, for `per: mm2`, × core area / leakage_core_mm2 (leakage is proportional to area);
///  * every other event is per bit (counts already follow flit width) or of a fixed operand
///    width set by the numerics: factor 1.
/// Contract: every field positive once parsed (leakage_core_mm2 only for PerMm2).
struct PriceScaling {
  enum class Leakage { PerCore, PerMm2 };
  int crossbar_cols = 0;
  int sram_bank_kib = 0;
  Leakage leakage = Leakage::PerCore;
  int leakage_clock_mhz = 0;
  double leakage_core_mm2 = 0;
};

/// Reads the `scaling:` section; InputError naming file:line:col and `scaling.<key>` otherwise.
PriceScaling parse_price_scaling(config::YamlMap &scaling);

/// The factor each event's price is multiplied by on chip `s` whose core area is `core_mm2`.
std::array<double, kNumEvents> price_factors(const PriceScaling &rules, const ChipShape &s,
                                             double core_mm2);

} // namespace granita::energy
