// SPDX-License-Identifier: Apache-2.0
#include "src/ref/official_kernels.h"

#include "src/ref/official_detail.h"

#include "src/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace granita::ref::official {

using model::MinRule;
using model::Rounding;
using namespace detail;


IntMatrix embedding(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                    const model::PackedBits &word, const std::vector<int32_t> &word_scale,
                    const std::vector<int32_t> &pos, const std::vector<int32_t> &type_table,
                    const std::vector<int32_t> &gamma, const std::vector<int32_t> &beta,
                    int hidden, int ln_shift) {
  const int n = int(ids.size());
  IntMatrix out(n, hidden);
  std::vector<int64_t> x(size_t(hidden), 0);
  const int hbits = bit_width(uint64_t(hidden));
  for (int i = 0; i < n; ++i) {
    const int64_t scale = word_scale[size_t(ids[size_t(i)])];
    int64_t sum = 0;
    for (int f = 0; f < hidden; ++f) {
      const int64_t w = word.bit(ids[size_t(i)], f) ? scale : -scale;
      x[size_t(f)] = w + pos[size_t(i) * size_t(hidden) + size_t(f)] +
                     type_table[size_t(type_ids[size_t(i)]) * size_t(hidden) + size_t(f)];
      sum += x[size_t(f)];
    }
    // LayerNorm: (x − μ)/σ = D · sqrt(H / V) with D = H·x − Σx and V = Σ D² (exact integers).
    UInt128 v = 0;
    for (int f = 0; f < hidden; ++f) {
      const Int128 d = Int128(hidden) * x[size_t(f)] - sum;
      v += abs128(d) * abs128(d);
    }
    int64_t *y = out.row(i);
    if (v == 0) {
      for (int f = 0; f < hidden; ++f)
        y[f] = beta[size_t(f)];
      continue;
    }
    // sqrt(H / V) ≈ r · 2^-(q + k/2): V normalised to ≤ 60 bits (k even), H·2^2q to ≤ 122 bits.
    int k = std::max(0, bit_width128(v) - 60);
    k += k & 1;
    const UInt128 vn = v >> k;
    const int q = (122 - hbits) / 2;
    const UInt128 r = isqrt((UInt128(uint64_t(hidden)) << (2 * q)) / vn);
    for (int f = 0; f < hidden; ++f) {
      const Int128 d = Int128(hidden) * x[size_t(f)] - sum;
      const Int128 t = Int128(gamma[size_t(f)]) * d * Int128(r);
      y[f] = narrow(round_shift(t, q + k / 2 + ln_shift, Rounding::HalfEven) + beta[size_t(f)],
                    "embedding LayerNorm output");
    }
  }
  return out;
}

IntMatrix fire(const IntMatrix &in, const std::vector<int64_t> &bias, int64_t mult, int shift,
               Rounding r, int offset, int levels, MinRule rule, const int64_t *tensor_min) {
  GRANITA_ASSERT(int(bias.size()) == in.cols, "fire bias size");
  IntMatrix out(in.rows, in.cols);
  int64_t move = 0; // subtracted from every input before quantizing
  if (rule == MinRule::Official && (tensor_min || !in.v.empty())) {
    // Official unsigned quantizer: the minimum over the whole tensor (all tokens, all channels).
    const MinMove mm =
        min_move(tensor_min ? *tensor_min : *std::min_element(in.v.begin(), in.v.end()));
    move = mm.move;
    out.offset = mm.offset;
  }
  for (int row = 0; row < in.rows; ++row) {
    const int64_t *x = in.row(row);
    int64_t *y = out.row(row);
    for (int c = 0; c < in.cols; ++c) {
      const Int128 v = (Int128(x[c]) - move) * mult + bias[size_t(c)];
      const Int128 q = round_shift(v, shift, r) + offset;
      y[c] = int64_t(std::clamp<Int128>(q, 0, levels));
    }
  }
  return out;
}

IntMatrix requant(const IntMatrix &in, const std::vector<int64_t> &bias, int64_t mult, int shift,
                  Rounding r, bool relu, const std::vector<int64_t> &move) {
  GRANITA_ASSERT(int(bias.size()) == in.cols && int(move.size()) == in.cols, "requant sizes");
  IntMatrix out(in.rows, in.cols);
  for (int row = 0; row < in.rows; ++row)
    for (int c = 0; c < in.cols; ++c) {
      Int128 v = round_shift(Int128(in.at(row, c)) * mult + bias[size_t(c)], shift, r);
      if (relu && v < 0)
        v = 0;
      out.at(row, c) = narrow(v + move[size_t(c)], "requant output");
    }
  return out;
}

IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w, int64_t in_step) {
  IntMatrix acc = ref::binary_linear(counts, in_offset, bits, w);
  if (in_step == 1 && counts.offset == 0)
    return acc;
  for (int row = 0; row < acc.rows; ++row)
    for (int j = 0; j < acc.cols; ++j) {
      const int64_t rowsum = 2 * int64_t(w.row_ones[size_t(j)]) - w.cols;
      acc.at(row, j) = narrow(Int128(acc.at(row, j)) * in_step + Int128(counts.offset) * rowsum,
                              "binary_linear accumulator");
    }
  return acc;
}

IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int64_t mult, int shift,
                    int offset) {
  IntMatrix s = ref::qk_scores(q, k, heads, 0, offset); // exact dot products
  for (int64_t &v : s.v)
    v = narrow(-round_shift(-Int128(v) * mult, shift, Rounding::Floor), "attention score");
  return s;
}

namespace {

// floor(2^-e · 2^prob_frac): p on the 2^-prob_frac grid; 0 where p underflows float32.
Int128 scaled_prob(int64_t e, int prob_frac) {
  return e > -kFloat32MinExp || e > prob_frac ? Int128(0) : Int128(1) << (prob_frac - e);
}

// e_ij = d_ij + log2(Ẑ_i): p_ij = 2^-e_ij (exact), or 0 where float32 underflows.
IntMatrix prob_exponents(const IntMatrix &scores, int frac_bits, ProbMin &pm) {
  const int rows = scores.rows, n = scores.cols;
  IntMatrix e(rows, n);
  int64_t &e_max = pm.e_max;
  bool &underflow = pm.underflow;
  for (int i = 0; i < rows; ++i) {
    const int64_t *s = scores.row(i);
    const int64_t m = *std::max_element(s, s + n);
    int64_t z = 0;
    for (int j = 0; j < n; ++j)
      if (m - s[j] <= frac_bits)
        z += int64_t(1) << (frac_bits - (m - s[j]));
    int zb = bit_width(uint64_t(z)) - 1;
    if (z - (int64_t(1) << zb) >= (int64_t(1) << (zb + 1)) - z) // nearest power of two, ties up
      ++zb;
    for (int j = 0; j < n; ++j) {
      const int64_t ev = (m - s[j]) + (zb - frac_bits);
      e.at(i, j) = ev;
      if (ev > -kFloat32MinExp)
        underflow = true;
      e_max = std::max(e_max, ev);
    }
  }
  return e;
}

} // namespace

int64_t prob_offset(const ProbMin &pm, int prob_frac) {
  return pm.underflow ? 0 : int64_t(scaled_prob(pm.e_max, prob_frac));
}

ProbMin ptsoftmax_min(const IntMatrix &scores, int frac_bits) {
  ProbMin pm;
  prob_exponents(scores, frac_bits, pm);
  return pm;
}

IntMatrix ptsoftmax(const IntMatrix &scores, int frac_bits, int prob_frac, int64_t mult,
                    int shift, int levels, const ProbMin *tensor_min) {
  const int rows = scores.rows, n = scores.cols;
  ProbMin pm;
  const IntMatrix e = prob_exponents(scores, frac_bits, pm);
  if (tensor_min)
    pm = *tensor_min;
  const int64_t e_max = pm.e_max;
  const bool underflow = pm.underflow;
  // The official unsigned quantizer subtracts the tensor-wide minimum min p = 2^-e_max (a power
  // of two, so its power-of-two rounding changes nothing) unless some p is 0.
  const Int128 mn = underflow ? Int128(0) : scaled_prob(e_max, prob_frac);
  IntMatrix out(rows, n);
  out.offset = int64_t(mn);
  for (size_t t = 0; t < e.v.size(); ++t) {
    const Int128 q =
        round_shift((scaled_prob(e.v[t], prob_frac) - mn) * mult, shift, Rounding::HalfEven);
    out.v[t] = int64_t(std::clamp<Int128>(q, 0, levels));
  }
  return out;
}

IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset,
                    int64_t prob_step) {
  // Any number of query rows per head (the chip computes one at a time), every key of v.
  const int keys = v.rows, f = v.cols, dh = f / heads;
  GRANITA_ASSERT(probs.rows % heads == 0 && probs.cols == keys, "pv_matmul shapes");
  const int nq = probs.rows / heads;
  IntMatrix out(nq, f);
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < nq; ++i)
      for (int c = h * dh; c < (h + 1) * dh; ++c) {
        Int128 acc = 0;
        for (int j = 0; j < keys; ++j)
          acc += (Int128(probs.at(h * nq + i, j)) * prob_step + probs.offset) *
                 (v.at(j, c) - offset);
        out.at(i, c) = narrow(acc, "attention context");
      }
  return out;
}

IntMatrix residual_add(const IntMatrix &acc, const std::vector<int64_t> &bias, int64_t mult,
                       int shift, Rounding r, const IntMatrix &res, int res_shift) {
  GRANITA_ASSERT(acc.rows == res.rows && acc.cols == res.cols && res_shift >= 0,
                 "residual_add shapes");
  IntMatrix out(acc.rows, acc.cols);
  for (size_t t = 0; t < acc.v.size(); ++t) {
    const Int128 a = round_shift(Int128(acc.v[t]) * mult + bias[t % size_t(acc.cols)], shift, r);
    out.v[t] = narrow(a + Int128(res.v[t]) * (Int128(1) << res_shift), "residual sum");
  }
  return out;
}

IntMatrix bspn(const IntMatrix &in, int in_exp, int group, const std::vector<int8_t> &gamma_sign,
               const std::vector<int8_t> &gamma_exp, const std::vector<int32_t> &beta,
               int beta_exp, int out_exp) {
  const int g = bit_width(uint64_t(group)) - 1;
  IntMatrix out(in.rows, in.cols);
  for (int row = 0; row < in.rows; ++row)
    for (int g0 = 0; g0 < in.cols; g0 += group) {
      UInt128 sum = 0;
      for (int f = g0; f < g0 + group; ++f)
        sum += abs128(in.at(row, f));
      const int c = bspn_group_exponent(sum, in_exp - g);
      for (int f = g0; f < g0 + group; ++f) {
        // y = σ·R·2^(in_exp − c + γ) + β·2^beta_exp, exactly, on the grid 2^e.
        const int e1 = in_exp - c + gamma_exp[size_t(f)];
        const int e = std::min(e1, beta_exp);
        GRANITA_ASSERT(e1 - e < 64 && beta_exp - e < 64, "bspn shift");
        const Int128 y = Int128(gamma_sign[size_t(f)]) * in.at(row, f) * (Int128(1) << (e1 - e)) +
                         Int128(beta[size_t(f)]) * (Int128(1) << (beta_exp - e));
        const double y32 = to_float32(y, e);
        if (y32 == 0.0) {
          out.at(row, f) = 0;
          continue;
        }
        const int nexp = bspn_snap_exponent(y32);
        if (nexp < out_exp) {
          out.at(row, f) = 0;
          continue;
        }
        const int64_t mag = int64_t(1) << std::min(nexp - out_exp, 30);
        out.at(row, f) = y32 < 0 ? -mag : mag;
      }
    }
  return out;
}

IntMatrix int_linear(const IntMatrix &x, const std::vector<int32_t> &w,
                     const std::vector<int64_t> &bias, int out_features) {
  const int in = x.cols;
  IntMatrix out(x.rows, out_features);
  for (int row = 0; row < x.rows; ++row)
    for (int j = 0; j < out_features; ++j) {
      Int128 acc = bias[size_t(j)];
      for (int f = 0; f < in; ++f)
        acc += Int128(w[size_t(j) * size_t(in) + size_t(f)]) * x.at(row, f);
      out.at(row, j) = narrow(acc, "classifier logit");
    }
  return out;
}

} // namespace granita::ref::official
