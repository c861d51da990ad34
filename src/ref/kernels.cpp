// SPDX-License-Identifier: Apache-2.0
#include "src/ref/kernels.h"

#include "src/util/error.h"

#include <algorithm>
#include <cstdlib>

namespace granita::ref {

namespace {

// floor(sqrt(2) * 2^126): |y| >= sqrt(2)·2^n0 iff (|Y| normalised to 127 bits) > this.
const UInt128 kSqrt2Q126 =
    (UInt128(0x5a827999fcef3242ULL) << 64) | UInt128(0x2cbec4d9baa55f4fULL);

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
  GRANITA_ASSERT(counts.cols == w.cols, "binary_linear width " << counts.cols << " vs " << w.cols);
  const int64_t wpr = w.words_per_row;
  IntMatrix out(counts.rows, int(w.rows));
  std::vector<uint64_t> planes(size_t(bits * wpr));
  for (int r = 0; r < counts.rows; ++r) {
    std::fill(planes.begin(), planes.end(), 0);
    const int64_t *c = counts.row(r);
    int64_t sum_c = 0;
    for (int f = 0; f < counts.cols; ++f) {
      const uint64_t v = uint64_t(c[f]);
      sum_c += c[f];
      for (int b = 0; b < bits; ++b)
        planes[size_t(b * wpr + f / 64)] |= ((v >> b) & 1) << (f % 64);
    }
    int64_t *y = out.row(r);
    for (int64_t j = 0; j < w.rows; ++j) {
      const uint64_t *wr = w.row(j);
      int64_t pos = 0;
      for (int b = 0; b < bits; ++b) {
        const uint64_t *p = planes.data() + b * wpr;
        int64_t n = 0;
        for (int64_t k = 0; k < wpr; ++k)
          n += __builtin_popcountll(wr[k] & p[k]);
        pos += n << b;
      }
      y[j] = 2 * pos - sum_c - int64_t(in_offset) * (2 * int64_t(w.row_ones[size_t(j)]) - w.cols);
    }
  }
  return out;
}

std::vector<int64_t> binary_linear_block(const int64_t *counts, int in_offset, int bits,
                                         const model::PackedBits &w, int r0, int r1, int c0,
                                         int c1) {
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
  std::vector<int64_t> plane_total(size_t(bits), 0);
  for (int b = 0; b < bits; ++b)
    for (int64_t i = 0; i < nw; ++i)
      plane_total[size_t(b)] += __builtin_popcountll(planes[size_t(b * nw + i)]);
  const int64_t width = r1 - r0;
  std::vector<int64_t> out(size_t(c1 - c0), 0);
  for (int j = c0; j < c1; ++j) {
    const uint64_t *wr = w.row(j) + w0;
    int64_t ones = 0, acc = 0;
    for (int64_t i = 0; i < nw; ++i)
      ones += __builtin_popcountll(wr[i] & range[size_t(i)]);
    for (int b = 0; b < bits; ++b) {
      int64_t pos = 0;
      for (int64_t i = 0; i < nw; ++i)
        pos += __builtin_popcountll(wr[i] & planes[size_t(b * nw + i)]);
      // Σ_f sign(w) · bit_b(c_f) = (+1 bits) − (−1 bits) = 2·pos − total.
      acc += (2 * pos - plane_total[size_t(b)]) * (int64_t(1) << b);
    }
    acc -= int64_t(in_offset) * (2 * ones - width);
    out[size_t(j - c0)] = acc;
  }
  return out;
}

IntMatrix binary_linear_naive(const IntMatrix &counts, int in_offset,
                              const model::PackedBits &w) {
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
  const int n = q.rows, dh = q.cols / heads;
  IntMatrix out(heads * n, k.rows);
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < n; ++i) {
      const int64_t *qi = q.row(i) + h * dh;
      for (int j = 0; j < k.rows; ++j) {
        const int64_t *kj = k.row(j) + h * dh;
        int64_t s = 0;
        for (int f = 0; f < dh; ++f)
          s += (qi[f] - offset) * (kj[f] - offset);
        out.at(h * n + i, j) = ceil_shr(s, score_shift);
      }
    }
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
  const int n = probs.rows / heads, dh = v.cols / heads;
  IntMatrix out(n, v.cols);
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < n; ++i) {
      const int64_t *p = probs.row(h * n + i);
      int64_t *o = out.row(i) + h * dh;
      for (int j = 0; j < v.rows; ++j) {
        if (p[j] == 0)
          continue;
        const int64_t *vj = v.row(j) + h * dh;
        for (int f = 0; f < dh; ++f)
          o[f] += p[j] * (vj[f] - offset);
      }
    }
  return out;
}

IntMatrix residual_add(const IntMatrix &acc, int acc_exp, const std::vector<int32_t> &bias,
                       const IntMatrix &res, int res_exp, int out_exp) {
  GRANITA_ASSERT(acc.rows == res.rows && acc.cols == res.cols, "residual shapes");
  IntMatrix out(acc.rows, acc.cols);
  const int sa = acc_exp - out_exp, sr = res_exp - out_exp;
  for (int r = 0; r < acc.rows; ++r)
    for (int c = 0; c < acc.cols; ++c)
      out.at(r, c) = (acc.at(r, c) + bias[size_t(c)]) * (int64_t(1) << sa) +
                     res.at(r, c) * (int64_t(1) << sr);
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
               const std::vector<int8_t> &gamma_exp, const std::vector<int32_t> &beta,
               int beta_exp, int out_exp) {
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
