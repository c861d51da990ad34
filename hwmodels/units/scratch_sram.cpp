// SPDX-License-Identifier: Apache-2.0
#include "hwmodels/units/scratch_sram.h"

#include "src/mapping/mapping.h"

namespace granita::hw {

void sram_read(energy::EnergyCounters &ev, uint64_t bits) {
  ev.add(energy::Event::SramReadBit, bits);
}

void sram_write(energy::EnergyCounters &ev, uint64_t bits) {
  ev.add(energy::Event::SramWriteBit, bits);
}

uint64_t value_bits(int64_t n) { return uint64_t(n) * uint64_t(mapping::kValueBits); }

} // namespace granita::hw
