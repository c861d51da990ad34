// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/sorbet_model.h"
#include "src/ref/kernels.h"

#include <algorithm>
#include <cstdint>
#include <vector>

/// Kernels of the `official` numerics profile (docs/numerics.md §10): the integer form of the
/// official Sorbet eval forward, with fixed-point multipliers where the official code multiplies
/// by learnt float steps, half-to-even rounding, the float32 rules of BSPN and the tensor-wide
/// minima of the two unsigned quantizers. Pure functions of integer inputs, like kernels.h.
namespace granita::ref::official {

/// x / 2^s rounded as `r` (floor, or to nearest with ties to even); for s ≤ 0, x · 2^-s exactly.
Int128 round_shift(Int128 x, int s, model::Rounding r);

/// floor(sqrt(a)) for a ≥ 0.
UInt128 isqrt(UInt128 a);

/// The float32 value nearest num · 2^exp (ties to even), as a double (exact). 0 stays 0.
double to_float32(Int128 num, int exp);

/// ceil(log2(fl32(fl32(mean) + 1e-5f))) for mean = sum · 2^exp ≥ 0: the official BSPN group
/// exponent, log2 taken in double and rounded to float32 as a correctly rounded log2f would.
int bspn_group_exponent(UInt128 sum, int exp);

/// round-half-even(fl32(log2 |y32|)) for the float32 value y32 ≠ 0: the official BSPN snap.
int bspn_snap_exponent(double y32);

/// Nearest power of two of m > 0 by linear distance, ties up (official find_closest_power_of_two).
int64_t nearest_pow2_linear(int64_t m);
/// 2^round(log2 m) for m > 0 (official unsigned quantizer, positive minimum); no ties exist.
int64_t nearest_pow2_log(int64_t m);

/// §10.1 embedding: binarised word rows with per-row scales plus position and type rows (one grid),
/// then LayerNorm in fixed point; output on the hidden grid, `ln_shift` = out_exp − ln_exp.
IntMatrix embedding(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                    const model::PackedBits &word, const std::vector<int32_t> &word_scale,
                    const std::vector<int32_t> &pos, const std::vector<int32_t> &type_table,
                    const std::vector<int32_t> &gamma, const std::vector<int32_t> &beta,
                    int hidden, int ln_shift);

/// The official unsigned quantizer's response to its tensor-wide minimum `mn`: the input is
/// moved by `move` (subtracted) and the dequantized value is α·c + `offset` (§10.2).
struct MinMove {
  int64_t move = 0, offset = 0;
};
MinMove min_move(int64_t mn);

/// §10.2 fire: c = clamp(R(V·M + B_j, shift) + offset, 0, levels). With MinRule::Official (an
/// unsigned site) the input is first moved by the official rule for its tensor-wide minimum and
/// the result carries the dequantization offset (in input units) in IntMatrix::offset. The
/// minimum is that of `in` unless `tensor_min` gives it (a row of a larger tensor, on the chip).
IntMatrix fire(const IntMatrix &in, const std::vector<int64_t> &bias, int64_t mult, int shift,
               model::Rounding r, int offset, int levels, model::MinRule rule,
               const int64_t *tensor_min = nullptr);

/// §10.3 requant: y = relu?(R(V·M + B_j, shift)) + move_j.
IntMatrix requant(const IntMatrix &in, const std::vector<int64_t> &bias, int64_t mult, int shift,
                  model::Rounding r, bool relu, const std::vector<int64_t> &move);

/// §10.4 binary linear on counts that stand for c·in_step + counts.offset:
/// acc_j = in_step · Σ_f w_jf (c_f − in_offset) + counts.offset · Σ_f w_jf.
IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w, int64_t in_step);

/// §10.5 s_ij = ceil(Σ_f (q_if − o)(k_jf − o) · M / 2^shift), rows head-major as ref::qk_scores.
IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int64_t mult, int shift,
                    int offset);

/// The part of PTsoftmax's tensor-wide minimum one set of rows contributes: min p = 2^-e_max,
/// or 0 if some p underflows float32. Combine partials with `combine`.
struct ProbMin {
  int64_t e_max = 0;
  bool underflow = false;
  void combine(const ProbMin &o) {
    e_max = std::max(e_max, o.e_max);
    underflow = underflow || o.underflow;
  }
};
ProbMin ptsoftmax_min(const IntMatrix &scores, int frac_bits);
/// The runtime offset PTsoftmax's output carries for a tensor-wide minimum: floor(min p·2^frac).
int64_t prob_offset(const ProbMin &pm, int prob_frac);

/// §10.6 PTsoftmax with the official unsigned quantizer: counts of (p − min p)/α via M/2^shift,
/// result offset floor(min p · 2^prob_frac) (0 when some p underflows float32). The minimum is
/// over `scores` unless `tensor_min` gives it (rows of a larger tensor, on the chip).
IntMatrix ptsoftmax(const IntMatrix &scores, int frac_bits, int prob_frac, int64_t mult,
                    int shift, int levels, const ProbMin *tensor_min = nullptr);

/// §10.7 C_if = Σ_j (p_ij · prob_step + probs.offset) (v_jf − o).
IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset,
                    int64_t prob_step);

/// §10.8 R = R(acc·M + B_j, shift) + H · 2^res_shift.
IntMatrix residual_add(const IntMatrix &acc, const std::vector<int64_t> &bias, int64_t mult,
                       int shift, model::Rounding r, const IntMatrix &res, int res_shift);

/// §10.9 BSPN with the official float32 group exponent and snap.
IntMatrix bspn(const IntMatrix &in, int in_exp, int group, const std::vector<int8_t> &gamma_sign,
               const std::vector<int8_t> &gamma_exp, const std::vector<int32_t> &beta,
               int beta_exp, int out_exp);

/// §10.10 classifier on an integer tensor: logit_j = Σ_f W_jf x_f + B_j.
IntMatrix int_linear(const IntMatrix &x, const std::vector<int32_t> &w,
                     const std::vector<int64_t> &bias, int out_features);

} // namespace granita::ref::official
