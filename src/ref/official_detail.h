// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers shared by the official profile's arithmetic (official_arith.cpp) and its kernels
// (official_kernels.cpp); not part of the API.

#include "src/ref/official_kernels.h"
#include "src/util/error.h"

#include <limits>
#include <string>

namespace granita::ref::official::detail {

inline int bit_width128(UInt128 a) {
  const uint64_t hi = uint64_t(a >> 64);
  return hi ? 64 + bit_width(hi) : bit_width(uint64_t(a));
}

inline UInt128 abs128(Int128 x) { return x < 0 ? UInt128(-x) : UInt128(x); }

// The kernels' inputs come from user packages: a value leaving 64 bits is a property of the
// package (steps or biases out of any sensible range), reported as bad input.
inline int64_t narrow(Int128 x, const char *what) {
  if (x > Int128(std::numeric_limits<int64_t>::max()) ||
      x < Int128(std::numeric_limits<int64_t>::min()))
    throw InputError(std::string("official profile: ") + what +
                     " leaves 64 bits (a step, multiplier or bias of the package is out of range)");
  return int64_t(x);
}

// Smallest float32 exponent of a normal number and of the smallest subnormal (2^-149).
inline constexpr int kFloat32MinExp = -149;

} // namespace granita::ref::official::detail
