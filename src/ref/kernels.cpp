// SPDX-License-Identifier: Apache-2.0
#include "src/ref/kernels.h"

#include "src/util/error.h"

#include <algorithm>
#include <cstdlib>

namespace granita::ref {

namespace {

// floor(sqrt(2) * 2^126): |y| >= sqrt(2)·2^n0 iff (|Y| normalised to 127 bits) > this.
const UInt128 kSqrt2Q126 = (UInt128(0x5a827999fcef3242ULL) << 64) | UInt128(0x2cbec4d9baa55f4fULL);

int bit_width128(UInt128 a) {
  uint64_t hi = uint64_t(a >> 64);
  return hi ? 64 + bit_width(hi) : bit_width(uint64_t(a));
}

} // namespace

IntMatrix fire(const IntMatrix &in, const std::vector<int32_t> &bias, int shift, int offset,
               int levels) {
  GRANITA_ASSERT(int(bias.size()) == in.cols, "fire bias size");
  IntMatrix out(in.rows, in.cols);
  for (int r = 0; r < in.rows; ++r) {
    const int64_t *x = in.row(r);
    int64_t *y = out.row(r);
    for (int c = 0; c < in.cols; ++c)
      y[c] = std::clamp<int64_t>(shr(x[c] + bias[size_t(c)], shift) + offset, 0, levels);
  }
  return out;
}

IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w) {
  return binary_linear(counts, in_offset, bits, w, simd::active());
}

IntMatrix binary_linear(const IntMatrix &counts, int in_offset, int bits,
                        const model::PackedBits &w, const simd::KernelTable &kt) {
  GRANITA_ASSERT(counts.cols == w.cols, "binary_linear width " << counts.cols << " vs " << w.cols);
  const int64_t wpr = w.words_per_row;
  IntMatrix out(counts.rows, int(w.rows));
  if (counts.rows == 0 || w.rows == 0)
    return out;
  // Bit planes of every token, [token][plane][word], then all popcounts in one kernel call.
  std::vector<uint64_t> planes(size_t(counts.rows) * size_t(bits * wpr), 0);
  std::vector<int64_t> sum_c(size_t(counts.rows), 0);
  kt.bit_planes(counts.v.data(), counts.cols, counts.rows, counts.cols, bits, wpr, planes.data());
  for (int r = 0; r < counts.rows; ++r) {
    const int64_t *c = counts.row(r);
    for (int f = 0; f < counts.cols; ++f)
      sum_c[size_t(r)] += c[f];
  }
  kt.plane_popcounts(w.words.data(), wpr, w.rows, planes.data(), counts.rows, bits, wpr,
                     out.v.data(), w.rows);
  for (int r = 0; r < counts.rows; ++r) {
    int64_t *y = out.row(r);
    for (int64_t j = 0; j < w.rows; ++j)
      y[j] = 2 * y[j] - sum_c[size_t(r)] -
             int64_t(in_offset) * (2 * int64_t(w.row_ones[size_t(j)]) - w.cols);
  }
  return out;
}

std::vector<int64_t> binary_linear_block(const int64_t *counts, int in_offset, int bits,
                                         const model::PackedBits &w, int r0, int r1, int c0,
                                         int c1) {
  return binary_linear_block(counts, in_offset, bits, w, r0, r1, c0, c1, simd::active());
}

std::vector<int64_t> binary_linear_block(const int64_t *counts, int in_offset, int bits,
                                         const model::PackedBits &w, int r0, int r1, int c0, int c1,
                                         const simd::KernelTable &kt) {
  GRANITA_ASSERT(0 <= r0 && r0 < r1 && r1 <= w.cols && 0 <= c0 && c0 < c1 && c1 <= w.rows,
                 "binary_linear_block range");
  // Bit-plane masks over the weight row's word layout, restricted to [r0, r1).
  const int64_t w0 = r0 >> 6, w1 = (r1 + 63) >> 6, nw = w1 - w0;
  std::vector<uint64_t> planes(size_t(bits * nw), 0), range(size_t(nw), 0);
  for (int f = r0; f < r1; ++f) {
    const int64_t wi = (f >> 6) - w0;
    const uint64_t bit = uint64_t(1) << (f & 63);
    range[size_t(wi)] |= bit;
    const uint64_t c = uint64_t(counts[f - r0]);
    for (int b = 0; b < bits; ++b)
      if ((c >> b) & 1)
        planes[size_t(b * nw + wi)] |= bit;
  }
  // Σ_f sign(w) · bit_b(c_f) = (+1 bits) − (−1 bits) = 2·pos_b − total_b; summed over planes
  // with weights 2^b: 2·Σ_b pos_b·2^b − Σ_b total_b·2^b (exact in two's complement).
  int64_t plane_total = 0;
  for (int b = 0; b < bits; ++b) {
    int64_t n = 0;
    for (int64_t i = 0; i < nw; ++i)
      n += __builtin_popcountll(planes[size_t(b * nw + i)]);
    plane_total += n * (int64_t(1) << b);
  }
  const int64_t width = r1 - r0, n_out = c1 - c0;
  std::vector<int64_t> out(size_t(n_out), 0), ones(size_t(n_out), 0);
  const uint64_t *wt = w.row(c0) + w0;
  kt.plane_popcounts(wt, w.words_per_row, n_out, planes.data(), 1, bits, nw, out.data(), n_out);
  kt.plane_popcounts(wt, w.words_per_row, n_out, range.data(), 1, 1, nw, ones.data(), n_out);
  for (int64_t j = 0; j < n_out; ++j)
    out[size_t(j)] =
        2 * out[size_t(j)] - plane_total - int64_t(in_offset) * (2 * ones[size_t(j)] - width);
  return out;
}

IntMatrix binary_linear_naive(const IntMatrix &counts, int in_offset, const model::PackedBits &w) {
  IntMatrix out(counts.rows, int(w.rows));
  for (int r = 0; r < counts.rows; ++r)
    for (int64_t j = 0; j < w.rows; ++j) {
      int64_t acc = 0;
      for (int f = 0; f < counts.cols; ++f)
        acc += w.sign(j, f) * (counts.at(r, f) - in_offset);
      out.at(r, int(j)) = acc;
    }
  return out;
}

IntMatrix int_linear(const IntMatrix &counts, int in_offset, const std::vector<int8_t> &w,
                     const std::vector<int32_t> &bias, int out_features) {
  GRANITA_ASSERT(w.size() == size_t(out_features) * size_t(counts.cols), "int_linear weights");
  IntMatrix out(counts.rows, out_features);
  for (int r = 0; r < counts.rows; ++r)
    for (int j = 0; j < out_features; ++j) {
      int64_t acc = bias[size_t(j)];
      const int8_t *wr = w.data() + size_t(j) * size_t(counts.cols);
      for (int f = 0; f < counts.cols; ++f)
        acc += int64_t(wr[f]) * (counts.at(r, f) - in_offset);
      out.at(r, j) = acc;
    }
  return out;
}

IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int score_shift,
                    int offset) {
  return qk_scores(q, k, heads, score_shift, offset, simd::active());
}

IntMatrix qk_scores(const IntMatrix &q, const IntMatrix &k, int heads, int score_shift, int offset,
                    const simd::KernelTable &kt) {
  const int n = q.rows, dh = q.cols / heads;
  IntMatrix out(heads * n, k.rows);
  if (n == 0 || k.rows == 0)
    return out;
  for (int h = 0; h < heads; ++h)
    kt.qk_block(q.row(0) + h * dh, q.cols, n, k.row(0) + h * dh, k.cols, k.rows, dh, offset,
                score_shift, out.row(h * n), out.cols);
  return out;
}

IntMatrix ptsoftmax(const IntMatrix &scores, int frac_bits, int out_exp, int levels) {
  IntMatrix out(scores.rows, scores.cols);
  for (int r = 0; r < scores.rows; ++r) {
    const int64_t *s = scores.row(r);
    const int64_t m = *std::max_element(s, s + scores.cols);
    int64_t z_sum = 0;
    for (int j = 0; j < scores.cols; ++j)
      if (m - s[j] <= frac_bits)
        z_sum += int64_t(1) << (frac_bits - (m - s[j]));
    int z = bit_width(uint64_t(z_sum)) - 1;
    // Nearest power of two by linear distance, ties up.
    if (z_sum - (int64_t(1) << z) >= (int64_t(1) << (z + 1)) - z_sum)
      ++z;
    int64_t *p = out.row(r);
    for (int j = 0; j < scores.cols; ++j) {
      const int64_t d = m - s[j];
      if (d > frac_bits) {
        p[j] = 0;
        continue;
      }
      // p = 2^(F − d − z); count = clamp(floor(p / 2^out_exp + 1/2), 0, levels).
      const int64_t e = frac_bits - d - z - out_exp;
      if (e >= 0)
        p[j] = e >= 30 ? levels : std::min<int64_t>(int64_t(1) << e, levels);
      else
        p[j] = (e == -1) ? 1 : 0;
    }
  }
  return out;
}

IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset) {
  return pv_matmul(probs, v, heads, offset, simd::active());
}

IntMatrix pv_matmul(const IntMatrix &probs, const IntMatrix &v, int heads, int offset,
                    const simd::KernelTable &kt) {
  const int n = probs.rows / heads, dh = v.cols / heads;
  IntMatrix out(n, v.cols);
  if (n == 0 || v.rows == 0)
    return out;
  for (int h = 0; h < heads; ++h)
    kt.pv_block(probs.row(h * n), probs.cols, n, v.row(0) + h * dh, v.cols, v.rows, dh, offset,
                out.row(0) + h * dh, out.cols);
  return out;
}

IntMatrix residual_add(const IntMatrix &acc, int acc_exp, const std::vector<int32_t> &bias,
                       const IntMatrix &res, int res_exp, int out_exp) {
  GRANITA_ASSERT(acc.rows == res.rows && acc.cols == res.cols, "residual shapes");
  IntMatrix out(acc.rows, acc.cols);
  const int sa = acc_exp - out_exp, sr = res_exp - out_exp;
  for (int r = 0; r < acc.rows; ++r)
    for (int c = 0; c < acc.cols; ++c)
      out.at(r, c) =
          (acc.at(r, c) + bias[size_t(c)]) * (int64_t(1) << sa) + res.at(r, c) * (int64_t(1) << sr);
  return out;
}

int64_t snap_pow2(Int128 num, int exp, int out_exp) {
  if (num == 0)
    return 0;
  const bool neg = num < 0;
  const UInt128 a = neg ? UInt128(-(num + 1)) + 1 : UInt128(num);
  const int top = bit_width128(a) - 1; // floor(log2 |Y|)
  // Normalise |Y| to 127 bits. top = 127 only for |Y| = 2^127 (num = −2^127), whose low bit is 0.
  const UInt128 q = top == 127 ? a >> 1 : a << (126 - top);
  const int n = top + exp + (q > kSqrt2Q126 ? 1 : 0);
  if (n < out_exp)
    return 0;
  const int e = std::min(n - out_exp, 30);
  const int64_t mag = int64_t(1) << e;
  return neg ? -mag : mag;
}

IntMatrix bspn(const IntMatrix &in, int in_exp, int group, const std::vector<int8_t> &gamma_sign,
               const std::vector<int8_t> &gamma_exp, const std::vector<int32_t> &beta, int beta_exp,
               int out_exp) {
  const int g = bit_width(uint64_t(group)) - 1;
  IntMatrix out(in.rows, in.cols);
  for (int r = 0; r < in.rows; ++r) {
    const int64_t *x = in.row(r);
    int64_t *y = out.row(r);
    for (int g0 = 0; g0 < in.cols; g0 += group) {
      uint64_t m = 0;
      for (int f = g0; f < g0 + group; ++f)
        m += uint64_t(std::llabs(x[f]));
      for (int f = g0; f < g0 + group; ++f) {
        const size_t fi = size_t(f);
        if (m == 0 || x[f] == 0 || gamma_sign[fi] == 0) {
          // y = β only (the normalised term is zero).
          y[f] = snap_pow2(Int128(beta[fi]), beta_exp, out_exp);
          continue;
        }
        const int c = bit_width(m) + in_exp - g;
        const int e1 = in_exp - c + gamma_exp[fi];
        const int e = std::min(e1, beta_exp);
        // Multiplications, not shifts: left-shifting a negative value is undefined in C++17.
        const Int128 term = Int128(gamma_sign[fi] * x[f]) * (Int128(1) << (e1 - e));
        const Int128 b = Int128(beta[fi]) * (Int128(1) << (beta_exp - e));
        y[f] = snap_pow2(term + b, e, out_exp);
      }
    }
  }
  return out;
}

IntMatrix embedding(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                    const model::PackedBits &word, int word_exp, const std::vector<int8_t> &pos,
                    int pos_exp, const std::vector<int8_t> &type_table, int type_exp, int hidden,
                    int out_exp) {
  const int n = int(ids.size());
  IntMatrix out(n, hidden);
  for (int i = 0; i < n; ++i) {
    const size_t pi = size_t(i) * size_t(hidden), ti = size_t(type_ids[size_t(i)]) * size_t(hidden);
    for (int f = 0; f < hidden; ++f)
      out.at(i, f) = int64_t(word.sign(ids[size_t(i)], f)) * (int64_t(1) << (word_exp - out_exp)) +
                     int64_t(pos[pi + size_t(f)]) * (int64_t(1) << (pos_exp - out_exp)) +
                     int64_t(type_table[ti + size_t(f)]) * (int64_t(1) << (type_exp - out_exp));
  }
  return out;
}

} // namespace granita::ref
