// SPDX-License-Identifier: Apache-2.0
// The AVX-512 path (F, BW, DQ, VL, VPOPCNTDQ): 512-bit popcounts for the binary linear, 64-bit
// vector multiplies for Q·Kᵀ and P·V. Only called when simd::cpu_supports(Isa::Avx512).
#include "src/ref/simd/generic_kernels.h"
#include "src/ref/simd/kernel_tables.h"

#include <immintrin.h>

#include <vector>

// GCC takes prefer-vector-width in a target attribute (so its auto-vectoriser uses 512-bit
// registers here); clang does not and would ignore the whole attribute, so it gets the ISA only.
#if defined(__clang__)
#define GRANITA_AVX512                                                                             \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vpopcntdq")))
#else
#define GRANITA_AVX512                                                                             \
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vpopcntdq,"                      \
                        "prefer-vector-width=512")))
#endif

namespace granita::ref::simd::detail {

namespace {

// Bit planes of a tile of tokens stay in L1 while the weight rows stream past them.
constexpr int64_t kTileWords = 2048;

// The maskz forms: GCC 12's unmasked ones trip -Wmaybe-uninitialized in its own headers.
GRANITA_AVX512 inline int64_t reduce_add(__m512i v) {
  const __m256i s4 = _mm256_add_epi64(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                                      _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
  const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(s4), _mm256_extracti128_si256(s4, 1));
  return _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1);
}

GRANITA_AVX512 void bit_planes(const int64_t *counts, int64_t c_stride, int tokens, int cols,
                               int bits, int64_t nw, uint64_t *planes) {
  for (int t = 0; t < tokens; ++t) {
    const int64_t *c = counts + t * c_stride;
    uint64_t *pt = planes + int64_t(t) * bits * nw;
    for (int f0 = 0; f0 < cols; f0 += 8) {
      // Eight counts at a time: bit b of each becomes one bit of an 8-bit mask.
      const __mmask8 live = __mmask8(cols - f0 >= 8 ? 0xff : (1u << (cols - f0)) - 1);
      const __m512i v = _mm512_maskz_loadu_epi64(live, c + f0);
      for (int b = 0; b < bits; ++b) {
        const __mmask8 m = _mm512_test_epi64_mask(v, _mm512_set1_epi64(int64_t(1) << b));
        pt[b * nw + f0 / 64] |= uint64_t(m) << (f0 % 64);
      }
    }
  }
}

GRANITA_AVX512 void plane_popcounts_rows(const uint64_t *w, int64_t w_stride, int64_t rows,
                                         const uint64_t *planes, int tokens, int bits, int64_t nw,
                                         int64_t *pos, int64_t pos_stride) {
  const int64_t full = nw / 8;
  const __mmask8 tail = __mmask8((1u << (nw % 8)) - 1);
  const int64_t token_words = int64_t(bits) * nw;
  const int tile = int(std::max<int64_t>(1, kTileWords / std::max<int64_t>(1, token_words)));
  for (int t0 = 0; t0 < tokens; t0 += tile) {
    const int t1 = std::min(tokens, t0 + tile);
    for (int64_t j = 0; j < rows; ++j) {
      const uint64_t *wr = w + j * w_stride;
      for (int t = t0; t < t1; ++t) {
        const uint64_t *p = planes + t * token_words;
        __m512i acc = _mm512_setzero_si512();
        for (int b = 0; b < bits; ++b, p += nw) {
          __m512i n = _mm512_setzero_si512();
          for (int64_t c = 0; c < full; ++c) {
            const __m512i x =
                _mm512_and_si512(_mm512_loadu_si512(wr + 8 * c), _mm512_loadu_si512(p + 8 * c));
            n = _mm512_add_epi64(n, _mm512_popcnt_epi64(x));
          }
          if (tail) {
            const __m512i x = _mm512_and_si512(_mm512_maskz_loadu_epi64(tail, wr + 8 * full),
                                               _mm512_maskz_loadu_epi64(tail, p + 8 * full));
            n = _mm512_add_epi64(n, _mm512_popcnt_epi64(x));
          }
          acc = _mm512_add_epi64(acc, _mm512_maskz_sll_epi64(0xff, n, _mm_cvtsi32_si128(b)));
        }
        pos[t * pos_stride + j] = reduce_add(acc);
      }
    }
  }
}

// TB tokens against 8 interleaved weight rows: wg holds word k of row l at wg[8k + l], so lane l
// of each accumulator is output row l and no horizontal sum is needed. The TB tokens share every
// weight load.
template <int TB>
GRANITA_AVX512 inline void group_tokens(const uint64_t *wg, const uint64_t *p, int64_t token_words,
                                        int bits, int64_t nw, int64_t *pos, int64_t pos_stride,
                                        __mmask8 lanes) {
  __m512i acc[TB];
  for (int i = 0; i < TB; ++i)
    acc[i] = _mm512_setzero_si512();
  for (int b = 0; b < bits; ++b) {
    __m512i n[TB];
    for (int i = 0; i < TB; ++i)
      n[i] = _mm512_setzero_si512();
    const uint64_t *pb = p + b * nw;
    for (int64_t k = 0; k < nw; ++k) {
      const __m512i wk = _mm512_loadu_si512(wg + 8 * k);
      for (int i = 0; i < TB; ++i) {
        const __m512i x = _mm512_and_si512(wk, _mm512_set1_epi64(int64_t(pb[i * token_words + k])));
        n[i] = _mm512_add_epi64(n[i], _mm512_popcnt_epi64(x));
      }
    }
    for (int i = 0; i < TB; ++i)
      acc[i] = _mm512_add_epi64(acc[i], _mm512_maskz_sll_epi64(0xff, n[i], _mm_cvtsi32_si128(b)));
  }
  for (int i = 0; i < TB; ++i)
    _mm512_mask_storeu_epi64(pos + i * pos_stride, lanes, acc[i]);
}

GRANITA_AVX512 void plane_popcounts(const uint64_t *w, int64_t w_stride, int64_t rows,
                                    const uint64_t *planes, int tokens, int bits, int64_t nw,
                                    int64_t *pos, int64_t pos_stride) {
  // Few tokens: interleaving the weights would cost as much as the popcounts.
  if (tokens < 4) {
    plane_popcounts_rows(w, w_stride, rows, planes, tokens, bits, nw, pos, pos_stride);
    return;
  }
  const int64_t groups = (rows + 7) / 8;
  std::vector<uint64_t> wt(size_t(groups * nw * 8), 0);
  for (int64_t j = 0; j < rows; ++j) {
    const uint64_t *wr = w + j * w_stride;
    uint64_t *dst = wt.data() + (j / 8) * nw * 8 + (j % 8);
    for (int64_t k = 0; k < nw; ++k)
      dst[8 * k] = wr[k];
  }
  const int64_t token_words = int64_t(bits) * nw;
  const int tile = int(std::max<int64_t>(4, kTileWords / std::max<int64_t>(1, token_words)));
  for (int t0 = 0; t0 < tokens; t0 += tile) {
    const int t1 = std::min(tokens, t0 + tile);
    for (int64_t g = 0; g < groups; ++g) {
      const uint64_t *wg = wt.data() + g * nw * 8;
      const int64_t left = rows - 8 * g;
      const __mmask8 lanes = __mmask8(left >= 8 ? 0xff : (1u << left) - 1);
      int t = t0;
      for (; t + 4 <= t1; t += 4)
        group_tokens<4>(wg, planes + t * token_words, token_words, bits, nw,
                        pos + t * pos_stride + 8 * g, pos_stride, lanes);
      for (; t < t1; ++t)
        group_tokens<1>(wg, planes + t * token_words, token_words, bits, nw,
                        pos + t * pos_stride + 8 * g, pos_stride, lanes);
    }
  }
}

GRANITA_AVX512 void qk_block(const int64_t *q, int64_t q_stride, int nq, const int64_t *k,
                             int64_t k_stride, int nk, int dh, int64_t offset, int shift,
                             int64_t *out, int64_t out_stride) {
  qk_block_generic(q, q_stride, nq, k, k_stride, nk, dh, offset, shift, out, out_stride);
}

GRANITA_AVX512 void pv_block(const int64_t *p, int64_t p_stride, int nq, const int64_t *v,
                             int64_t v_stride, int nk, int dh, int64_t offset, int64_t *out,
                             int64_t out_stride) {
  pv_block_generic(p, p_stride, nq, v, v_stride, nk, dh, offset, out, out_stride);
}

} // namespace

const KernelTable &avx512_table() {
  static const KernelTable table{Isa::Avx512, bit_planes, plane_popcounts, qk_block, pv_block};
  return table;
}

} // namespace granita::ref::simd::detail
