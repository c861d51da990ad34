// SPDX-License-Identifier: Apache-2.0
#pragma once

// The core's scratch SRAM: partial sums, stored K/V rows, softmax rows, residual operands and
// int8 weights live here. Every access is priced per bit (sram.read_bit / sram.write_bit); the
// other units call these for the data they stage. Capacity is the compiler's concern
// (core.scratch_sram_kib, checked when placing).

#include "src/energy/event_registry.h"

#include <cstdint>

namespace granita::hw {

/// Reads `bits` from the scratch SRAM.
void sram_read(energy::EnergyCounters &ev, uint64_t bits);
/// Writes `bits` to the scratch SRAM.
void sram_write(energy::EnergyCounters &ev, uint64_t bits);
/// Bits of `n` stored integer values (mapping::kValueBits each).
uint64_t value_bits(int64_t n);

} // namespace granita::hw
