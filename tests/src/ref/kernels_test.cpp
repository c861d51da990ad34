// SPDX-License-Identifier: Apache-2.0
// Hand-derived checks of the integer Sorbet kernels against docs/numerics.md. Every expected value
// below is computed by hand from the spec; the arithmetic is in the comment beside it.
#include "src/ref/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace granita::ref {
namespace {

using model::PackedBits;

IntMatrix mat(int rows, int cols, const std::vector<int64_t> &v) {
  IntMatrix m(rows, cols);
  m.v = v;
  return m;
}

// One value through fire with a single channel.
int64_t fire1(int64_t v, int32_t b, int shift, int offset, int levels = 15) {
  return fire(mat(1, 1, {v}), {b}, shift, offset, levels).at(0, 0);
}

// ---------------------------------------------------------------------------------------------
// §0 helpers

TEST(KernelHelpers, ShrIsFloorAndCeilShrIsCeil) {
  EXPECT_EQ(shr(-1, 1), -1);      // floor(-1/2) = floor(-0.5) = -1
  EXPECT_EQ(shr(-5, 2), -2);      // floor(-1.25) = -2
  EXPECT_EQ(shr(7, 1), 3);        // floor(3.5) = 3
  EXPECT_EQ(shr(-3, -2), -12);    // -3 * 2^2
  EXPECT_EQ(ceil_shr(-5, 2), -1); // ceil(-1.25) = -1
  EXPECT_EQ(ceil_shr(5, 2), 2);   // ceil(1.25) = 2
  EXPECT_EQ(ceil_shr(-4, 2), -1); // ceil(-1) = -1
  EXPECT_EQ(ceil_shr(3, -1), 6);  // 3 * 2
  EXPECT_EQ(bit_width(1), 1);     // floor(log2 1) + 1
  EXPECT_EQ(bit_width(8), 4);     // floor(log2 8) + 1 = 3 + 1
  EXPECT_EQ(bit_width(9), 4);
  EXPECT_EQ(bit_width(uint64_t(1) << 63), 64);
}

// ---------------------------------------------------------------------------------------------
// §2 fire: c = clamp(shr(V + B, s) + offset, 0, Lmax)

TEST(Fire, PositiveShiftFloorsNegativeValues) {
  EXPECT_EQ(fire1(-1, 0, 1, 8), 7);  // shr(-1,1) = floor(-0.5) = -1; -1 + 8 = 7
  EXPECT_EQ(fire1(0, -1, 1, 8), 7);  // V+B = -1, same as above
  EXPECT_EQ(fire1(-3, 0, 1, 8), 6);  // floor(-1.5) = -2; -2 + 8 = 6
  EXPECT_EQ(fire1(-4, 1, 2, 8), 7);  // V+B = -3; floor(-0.75) = -1; 7
  EXPECT_EQ(fire1(-5, 0, 2, 8), 6);  // floor(-1.25) = -2; 6
  EXPECT_EQ(fire1(5, -2, 1, 8), 9);  // V+B = 3; floor(1.5) = 1; 9
  EXPECT_EQ(fire1(-1, 0, 1, 0), 0);  // floor(-0.5) = -1 + 0 -> clamp to 0 (ReLU)
  EXPECT_EQ(fire1(7, 0, 2, 0), 1);   // floor(1.75) = 1
  EXPECT_EQ(fire1(8, 0, 2, 0), 2);   // floor(2) = 2
}

TEST(Fire, NegativeShiftMultiplies) {
  EXPECT_EQ(fire1(3, 0, -2, 0), 12);  // 3 * 2^2 = 12
  EXPECT_EQ(fire1(1, 1, -1, 8), 12);  // (1+1) * 2 = 4; 4 + 8 = 12
  EXPECT_EQ(fire1(-1, 0, -2, 8), 4);  // -1 * 4 = -4; -4 + 8 = 4
  EXPECT_EQ(fire1(2, 0, -3, 0), 15);  // 2 * 8 = 16 -> clamp 15
}

TEST(Fire, ClampsAtZeroAndLevels) {
  EXPECT_EQ(fire1(7, 0, 0, 8), 15);     // 7 + 8 = 15, exactly Lmax
  EXPECT_EQ(fire1(8, 0, 0, 8), 15);     // 16 -> 15
  EXPECT_EQ(fire1(1000, 0, 0, 8), 15);  // 1008 -> 15
  EXPECT_EQ(fire1(-8, 0, 0, 8), 0);     // 0, exactly the floor
  EXPECT_EQ(fire1(-9, 0, 0, 8), 0);     // -1 -> 0
  EXPECT_EQ(fire1(-1000, 0, 0, 8), 0);  // -992 -> 0
  EXPECT_EQ(fire1(14, 0, 0, 0), 14);    // unsigned, in range
  EXPECT_EQ(fire1(16, 0, 0, 0), 15);    // unsigned, 16 -> 15
  EXPECT_EQ(fire1(300, 0, 0, 0, 255), 255); // 8-bit levels: 300 -> 255
  EXPECT_EQ(fire1(200, 0, 0, 0, 255), 200);
}

TEST(Fire, BiasIsPerChannelAndRowsAreIndependent) {
  // 2 tokens x 3 channels, bias [2, -3, 0], shift 1, offset 8.
  IntMatrix in = mat(2, 3, {1, 1, -7, 10, -20, 4});
  IntMatrix out = fire(in, {2, -3, 0}, 1, 8, 15);
  // token 0: (1+2)=3 -> 1 -> 9;  (1-3)=-2 -> -1 -> 7;  -7 -> floor(-3.5)=-4 -> 4
  // token 1: 12 -> 6 -> 14;  -23 -> floor(-11.5)=-12 -> -4 -> 0;  4 -> 2 -> 10
  EXPECT_EQ(out.rows, 2);
  EXPECT_EQ(out.cols, 3);
  EXPECT_EQ(out.v, (std::vector<int64_t>{9, 7, 4, 14, 0, 10}));
}

// ---------------------------------------------------------------------------------------------
// §3 binary_linear: acc_j = Σ_f w_jf (c_f − in_offset)

TEST(BinaryLinear, HandCase3x2) {
  // W: 3 outputs x 2 inputs: [+,+], [+,-], [-,-].
  PackedBits w = PackedBits::from_signs(3, 2, {1, 1, 1, -1, -1, -1});
  IntMatrix c = mat(1, 2, {15, 2});
  // offset 8: centred [7, -6] -> [7-6, 7+6, -7+6] = [1, 13, -1]
  IntMatrix a8 = binary_linear(c, 8, 4, w);
  EXPECT_EQ(a8.rows, 1);
  EXPECT_EQ(a8.cols, 3);
  EXPECT_EQ(a8.v, (std::vector<int64_t>{1, 13, -1}));
  // offset 0: [15, 2] -> [17, 13, -17]
  EXPECT_EQ(binary_linear(c, 0, 4, w).v, (std::vector<int64_t>{17, 13, -17}));
  EXPECT_EQ(binary_linear_naive(c, 8, w).v, (std::vector<int64_t>{1, 13, -1}));
}

TEST(BinaryLinear, HandCaseTwoTokens) {
  // W: 2 outputs x 3 inputs: [+,-,+], [-,-,+]; counts offset 8.
  PackedBits w = PackedBits::from_signs(2, 3, {1, -1, 1, -1, -1, 1});
  IntMatrix c = mat(2, 3, {15, 0, 8, 3, 9, 12});
  // token 0 centred [7,-8,0]: row0 7+8+0 = 15; row1 -7+8+0 = 1
  // token 1 centred [-5,1,4]: row0 -5-1+4 = -2; row1 5-1+4 = 8
  EXPECT_EQ(binary_linear(c, 8, 4, w).v, (std::vector<int64_t>{15, 1, -2, 8}));
}

TEST(BinaryLinear, ZeroSignCountsAsPlusOne) {
  // from_signs: ">= 0 counts as +1" (and §3: the sign of 0 is +1).
  PackedBits w = PackedBits::from_signs(1, 2, {0, -1});
  // [3, 5], offset 0: +3 - 5 = -2
  EXPECT_EQ(binary_linear(mat(1, 2, {3, 5}), 0, 4, w).v, (std::vector<int64_t>{-2}));
}

TEST(BinaryLinear, BitSerialMatchesPlainSumOnRandomInputs) {
  std::mt19937_64 rng(12345);
  struct Cfg {
    int bits, offset;
  };
  const Cfg cfgs[] = {{4, 0}, {4, 8}, {8, 0}, {8, 8}, {8, 128}};
  for (int width : {1, 63, 64, 65, 130, 768}) {
    for (const Cfg &cfg : cfgs) {
      const int levels = (1 << cfg.bits) - 1;
      const int rows = 5, outs = 7;
      std::vector<int8_t> signs(size_t(outs) * size_t(width));
      for (auto &s : signs)
        s = (rng() & 1) ? 1 : -1;
      PackedBits w = PackedBits::from_signs(outs, width, signs);
      IntMatrix c(rows, width);
      for (auto &x : c.v)
        x = int64_t(rng() % uint64_t(levels + 1));
      // Include the extremes: an all-Lmax row and an all-zero row.
      std::fill(c.row(0), c.row(0) + width, levels);
      std::fill(c.row(1), c.row(1) + width, 0);
      // Independent plain sum straight from the sign matrix.
      IntMatrix want(rows, outs);
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < outs; ++j) {
          int64_t acc = 0;
          for (int f = 0; f < width; ++f)
            acc += int64_t(signs[size_t(j) * size_t(width) + size_t(f)]) * (c.at(r, f) - cfg.offset);
          want.at(r, j) = acc;
        }
      SCOPED_TRACE("width " + std::to_string(width) + " bits " + std::to_string(cfg.bits) +
                   " offset " + std::to_string(cfg.offset));
      IntMatrix fast = binary_linear(c, cfg.offset, cfg.bits, w);
      IntMatrix naive = binary_linear_naive(c, cfg.offset, w);
      ASSERT_EQ(fast.rows, rows);
      ASSERT_EQ(fast.cols, outs);
      EXPECT_EQ(fast.v, want.v);
      EXPECT_EQ(naive.v, want.v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// §7 int_linear: logit_j = Σ_f W_jf (c_f − in_offset) + B_j

TEST(IntLinear, HandCase) {
  IntMatrix c = mat(1, 2, {3, 10});
  std::vector<int8_t> w = {2, -1, -128, 127};
  // offset 0: row0 5 + 2*3 - 10 = 1;  row1 -7 - 128*3 + 127*10 = -7 - 384 + 1270 = 879
  EXPECT_EQ(int_linear(c, 0, w, {5, -7}, 2).v, (std::vector<int64_t>{1, 879}));
  // offset 8: centred [-5, 2]: row0 5 - 10 - 2 = -7;  row1 -7 + 640 + 254 = 887
  EXPECT_EQ(int_linear(c, 8, w, {5, -7}, 2).v, (std::vector<int64_t>{-7, 887}));
}

// ---------------------------------------------------------------------------------------------
// §4 qk_scores: s_ij = ceil_shr(Σ (q−o)(k−o), score_shift)

TEST(QkScores, CeilOnNegativeScores) {
  IntMatrix q = mat(1, 2, {9, 10}); // centred [1, 2]
  // keys centred: [-1,-2] S=-1-4=-5; [1,2] S=1+4=5; [0,-2] S=-4; [3,-3] S=3-6=-3
  IntMatrix k = mat(4, 2, {7, 6, 9, 10, 8, 6, 11, 5});
  // shift 2: ceil(-5/4)=-1, ceil(5/4)=2, ceil(-4/4)=-1, ceil(-3/4)=0
  IntMatrix s = qk_scores(q, k, 1, 2, 8);
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(s.cols, 4);
  EXPECT_EQ(s.v, (std::vector<int64_t>{-1, 2, -1, 0}));
  // shift 0: the raw dot products
  EXPECT_EQ(qk_scores(q, k, 1, 0, 8).v, (std::vector<int64_t>{-5, 5, -4, -3}));
  // shift -1: times 2
  EXPECT_EQ(qk_scores(q, k, 1, -1, 8).v, (std::vector<int64_t>{-10, 10, -8, -6}));
}

TEST(QkScores, TwoHeadsAreHeadMajor) {
  // head dim 2. q0 centred [1,2 | 0,-1], q1 [0,0 | 2,2]; k0 [1,2 | -1,1], k1 [-2,0 | 4,-4]
  IntMatrix q = mat(2, 4, {9, 10, 8, 7, 8, 8, 10, 10});
  IntMatrix k = mat(2, 4, {9, 10, 7, 9, 6, 8, 12, 4});
  // head0: (0,0) 1+4=5; (0,1) -2+0=-2; (1,0) 0; (1,1) 0
  // head1: (0,0) 0*-1 + -1*1 = -1; (0,1) 0*4 + -1*-4 = 4; (1,0) -2+2=0; (1,1) 8-8=0
  IntMatrix s = qk_scores(q, k, 2, 0, 8);
  EXPECT_EQ(s.rows, 4);
  EXPECT_EQ(s.cols, 2);
  EXPECT_EQ(s.v, (std::vector<int64_t>{5, -2, 0, 0, -1, 4, 0, 0}));
  // shift 1: ceil(5/2)=3, ceil(-2/2)=-1, ceil(-1/2)=0, ceil(4/2)=2
  EXPECT_EQ(qk_scores(q, k, 2, 1, 8).v, (std::vector<int64_t>{3, -1, 0, 0, 0, 2, 0, 0}));
}

// ---------------------------------------------------------------------------------------------
// §4 ptsoftmax

std::vector<int64_t> softmax_row(const std::vector<int64_t> &s, int out_exp, int frac = 16,
                                 int levels = 15) {
  return ptsoftmax(mat(1, int(s.size()), s), frac, out_exp, levels).v;
}

TEST(PtSoftmax, SpecExample) {
  // s=[0,-1,-1]: d=[0,1,1], A=[2^16,2^15,2^15], Z=2^17, bw(Z)=18 -> z=17;
  // Z-2^17 = 0 < 2^18-Z -> stays 17. p = 2^(16-d-17) = [1/2, 1/4, 1/4].
  // out_exp -4: e = 16-d-17+4 = [3, 2, 2] -> counts [8, 4, 4]
  EXPECT_EQ(softmax_row({0, -1, -1}, -4), (std::vector<int64_t>{8, 4, 4}));
  // Shifted by +7 (invariance): same
  EXPECT_EQ(softmax_row({7, 6, 6}, -4), (std::vector<int64_t>{8, 4, 4}));
  // out_exp -2: e = [1, 0, 0] -> [2, 1, 1]
  EXPECT_EQ(softmax_row({0, -1, -1}, -2), (std::vector<int64_t>{2, 1, 1}));
  // out_exp -1: e = [0, -1, -1] -> [1, 1, 1]  (e = -1 -> floor(1/2 + 1/2) = 1)
  EXPECT_EQ(softmax_row({0, -1, -1}, -1), (std::vector<int64_t>{1, 1, 1}));
  // out_exp 0: e = [-1, -2, -2] -> [1, 0, 0]
  EXPECT_EQ(softmax_row({0, -1, -1}, 0), (std::vector<int64_t>{1, 0, 0}));
}

TEST(PtSoftmax, NearestPowerOfTwoTiesUp) {
  // s=[0,-1]: Z = 2^16 + 2^15 = 1.5*2^16; bw=17 -> z=16; Z-2^16 = 2^15, 2^17-Z = 2^15: tie
  // -> ties up -> z=17. e = 16-d-17+4 = [3, 2] -> [8, 4]  (z=16 would give [15, 8])
  EXPECT_EQ(softmax_row({0, -1}, -4), (std::vector<int64_t>{8, 4}));
  // s=[0,-2]: Z = 2^16+2^14; Z-2^16 = 2^14 < 2^17-Z = 3*2^14 -> z=16.
  // e = 16-d-16+4 = [4, 2] -> [15, 4]
  EXPECT_EQ(softmax_row({0, -2}, -4), (std::vector<int64_t>{15, 4}));
  // s=[0,-1,-2]: Z = 7*2^14; Z-2^16 = 3*2^14 >= 2^17-Z = 2^14 -> z=17.
  // e = 16-d-17+4 = [3, 2, 1] -> [8, 4, 2]
  EXPECT_EQ(softmax_row({0, -1, -2}, -4), (std::vector<int64_t>{8, 4, 2}));
  // Four equal scores: Z = 4*2^16 = 2^18 -> z=18; e = 16-0-18+4 = 2 -> [4,4,4,4]
  EXPECT_EQ(softmax_row({3, 3, 3, 3}, -4), (std::vector<int64_t>{4, 4, 4, 4}));
  // Three equal scores: Z = 3*2^16: z0=17, Z-2^17 = 2^16, 2^18-Z = 2^16: tie -> z=18 -> [4,4,4]
  EXPECT_EQ(softmax_row({1, 1, 1}, -4), (std::vector<int64_t>{4, 4, 4}));
}

TEST(PtSoftmax, TermsMoreThanFBelowTheMaxAreDropped) {
  // F=2: s=[0,-1,-3]: A = [4, 2, 0 (d=3 > F)], Z = 6: z0=2, 6-4 = 2 >= 8-6 = 2 -> z=3.
  // e = 2-d-3+4 = [3, 2, -] -> [8, 4, 0]   (p = 0 where A = 0)
  EXPECT_EQ(softmax_row({0, -1, -3}, -4, 2), (std::vector<int64_t>{8, 4, 0}));
  // F=16: s=[0,-16,-17]: A=[2^16, 1, 0]; Z = 2^16+1 -> z=16.
  // e = [16-0-16+4, 16-16-16+4, -] = [4, -12, -] -> [15, 0, 0]
  EXPECT_EQ(softmax_row({0, -16, -17}, -4), (std::vector<int64_t>{15, 0, 0}));
}

TEST(PtSoftmax, SingleKeyAndExtremeExponents) {
  // One key: Z = 2^16, z = 16, p = 1.  e = -out_exp.
  EXPECT_EQ(softmax_row({5}, 1), (std::vector<int64_t>{1}));   // e = -1 -> 1
  EXPECT_EQ(softmax_row({5}, 2), (std::vector<int64_t>{0}));   // e = -2 -> 0
  EXPECT_EQ(softmax_row({5}, 0), (std::vector<int64_t>{1}));   // e = 0 -> 1
  EXPECT_EQ(softmax_row({5}, -3), (std::vector<int64_t>{8}));  // e = 3 -> 8
  EXPECT_EQ(softmax_row({5}, -4), (std::vector<int64_t>{15})); // e = 4 = k -> Lmax
  EXPECT_EQ(softmax_row({5}, -40), (std::vector<int64_t>{15})); // e = 40 -> Lmax
  EXPECT_EQ(softmax_row({5}, -7, 16, 255), (std::vector<int64_t>{128})); // 8-bit: e=7 -> 128
  EXPECT_EQ(softmax_row({5}, -8, 16, 255), (std::vector<int64_t>{255})); // e=8 -> 255
}

TEST(PtSoftmax, MultipleRowsAreIndependent) {
  // Row 0 = spec example, row 1 = the tie case padded with a dropped term (d=40 > 16).
  IntMatrix s = mat(2, 3, {0, -1, -1, 0, -1, -40});
  EXPECT_EQ(ptsoftmax(s, 16, -4, 15).v, (std::vector<int64_t>{8, 4, 4, 8, 4, 0}));
}

TEST(PtSoftmax, PropertiesOnRandomRows) {
  std::mt19937_64 rng(7);
  const std::set<int64_t> allowed4 = {0, 1, 2, 4, 8, 15}; // 2^e for e in [0,4), 15 = Lmax
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + int(rng() % 20);
    const int spread = 1 + int(rng() % 30);
    const int out_exp = -int(rng() % 7); // 0 .. -6
    IntMatrix s(1, n);
    for (auto &x : s.v)
      x = int64_t(rng() % uint64_t(spread)) - spread / 2;
    const std::vector<int64_t> p = ptsoftmax(s, 16, out_exp, 15).v;
    for (int64_t c : p)
      EXPECT_TRUE(allowed4.count(c)) << "count " << c;
    // Invariance: adding a constant to the row changes no d_ij.
    IntMatrix shifted = s;
    const int64_t add = int64_t(rng() % 1000) - 500;
    for (auto &x : shifted.v)
      x += add;
    EXPECT_EQ(ptsoftmax(shifted, 16, out_exp, 15).v, p) << "not invariant to +" << add;
    // Monotone: a larger score never gets a smaller count; equal scores get equal counts.
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b) {
        if (s.v[size_t(a)] > s.v[size_t(b)]) {
          EXPECT_GE(p[size_t(a)], p[size_t(b)]);
        } else if (s.v[size_t(a)] == s.v[size_t(b)]) {
          EXPECT_EQ(p[size_t(a)], p[size_t(b)]);
        }
      }
    // 8-bit levels: counts are 0, powers of two below 256, or 255.
    for (int64_t c : ptsoftmax(s, 16, out_exp - 4, 255).v)
      EXPECT_TRUE(c == 0 || c == 255 || (c > 0 && c < 256 && (c & (c - 1)) == 0)) << c;
  }
}

// ---------------------------------------------------------------------------------------------
// §5 pv_matmul and residual_add

TEST(PvMatmul, TwoHeadsByHand) {
  // v (2 tokens x 4, head dim 2) centred: v0 [1,-1 | 2,0], v1 [-4,4 | 0,7]
  IntMatrix v = mat(2, 4, {9, 7, 10, 8, 4, 12, 8, 15});
  // probs rows h*n+i: (h0,i0) [8,4]; (h0,i1) [0,15]; (h1,i0) [1,2]; (h1,i1) [2,0]
  IntMatrix p = mat(4, 2, {8, 4, 0, 15, 1, 2, 2, 0});
  // C[0, h0] = 8*[1,-1] + 4*[-4,4] = [-8, 8];   C[1, h0] = 15*[-4,4] = [-60, 60]
  // C[0, h1] = 1*[2,0] + 2*[0,7] = [2, 14];     C[1, h1] = 2*[2,0] = [4, 0]
  IntMatrix c = pv_matmul(p, v, 2, 8);
  EXPECT_EQ(c.rows, 2);
  EXPECT_EQ(c.cols, 4);
  EXPECT_EQ(c.v, (std::vector<int64_t>{-8, 8, 2, 14, -60, 60, 4, 0}));
}

TEST(ResidualAdd, ShiftsToTheFinerGrid) {
  // acc_exp -3, res_exp -5 -> E_r = -5. acc [3,-2], B [1,-1], H [-7,4]
  // (3+1)*2^2 - 7 = 9;  (-2-1)*4 + 4 = -8
  EXPECT_EQ(residual_add(mat(1, 2, {3, -2}), -3, {1, -1}, mat(1, 2, {-7, 4}), -5, -5).v,
            (std::vector<int64_t>{9, -8}));
  // acc_exp -6, res_exp -4 -> E_r = -6. acc [-5,0], B [2,0], H [3,-1]
  // (-5+2)*1 + 3*4 = 9;  0 + (-1)*4 = -4
  EXPECT_EQ(residual_add(mat(1, 2, {-5, 0}), -6, {2, 0}, mat(1, 2, {3, -1}), -4, -6).v,
            (std::vector<int64_t>{9, -4}));
  // equal exponents: plain sum (two rows): [1+0+2, -4+1-3 | 0+0+0, 5+1+0]
  EXPECT_EQ(residual_add(mat(2, 2, {1, -4, 0, 5}), 2, {0, 1}, mat(2, 2, {2, -3, 0, 0}), 2, 2).v,
            (std::vector<int64_t>{3, -6, 0, 6}));
  // the largest allowed difference, 16: (1+0)*2^16 + (-1) = 65535
  EXPECT_EQ(residual_add(mat(1, 1, {1}), 10, {0}, mat(1, 1, {-1}), -6, -6).v,
            (std::vector<int64_t>{65535}));
}

// ---------------------------------------------------------------------------------------------
// §6 snap: sign(y) 2^(round(log2|y|) − out_exp), flush below, saturate at 2^30

TEST(SnapPow2, RoundsLog2AtSqrt2) {
  EXPECT_EQ(snap_pow2(1, 0, 0), 1);   // log2 1 = 0
  EXPECT_EQ(snap_pow2(2, 0, 0), 2);   // exact power
  EXPECT_EQ(snap_pow2(3, 0, 0), 4);   // n0=1, 3 >= 2*sqrt2=2.83 -> n=2
  EXPECT_EQ(snap_pow2(5, 0, 0), 4);   // n0=2, 5 < 4*sqrt2=5.66 -> n=2
  EXPECT_EQ(snap_pow2(6, 0, 0), 8);   // n0=2, 6 >= 5.66 -> n=3
  EXPECT_EQ(snap_pow2(11, 0, 0), 8);  // n0=3, 11 < 11.31 -> n=3
  EXPECT_EQ(snap_pow2(12, 0, 0), 16); // n0=3, 12 >= 11.31 -> n=4
  // 181/128 = 1.4140625 < sqrt2 = 1.41421356 -> n=0 -> 1
  EXPECT_EQ(snap_pow2(181, -7, 0), 1);
  // 182/128 = 1.421875 > sqrt2 -> n=1 -> 2
  EXPECT_EQ(snap_pow2(182, -7, 0), 2);
  // on grid out_exp -4: 2^(0+4) = 16 and 2^(1+4) = 32
  EXPECT_EQ(snap_pow2(181, -7, -4), 16);
  EXPECT_EQ(snap_pow2(182, -7, -4), 32);
  // 3 * 2^5 = 96 -> n = 2+5 = 7; out_exp 3 -> 2^4 = 16
  EXPECT_EQ(snap_pow2(3, 5, 3), 16);
  // 0 -> 0
  EXPECT_EQ(snap_pow2(0, 0, 0), 0);
  EXPECT_EQ(snap_pow2(0, -30, -40), 0);
}

TEST(SnapPow2, NegativeValuesKeepTheirSign) {
  EXPECT_EQ(snap_pow2(-3, 0, 0), -4);
  EXPECT_EQ(snap_pow2(-5, 0, 0), -4);
  EXPECT_EQ(snap_pow2(-6, 0, 0), -8);
  EXPECT_EQ(snap_pow2(-181, -7, 0), -1);
  EXPECT_EQ(snap_pow2(-182, -7, -4), -32);
  EXPECT_EQ(snap_pow2(-1, -2, -4), -4); // -2^-2 on grid -4: -2^2
}

TEST(SnapPow2, FlushesBelowTheGrid) {
  EXPECT_EQ(snap_pow2(1, -5, -4), 0);  // n = -5 < -4 -> 0
  EXPECT_EQ(snap_pow2(-1, -5, -4), 0);
  EXPECT_EQ(snap_pow2(1, -4, -4), 1);  // n = -4 = E_h -> 2^0
  // 3/64: n0 = 1-6 = -5, 3 >= 2*sqrt2 -> n = -4 -> 1
  EXPECT_EQ(snap_pow2(3, -6, -4), 1);
  // 5/128: n0 = 2-7 = -5, 5 < 5.66 -> n = -5 -> flushed
  EXPECT_EQ(snap_pow2(5, -7, -4), 0);
}

TEST(SnapPow2, SaturatesAt2To30) {
  EXPECT_EQ(snap_pow2(1, 30, 0), int64_t(1) << 30);  // n - E_h = 30: exactly the limit
  EXPECT_EQ(snap_pow2(1, 29, 0), int64_t(1) << 29);
  EXPECT_EQ(snap_pow2(1, 31, 0), int64_t(1) << 30);  // 31 > 30 -> saturate
  EXPECT_EQ(snap_pow2(1, 40, -12), int64_t(1) << 30); // 52 -> 30
  EXPECT_EQ(snap_pow2(-1, 40, -12), -(int64_t(1) << 30));
  EXPECT_EQ(snap_pow2(3, 29, 0), int64_t(1) << 30);  // n = 2 + 29 = 31 -> 30
}

TEST(SnapPow2, Large128BitNumerators) {
  const Int128 one = 1;
  EXPECT_EQ(snap_pow2(one << 100, -100, 0), 1);              // exactly 1
  EXPECT_EQ(snap_pow2((one << 100) * 3, -100, 0), 4);        // 3 -> 4
  EXPECT_EQ(snap_pow2((one << 100) * 5, -100, 0), 4);        // 5 -> 4
  EXPECT_EQ(snap_pow2(-((one << 100) * 6), -100, 0), -8);    // -6 -> -8
  // K = floor(sqrt2 * 2^126) (numerics.md §6): K/2^126 < sqrt2 -> n=0; (K+1)/2^126 > sqrt2 -> n=1
  const Int128 k = Int128((UInt128(0x5a827999fcef3242ULL) << 64) | UInt128(0x2cbec4d9baa55f4fULL));
  EXPECT_EQ(snap_pow2(k, -126, 0), 1);
  EXPECT_EQ(snap_pow2(k + 1, -126, 0), 2);
  EXPECT_EQ(snap_pow2(-k, -126, 0), -1);
  EXPECT_EQ(snap_pow2(-(k + 1), -126, 0), -2);
  // The same boundary one bit lower: K>>1 has bw 126 and (K>>1)/2^125 < sqrt2; (K>>1)+1 > sqrt2*2^125
  // since floor(sqrt2*2^125) = K>>1.
  EXPECT_EQ(snap_pow2(k >> 1, -125, 0), 1);
  EXPECT_EQ(snap_pow2((k >> 1) + 1, -125, 0), 2);
  // Largest Int128: 2^127 - 1, |y|/2^126 ~ 2 > sqrt2 -> n = 127 + exp
  const Int128 max128 = Int128(~UInt128(0) >> 1);
  EXPECT_EQ(snap_pow2(max128, -127, 0), 1);
  EXPECT_EQ(snap_pow2(-max128, -127, 0), -1);
  EXPECT_EQ(snap_pow2(max128, -127, -10), 1024);
}

TEST(SnapPow2, MostNegative128BitNumerator) {
  // -2^127 * 2^-127 = -1 exactly: n = 0 -> -1. (|Y| has bit width 128 here.)
  const Int128 min128 = -Int128(~UInt128(0) >> 1) - 1;
  EXPECT_EQ(snap_pow2(min128, -127, 0), -1);
  EXPECT_EQ(snap_pow2(min128, -127, -3), -8);
}

// ---------------------------------------------------------------------------------------------
// §6 BSPN

TEST(Bspn, SpecHandExample) {
  // R = [3,-1,0,4], E_r = 0, G = 4 (g=2): M = 8, bw(8) = 4, c = 4 + 0 - 2 = 2.
  // σ=+1, γ=0, β=0: y = R * 2^(0-2) = [0.75, -0.25, 0, 1]
  // snap: 0.75: n0=-1, 0.75 >= 0.707 -> n=0 -> 1; -0.25 -> -2^-2; 0 -> 0; 1 -> 1
  // on out_exp -4: [2^4, -2^2, 0, 2^4] = [16, -4, 0, 16]
  // Row 2 = 2*R: M = 16, bw = 5, c = 3: same normalised values -> same output.
  IntMatrix in = mat(2, 4, {3, -1, 0, 4, 6, -2, 0, 8});
  IntMatrix out = bspn(in, 0, 4, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}, -8, -4);
  EXPECT_EQ(out.rows, 2);
  EXPECT_EQ(out.cols, 4);
  EXPECT_EQ(out.v, (std::vector<int64_t>{16, -4, 0, 16, 16, -4, 0, 16}));
}

TEST(Bspn, SignGammaAndBeta) {
  // R = [3,-1,0,4], E_r = -3, G = 4: M = 8, c = bw(8) + (-3) - 2 = -1, E_r - c = -2.
  // beta_exp -3, out_exp -4.
  // f0: σ=-1, γ=1, β=3:  y = -3*2^(-2+1) + 3/8 = -1.5 + 0.375 = -1.125 -> n0=0, < sqrt2 -> -1 -> -16
  // f1: σ=+1, γ=-1, β=4: y = -1*2^-3 + 4/8 = 0.375 -> n0=-2, 0.375 >= 0.3536 -> n=-1 -> 2^3 = 8
  // f2: R=0, σ=+1, γ=2, β=-20: y = -20/8 = -2.5 -> n0=1, 2.5 < 2.83 -> n=1 -> -2^5 = -32
  // f3: σ=0, γ=5, β=1: y = 1/8 -> n=-3 -> 2^1 = 2
  IntMatrix in = mat(1, 4, {3, -1, 0, 4});
  IntMatrix out = bspn(in, -3, 4, {-1, 1, 1, 0}, {1, -1, 2, 5}, {3, 4, -20, 1}, -3, -4);
  EXPECT_EQ(out.v, (std::vector<int64_t>{-16, 8, -32, 2}));
}

TEST(Bspn, AllZeroGroupGivesSnappedBeta) {
  // G = 2, E_r = -2, β on 2^-3, out_exp -4.
  // group 0 = [0, 0]: y = β * 2^-3 = [12/8 = 1.5, -1/8] -> 1.5 >= sqrt2 -> 2 -> 32; -2^-3 -> -2
  // group 1 = [5, -3]: M = 8, c = bw(8) - 2 - 1 = 1, y = R * 2^(-2-1) = [0.625, -0.375]
  //   0.625: n0=-1, < 0.707 -> n=-1 -> 2^3 = 8;  -0.375: n0=-2, >= 0.3536 -> n=-1 -> -8
  IntMatrix in = mat(1, 4, {0, 0, 5, -3});
  IntMatrix out = bspn(in, -2, 2, {1, 1, 1, 1}, {0, 0, 0, 0}, {12, -1, 0, 0}, -3, -4);
  EXPECT_EQ(out.v, (std::vector<int64_t>{32, -2, 8, -8}));
  // All-zero group and zero β -> 0
  EXPECT_EQ(bspn(mat(1, 2, {0, 0}), 0, 2, {1, 1}, {0, 0}, {0, 0}, 0, -4).v,
            (std::vector<int64_t>{0, 0}));
}

TEST(Bspn, ExactPowerOfTwoMeanAndLargeValues) {
  // G = 1 (g=0): each channel is its own group. R = 2^40, E_r = -10: M = 2^40, bw = 41,
  // c = 41 - 10 - 0 = 31, y = 2^40 * 2^(-10-31) = 1/2 -> out_exp -4: 2^3 = 8.
  // R = -(2^40 - 1) ~ -2^40: bw = 40, c = 30, y = -(2^40-1)*2^-40 ~ -1 -> n0 = -1,
  // 0.99.. >= 0.707 -> n = 0 -> -16.
  const int64_t big = int64_t(1) << 40;
  IntMatrix out = bspn(mat(1, 2, {big, -(big - 1)}), -10, 1, {1, 1}, {0, 0}, {0, 0}, -8, -4);
  EXPECT_EQ(out.v, (std::vector<int64_t>{8, -16}));
}

// ---------------------------------------------------------------------------------------------
// §1 embedding

TEST(Embedding, TinyTablesByHand) {
  // vocab 3, hidden 2. word signs: row0 [+,-], row1 [-,-], row2 [+,+]; word_exp -3.
  PackedBits word = PackedBits::from_signs(3, 2, {1, -1, -1, -1, 1, 1});
  std::vector<int8_t> pos = {1, -2, 0, 5, -128, 127}; // [3, 2], pos_exp -6
  std::vector<int8_t> type = {1, 0, -1, 3};           // [2, 2], type_exp -5
  // E = min(-3, -6, -5) = -6: R = σ*2^3 + pos*2^0 + type*2^1
  // i0 (id 2, type 0): [8, 8] + [1, -2] + [2, 0] = [11, 6]
  // i1 (id 0, type 1): [8, -8] + [0, 5] + [-2, 6] = [6, 3]
  // i2 (id 1, type 1): [-8, -8] + [-128, 127] + [-2, 6] = [-138, 125]
  IntMatrix out = embedding({2, 0, 1}, {0, 1, 1}, word, -3, pos, -6, type, -5, 2, -6);
  EXPECT_EQ(out.rows, 3);
  EXPECT_EQ(out.cols, 2);
  EXPECT_EQ(out.v, (std::vector<int64_t>{11, 6, 6, 3, -138, 125}));
  // Only the first n positions are used: one token (id 1, type 0): [-8,-8]+[1,-2]+[2,0] = [-5,-10]
  EXPECT_EQ(embedding({1}, {0}, word, -3, pos, -6, type, -5, 2, -6).v,
            (std::vector<int64_t>{-5, -10}));
}

} // namespace
} // namespace granita::ref
