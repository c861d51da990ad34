// SPDX-License-Identifier: Apache-2.0
// The official profile's fixed-point arithmetic: half-to-even shifts, integer square root,
// float32 rounding of exact values, the BSPN exponent rules and the per-site minimum move
// (docs/numerics.md §10). The kernels built on them are in official_kernels.cpp.
#include "src/ref/official_kernels.h"

#include "src/ref/official_detail.h"

#include <algorithm>
#include <cmath>

namespace granita::ref::official {

using model::Rounding;
using namespace detail;

Int128 round_shift(Int128 x, int s, Rounding r) {
  if (s <= 0)
    return x * (Int128(1) << -s);
  GRANITA_ASSERT(s < 126, "round_shift by " << s);
  const Int128 q = x >> s; // floor
  if (r == Rounding::Floor)
    return q;
  const Int128 rem = x & ((Int128(1) << s) - 1); // x - q·2^s, in [0, 2^s)
  const Int128 half = Int128(1) << (s - 1);
  if (rem > half || (rem == half && (q & 1) != 0))
    return q + 1;
  return q;
}


UInt128 isqrt(UInt128 a) {
  if (a == 0)
    return 0;
  // Newton's iteration from above converges monotonically to floor(sqrt(a)).
  UInt128 x = UInt128(1) << ((bit_width128(a) + 1) / 2);
  for (;;) {
    const UInt128 y = (x + a / x) / 2;
    if (y >= x)
      return x;
    x = y;
  }
}


double to_float32(Int128 num, int exp) {
  if (num == 0)
    return 0.0;
  const bool neg = num < 0;
  UInt128 a = abs128(num);
  // The last kept bit: 24 significant bits, or 2^-149 (the smallest subnormal) if that is higher.
  const int lsb = std::max(exp + bit_width128(a) - 24, kFloat32MinExp);
  const int s = lsb - exp;
  if (s > 0) {
    if (s > 127)
      return 0.0;
    const UInt128 q = a >> s, rem = a - (q << s), half = UInt128(1) << (s - 1);
    a = (rem > half || (rem == half && (q & 1) != 0)) ? q + 1 : q;
    exp = lsb;
    if (a == 0)
      return 0.0;
  }
  const double v = std::ldexp(double(uint64_t(a)), exp);
  return neg ? -v : v;
}


int bspn_group_exponent(UInt128 sum, int exp) {
  const float mean = float(to_float32(Int128(sum), exp));
  const float t = mean + 1e-5f;
  return int(std::ceil(float(std::log2(double(t)))));
}


int bspn_snap_exponent(double y32) {
  return int(std::nearbyint(float(std::log2(std::fabs(y32)))));
}


int64_t nearest_pow2_linear(int64_t m) {
  GRANITA_ASSERT(m > 0, "nearest_pow2_linear of " << m);
  const int k = bit_width(uint64_t(m)) - 1;
  const int64_t lo = int64_t(1) << k;
  if (lo == m)
    return m;
  const int64_t hi = lo << 1;
  return (m - lo < hi - m) ? lo : hi; // ties go up, as the official `<` comparison
}


int64_t nearest_pow2_log(int64_t m) {
  GRANITA_ASSERT(m > 0, "nearest_pow2_log of " << m);
  const int k = bit_width(uint64_t(m)) - 1;
  // round(log2 m) = k + 1 iff m ≥ √2·2^k iff m² ≥ 2^(2k+1) (equality impossible).
  const UInt128 sq = UInt128(uint64_t(m)) * UInt128(uint64_t(m));
  return (sq > (UInt128(1) << (2 * k + 1))) ? (int64_t(1) << (k + 1)) : (int64_t(1) << k);
}


MinMove min_move(int64_t mn) {
  MinMove m;
  if (mn < 0) {
    m.move = -nearest_pow2_linear(-mn);
    m.offset = mn; // the official code adds back the raw minimum, not −P
  } else if (mn > 0) {
    m.move = nearest_pow2_log(mn);
    m.offset = m.move;
  }
  return m;
}

} // namespace granita::ref::official
