// SPDX-License-Identifier: Apache-2.0
// The AVX2 path: 256-bit nibble-table popcounts (vpshufb, summed with vpsadbw) for the binary
// linear, 256-bit loops for Q·Kᵀ and P·V. Only called when simd::cpu_supports(Isa::Avx2).
#include "src/ref/simd/generic_kernels.h"
#include "src/ref/simd/kernel_tables.h"

#include <immintrin.h>

#include <vector>

#define GRANITA_AVX2 __attribute__((target("avx2,popcnt")))

namespace granita::ref::simd::detail {

namespace {

constexpr int64_t kTileWords = 2048;
// A byte counter gains at most 8 per 256-bit chunk: flush to 64-bit lanes before 255.
constexpr int kMaxByteChunks = 31;

GRANITA_AVX2 inline __m256i byte_popcounts(__m256i x) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                       1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(x, low);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
}

GRANITA_AVX2 void bit_planes(const int64_t *counts, int64_t c_stride, int tokens, int cols,
                             int bits, int64_t nw, uint64_t *planes) {
  const int full = cols / 4 * 4;
  for (int t = 0; t < tokens; ++t) {
    const int64_t *c = counts + t * c_stride;
    uint64_t *pt = planes + int64_t(t) * bits * nw;
    for (int f0 = 0; f0 < full; f0 += 4) {
      // Four counts at a time: bit b moved to the sign bit, then movemask.
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(c + f0));
      for (int b = 0; b < bits; ++b) {
        const __m256i top = _mm256_sll_epi64(v, _mm_cvtsi32_si128(63 - b));
        const int m = _mm256_movemask_pd(_mm256_castsi256_pd(top));
        pt[b * nw + f0 / 64] |= uint64_t(m) << (f0 % 64);
      }
    }
    for (int f = full; f < cols; ++f) {
      const uint64_t v = uint64_t(c[f]);
      for (int b = 0; b < bits; ++b)
        pt[b * nw + f / 64] |= ((v >> b) & 1) << (f % 64);
    }
  }
}

GRANITA_AVX2 void plane_popcounts_rows(const uint64_t *w, int64_t w_stride, int64_t rows,
                                       const uint64_t *planes, int tokens, int bits, int64_t nw,
                                       int64_t *pos, int64_t pos_stride) {
  const int64_t full = nw / 4;
  const int rest = int(nw % 4);
  const __m256i tail = _mm256_cmpgt_epi64(_mm256_set1_epi64x(rest), _mm256_setr_epi64x(0, 1, 2, 3));
  const __m256i zero = _mm256_setzero_si256();
  const int64_t token_words = int64_t(bits) * nw;
  const int tile = int(std::max<int64_t>(1, kTileWords / std::max<int64_t>(1, token_words)));
  for (int t0 = 0; t0 < tokens; t0 += tile) {
    const int t1 = std::min(tokens, t0 + tile);
    for (int64_t j = 0; j < rows; ++j) {
      const uint64_t *wr = w + j * w_stride;
      for (int t = t0; t < t1; ++t) {
        const uint64_t *p = planes + t * token_words;
        __m256i acc = zero;
        for (int b = 0; b < bits; ++b, p += nw) {
          __m256i n = zero, bytes = zero;
          int pending = 0;
          for (int64_t c = 0; c < full; ++c) {
            const __m256i x =
                _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(wr + 4 * c)),
                                 _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 4 * c)));
            bytes = _mm256_add_epi8(bytes, byte_popcounts(x));
            if (++pending == kMaxByteChunks) {
              n = _mm256_add_epi64(n, _mm256_sad_epu8(bytes, zero));
              bytes = zero;
              pending = 0;
            }
          }
          if (rest) {
            const auto *wt = reinterpret_cast<const long long *>(wr + 4 * full);
            const auto *pt = reinterpret_cast<const long long *>(p + 4 * full);
            const __m256i x =
                _mm256_and_si256(_mm256_maskload_epi64(wt, tail), _mm256_maskload_epi64(pt, tail));
            bytes = _mm256_add_epi8(bytes, byte_popcounts(x));
          }
          n = _mm256_add_epi64(n, _mm256_sad_epu8(bytes, zero));
          acc = _mm256_add_epi64(acc, _mm256_sll_epi64(n, _mm_cvtsi32_si128(b)));
        }
        const __m128i s2 =
            _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        pos[t * pos_stride + j] = _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1);
      }
    }
  }
}

// TB tokens against 4 interleaved weight rows: wg holds word k of row l at wg[4k + l], so lane l
// of each accumulator is output row l (vpsadbw sums each 64-bit lane's bytes on its own).
template <int TB>
GRANITA_AVX2 inline void group_tokens(const uint64_t *wg, const uint64_t *p, int64_t token_words,
                                      int bits, int64_t nw, int64_t *pos, int64_t pos_stride,
                                      int lanes) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i acc[TB];
  for (int i = 0; i < TB; ++i)
    acc[i] = zero;
  for (int b = 0; b < bits; ++b) {
    __m256i n[TB], bytes[TB];
    for (int i = 0; i < TB; ++i)
      n[i] = bytes[i] = zero;
    const uint64_t *pb = p + b * nw;
    int pending = 0;
    for (int64_t k = 0; k < nw; ++k) {
      const __m256i wk = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wg + 4 * k));
      for (int i = 0; i < TB; ++i) {
        const __m256i x =
            _mm256_and_si256(wk, _mm256_set1_epi64x(int64_t(pb[i * token_words + k])));
        bytes[i] = _mm256_add_epi8(bytes[i], byte_popcounts(x));
      }
      if (++pending == kMaxByteChunks) {
        for (int i = 0; i < TB; ++i) {
          n[i] = _mm256_add_epi64(n[i], _mm256_sad_epu8(bytes[i], zero));
          bytes[i] = zero;
        }
        pending = 0;
      }
    }
    for (int i = 0; i < TB; ++i) {
      n[i] = _mm256_add_epi64(n[i], _mm256_sad_epu8(bytes[i], zero));
      acc[i] = _mm256_add_epi64(acc[i], _mm256_sll_epi64(n[i], _mm_cvtsi32_si128(b)));
    }
  }
  const __m256i mask =
      _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes), _mm256_setr_epi64x(0, 1, 2, 3));
  for (int i = 0; i < TB; ++i)
    _mm256_maskstore_epi64(reinterpret_cast<long long *>(pos + i * pos_stride), mask, acc[i]);
}

GRANITA_AVX2 void plane_popcounts(const uint64_t *w, int64_t w_stride, int64_t rows,
                                  const uint64_t *planes, int tokens, int bits, int64_t nw,
                                  int64_t *pos, int64_t pos_stride) {
  // Few tokens: interleaving the weights would cost as much as the popcounts.
  if (tokens < 4) {
    plane_popcounts_rows(w, w_stride, rows, planes, tokens, bits, nw, pos, pos_stride);
    return;
  }
  const int64_t groups = (rows + 3) / 4;
  std::vector<uint64_t> wt(size_t(groups * nw * 4), 0);
  for (int64_t j = 0; j < rows; ++j) {
    const uint64_t *wr = w + j * w_stride;
    uint64_t *dst = wt.data() + (j / 4) * nw * 4 + (j % 4);
    for (int64_t k = 0; k < nw; ++k)
      dst[4 * k] = wr[k];
  }
  const int64_t token_words = int64_t(bits) * nw;
  const int tile = int(std::max<int64_t>(4, kTileWords / std::max<int64_t>(1, token_words)));
  for (int t0 = 0; t0 < tokens; t0 += tile) {
    const int t1 = std::min(tokens, t0 + tile);
    for (int64_t g = 0; g < groups; ++g) {
      const uint64_t *wg = wt.data() + g * nw * 4;
      const int lanes = int(std::min<int64_t>(4, rows - 4 * g));
      int t = t0;
      for (; t + 4 <= t1; t += 4)
        group_tokens<4>(wg, planes + t * token_words, token_words, bits, nw,
                        pos + t * pos_stride + 4 * g, pos_stride, lanes);
      for (; t < t1; ++t)
        group_tokens<1>(wg, planes + t * token_words, token_words, bits, nw,
                        pos + t * pos_stride + 4 * g, pos_stride, lanes);
    }
  }
}

GRANITA_AVX2 void qk_block(const int64_t *q, int64_t q_stride, int nq, const int64_t *k,
                           int64_t k_stride, int nk, int dh, int64_t offset, int shift,
                           int64_t *out, int64_t out_stride) {
  qk_block_generic(q, q_stride, nq, k, k_stride, nk, dh, offset, shift, out, out_stride);
}

GRANITA_AVX2 void pv_block(const int64_t *p, int64_t p_stride, int nq, const int64_t *v,
                           int64_t v_stride, int nk, int dh, int64_t offset, int64_t *out,
                           int64_t out_stride) {
  pv_block_generic(p, p_stride, nq, v, v_stride, nk, dh, offset, out, out_stride);
}

} // namespace

const KernelTable &avx2_table() {
  static const KernelTable table{Isa::Avx2, bit_planes, plane_popcounts, qk_block, pv_block};
  return table;
}

} // namespace granita::ref::simd::detail
