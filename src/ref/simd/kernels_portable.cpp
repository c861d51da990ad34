// SPDX-License-Identifier: Apache-2.0
// The portable path: the reference loops as first written, for any x86-64-v2 (or other) CPU.
#include "src/ref/simd/generic_kernels.h"
#include "src/ref/simd/kernel_tables.h"

namespace granita::ref::simd::detail {

namespace {

void bit_planes(const int64_t *counts, int64_t c_stride, int tokens, int cols, int bits, int64_t nw,
                uint64_t *planes) {
  for (int t = 0; t < tokens; ++t) {
    const int64_t *c = counts + t * c_stride;
    uint64_t *pt = planes + int64_t(t) * bits * nw;
    for (int f = 0; f < cols; ++f) {
      const uint64_t v = uint64_t(c[f]);
      for (int b = 0; b < bits; ++b)
        pt[b * nw + f / 64] |= ((v >> b) & 1) << (f % 64);
    }
  }
}

void plane_popcounts(const uint64_t *w, int64_t w_stride, int64_t rows, const uint64_t *planes,
                     int tokens, int bits, int64_t nw, int64_t *pos, int64_t pos_stride) {
  for (int t = 0; t < tokens; ++t) {
    const uint64_t *pt = planes + int64_t(t) * bits * nw;
    for (int64_t j = 0; j < rows; ++j) {
      const uint64_t *wr = w + j * w_stride;
      int64_t acc = 0;
      for (int b = 0; b < bits; ++b) {
        const uint64_t *p = pt + b * nw;
        int64_t n = 0;
        for (int64_t k = 0; k < nw; ++k)
          n += __builtin_popcountll(wr[k] & p[k]);
        acc += n << b;
      }
      pos[t * pos_stride + j] = acc;
    }
  }
}

void qk_block(const int64_t *q, int64_t q_stride, int nq, const int64_t *k, int64_t k_stride,
              int nk, int dh, int64_t offset, int shift, int64_t *out, int64_t out_stride) {
  qk_block_generic(q, q_stride, nq, k, k_stride, nk, dh, offset, shift, out, out_stride);
}

void pv_block(const int64_t *p, int64_t p_stride, int nq, const int64_t *v, int64_t v_stride,
              int nk, int dh, int64_t offset, int64_t *out, int64_t out_stride) {
  pv_block_generic(p, p_stride, nq, v, v_stride, nk, dh, offset, out, out_stride);
}

} // namespace

const KernelTable &portable_table() {
  static const KernelTable table{Isa::Portable, bit_planes, plane_popcounts, qk_block, pv_block};
  return table;
}

} // namespace granita::ref::simd::detail
