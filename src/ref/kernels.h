// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/packed_bits.h"
#include "src/ref/simd/simd.h"

#include <cstdint>
#include <vector>

/// Integer Sorbet reference kernels: the golden definition of every op (docs/numerics.md).
/// Each kernel is a pure function of integer inputs; the SystemC models reuse them.
namespace granita::ref {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

/// A row-major rows × cols integer matrix (one row per token, or per head × token for
/// attention scores and probabilities).
struct IntMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<int64_t> v;
  /// Official profile only: a per-tensor value computed at run time (docs/numerics.md §10), in
  /// units the producing op states (the dequantization offset of an unsigned quantizer). 0 else.
  int64_t offset = 0;

  IntMatrix() = default;
  IntMatrix(int r, int c) : rows(r), cols(c), v(size_t(r) * size_t(c), 0) {}
  int64_t &at(int r, int c) { return v[size_t(r) * size_t(cols) + size_t(c)]; }
  int64_t at(int r, int c) const { return v[size_t(r) * size_t(cols) + size_t(c)]; }
  const int64_t *row(int r) const { return v.data() + size_t(r) * size_t(cols); }
  int64_t *row(int r) { return v.data() + size_t(r) * size_t(cols); }
};

/// floor(v / 2^s) for s ≥ 0, v · 2^-s for s < 0.
inline int64_t shr(int64_t v, int s) { return s >= 0 ? (v >> s) : (v * (int64_t(1) << -s)); }
/// ceil(v / 2^s) for s ≥ 0, v · 2^-s for s < 0.
inline int64_t ceil_shr(int64_t v, int s) { return -shr(-v, s); }
/// Bit width of m > 0: floor(log2 m) + 1.
inline int bit_width(uint64_t m) { return m == 0 ? 0 : 64 - __builtin_clzll(m); }

/// §2: c = clamp(shr(V + B_j, shift) + offset, 0, levels) per element.
IntMatrix fire(const IntMatrix &in, const std::vector<int32_t> &bias, int shift, int offset,
               int levels);

// The popcount, Q·Kᵀ and P·V kernels run on the SIMD path chosen for the process
// (simd::active(), which throws InputError for a bad GRANITA_SIMD); the overloads taking a
// simd::KernelTable run on that path. Every path gives bit-identical results.

/// §3: acc_j = Σ_f w_jf (c_f − in_offset), bit-serial over `bits` planes with popcounts.
IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w);
IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w, const simd::KernelTable &kt);
/// §3 restricted to one crossbar tile: for outputs j in [c0, c1), the partial sum
/// Σ_{f in [r0, r1)} w_jf (c_f − in_offset), where `counts` holds c_r0 .. c_(r1−1). Summing the
/// tiles of every row block gives binary_linear exactly (the sum is linear).
std::vector<int64_t> binary_linear_block(const int64_t *counts, int in_offset, int bits,
                                         const model::PackedBits &w, int r0, int r1, int c0,
                                         int c1);
std::vector<int64_t> binary_linear_block(const int64_t *counts, int in_offset, int bits,
                                         const model::PackedBits &w, int r0, int r1, int c0, int c1,
                                         const simd::KernelTable &kt);
/// §3 written as the plain sum (used to check the bit-serial kernel).
IntMatrix binary_linear_naive(const IntMatrix &counts, int in_offset, const model::PackedBits &w);

/// §7: logit_j = Σ_f W_jf (c_f − in_offset) + B_j with int8 weights [out, in].
IntMatrix int_linear(const IntMatrix &counts, int in_offset, const std::vector<int8_t> &w,
                     const std::vector<int32_t> &bias, int out_features);

/// §4: per head, s_ij = ceil_shr(Σ_f (q_if − o)(k_jf − o), score_shift). Result rows are
/// head-major: row h·n + i holds query i of head h; n columns.
IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int score_shift, int offset);
IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int score_shift, int offset,
                    const simd::KernelTable &kt);

/// §4: PTsoftmax of every row of `scores`, quantized to counts with step 2^out_exp.
IntMatrix ptsoftmax(const IntMatrix &scores, int frac_bits, int out_exp, int levels);

/// §5: C_if = Σ_j p_(h·n+i) j (v_jf − o) for f in head h.
IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset);
IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset,
                    const simd::KernelTable &kt);

/// §5: R = (acc + B)·2^(acc_exp − out_exp) + H·2^(res_exp − out_exp).
IntMatrix residual_add(const IntMatrix &acc, int acc_exp, const std::vector<int32_t> &bias,
                       const IntMatrix &res, int res_exp, int out_exp);

/// §6: BSPN of every row in groups of `group` channels, output on the 2^out_exp grid.
IntMatrix bspn(const IntMatrix &in, int in_exp, int group, const std::vector<int8_t> &gamma_sign,
               const std::vector<int8_t> &gamma_exp, const std::vector<int32_t> &beta, int beta_exp,
               int out_exp);

/// §6 step 3–4 for one value y = num · 2^exp: sign(y) · 2^(round(log2|y|) − out_exp), flushed
/// to 0 below the grid and saturated at 2^30.
int64_t snap_pow2(Int128 num, int exp, int out_exp);

/// §1: embedding sum for token ids / type ids at positions 0..n−1, on grid 2^out_exp.
IntMatrix embedding(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                    const model::PackedBits &word, int word_exp, const std::vector<int8_t> &pos,
                    int pos_exp, const std::vector<int8_t> &type_table, int type_exp, int hidden,
                    int out_exp);

} // namespace granita::ref
