// SPDX-License-Identifier: Apache-2.0
// Every SIMD path this CPU supports against the portable one, bit for bit, on random inputs of
// awkward shapes: widths off the 64/256/512-bit grid, 1..8 bit planes, negative offsets, tiles
// whose row range crosses words, more tokens than one L1 tile.
#include "src/ref/kernels.h"
#include "src/ref/simd/simd.h"
#include "src/util/error.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace granita::ref {
namespace {

using model::PackedBits;
using simd::Isa;

PackedBits random_bits(std::mt19937_64 &rng, int64_t rows, int64_t cols) {
  std::vector<int8_t> s(size_t(rows * cols));
  for (auto &x : s)
    x = (rng() & 1) ? 1 : -1;
  return PackedBits::from_signs(rows, cols, s);
}

IntMatrix random_matrix(std::mt19937_64 &rng, int rows, int cols, int64_t lo, int64_t hi) {
  IntMatrix m(rows, cols);
  std::uniform_int_distribution<int64_t> d(lo, hi);
  for (auto &x : m.v)
    x = d(rng);
  return m;
}

int pick(std::mt19937_64 &rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

const int kWidths[] = {1,   7,   63,  64,  65,  127, 200,  255, 256,
                       257, 300, 511, 512, 513, 768, 1000, 3072};

class SimdPath : public ::testing::TestWithParam<Isa> {
protected:
  void SetUp() override {
    if (!simd::cpu_supports(GetParam()))
      GTEST_SKIP() << "this CPU lacks the " << simd::isa_name(GetParam()) << " path";
  }
  const simd::KernelTable &path() const { return simd::table(GetParam()); }
  const simd::KernelTable &portable() const { return simd::table(Isa::Portable); }
};

TEST_P(SimdPath, BinaryLinearMatchesPortable) {
  std::mt19937_64 rng(1);
  int cases = 0;
  for (int width : kWidths)
    for (int bits = 1; bits <= 8; ++bits) {
      const int rows = pick(rng, 1, 40), tokens = pick(rng, 1, width >= 1000 ? 20 : 45);
      const PackedBits w = random_bits(rng, rows, width);
      // Counts mostly in range, but also negative and too wide ones: the planes keep bits
      // 0..bits−1 of each and every path must agree on that too.
      IntMatrix c = random_matrix(rng, tokens, width, 0, (int64_t(1) << bits) - 1);
      if (bits % 3 == 0)
        for (auto &x : c.v)
          if (rng() % 7 == 0)
            x = int64_t(rng() % 1000) - 500;
      const int in_offset = pick(rng, -20, 20);
      const IntMatrix want = binary_linear(c, in_offset, bits, w, portable());
      const IntMatrix got = binary_linear(c, in_offset, bits, w, path());
      ASSERT_EQ(got.v, want.v) << "width " << width << " bits " << bits << " tokens " << tokens;
      ++cases;
    }
  EXPECT_EQ(cases, int(std::size(kWidths)) * 8);
}

TEST_P(SimdPath, BinaryLinearBlockMatchesPortable) {
  std::mt19937_64 rng(2);
  for (int width : kWidths)
    for (int bits = 1; bits <= 8; ++bits)
      for (int rep = 0; rep < 4; ++rep) {
        const int rows = pick(rng, 1, 50);
        const PackedBits w = random_bits(rng, rows, width);
        const int r0 = pick(rng, 0, width - 1), r1 = pick(rng, r0 + 1, width);
        const int c0 = pick(rng, 0, rows - 1), c1 = pick(rng, c0 + 1, rows);
        const IntMatrix c = random_matrix(rng, 1, r1 - r0, 0, (int64_t(1) << bits) - 1);
        const int in_offset = pick(rng, -20, 20);
        const auto want =
            binary_linear_block(c.v.data(), in_offset, bits, w, r0, r1, c0, c1, portable());
        const auto got =
            binary_linear_block(c.v.data(), in_offset, bits, w, r0, r1, c0, c1, path());
        ASSERT_EQ(got, want) << "width " << width << " bits " << bits << " rows [" << r0 << ", "
                             << r1 << ") cols [" << c0 << ", " << c1 << ")";
      }
}

TEST_P(SimdPath, TilesSumToBinaryLinear) {
  // Row blocks of 100 (crossing words) and column blocks of 7 rebuild the whole product.
  std::mt19937_64 rng(3);
  const int width = 333, rows = 29, bits = 4, in_offset = -3;
  const PackedBits w = random_bits(rng, rows, width);
  const IntMatrix c = random_matrix(rng, 1, width, 0, 15);
  const IntMatrix want = binary_linear(c, in_offset, bits, w, portable());
  std::vector<int64_t> sum(size_t(rows), 0);
  for (int r0 = 0; r0 < width; r0 += 100)
    for (int c0 = 0; c0 < rows; c0 += 7) {
      const int r1 = std::min(width, r0 + 100), c1 = std::min(rows, c0 + 7);
      const auto part =
          binary_linear_block(c.v.data() + r0, in_offset, bits, w, r0, r1, c0, c1, path());
      for (int j = c0; j < c1; ++j)
        sum[size_t(j)] += part[size_t(j - c0)];
    }
  EXPECT_EQ(sum, want.v);
}

TEST_P(SimdPath, QkScoresMatchPortable) {
  std::mt19937_64 rng(4);
  for (int dh : {1, 3, 7, 8, 17, 64, 65})
    for (int heads : {1, 2, 3, 12})
      for (int rep = 0; rep < 3; ++rep) {
        const int n = pick(rng, 1, 40), keys = pick(rng, 1, 40);
        const int64_t span = rep == 2 ? (int64_t(1) << 24) : 15;
        const IntMatrix q = random_matrix(rng, n, heads * dh, -span, span);
        const IntMatrix k = random_matrix(rng, keys, heads * dh, -span, span);
        const int shift = pick(rng, -2, 9), offset = pick(rng, -9, 9);
        const IntMatrix want = qk_scores(q, k, heads, shift, offset, portable());
        const IntMatrix got = qk_scores(q, k, heads, shift, offset, path());
        ASSERT_EQ(got.rows, want.rows);
        ASSERT_EQ(got.v, want.v) << "dh " << dh << " heads " << heads << " n " << n;
      }
}

TEST_P(SimdPath, PvMatmulMatchesPortable) {
  std::mt19937_64 rng(5);
  for (int dh : {1, 3, 7, 8, 17, 64, 65})
    for (int heads : {1, 2, 3, 12})
      for (int rep = 0; rep < 3; ++rep) {
        const int n = pick(rng, 1, 40), keys = pick(rng, 1, 40);
        IntMatrix p = random_matrix(rng, heads * n, keys, 0, rep == 2 ? 1 << 20 : 15);
        for (auto &x : p.v)
          if (rng() % 3 == 0)
            x = 0; // the skipped zeros
        const IntMatrix v = random_matrix(rng, keys, heads * dh, -(1 << 20), 1 << 20);
        const int offset = pick(rng, -9, 9);
        const IntMatrix want = pv_matmul(p, v, heads, offset, portable());
        const IntMatrix got = pv_matmul(p, v, heads, offset, path());
        ASSERT_EQ(got.v, want.v) << "dh " << dh << " heads " << heads << " n " << n;
      }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, SimdPath, ::testing::Values(Isa::Avx2, Isa::Avx512),
                         [](const ::testing::TestParamInfo<Isa> &info) {
                           return std::string(simd::isa_name(info.param));
                         });

TEST(SimdDispatch, PortableAgreesWithTheNaiveSum) {
  std::mt19937_64 rng(6);
  const PackedBits w = random_bits(rng, 13, 130);
  const IntMatrix c = random_matrix(rng, 5, 130, 0, 15);
  EXPECT_EQ(binary_linear(c, 8, 4, w, simd::table(Isa::Portable)).v,
            binary_linear_naive(c, 8, w).v);
}

TEST(SimdDispatch, RequestedPathIsParsedAndChecked) {
  EXPECT_EQ(simd::requested_isa(nullptr), simd::best_isa());
  EXPECT_EQ(simd::requested_isa(""), simd::best_isa());
  EXPECT_EQ(simd::requested_isa("portable"), Isa::Portable);
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (simd::cpu_supports(isa))
      EXPECT_EQ(simd::requested_isa(simd::isa_name(isa)), isa);
    else
      EXPECT_THROW(simd::requested_isa(simd::isa_name(isa)), InputError);
  }
  try {
    simd::requested_isa("sse9");
    FAIL() << "no error for an unknown path";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("GRANITA_SIMD=sse9"), std::string::npos) << e.what();
  }
  EXPECT_EQ(simd::supported_isas().front(), Isa::Portable);
  EXPECT_EQ(simd::table(Isa::Portable).isa, Isa::Portable);
}

} // namespace
} // namespace granita::ref
