// SPDX-License-Identifier: Apache-2.0
#pragma once

// Loop bodies shared by every path. Each kernels_<isa>.cpp includes this header and calls these
// functions from functions carrying its target attribute: being always_inline and internal, they
// are compiled (and auto-vectorised) once per path, and no out-of-line copy built for a wider
// instruction set can be picked by the linker for the baseline code.

#include "src/ref/kernels.h"

#include <algorithm>
#include <cstdint>

namespace granita::ref::simd {
namespace {

[[gnu::always_inline]] inline void qk_block_generic(const int64_t *q, int64_t q_stride, int nq,
                                                    const int64_t *k, int64_t k_stride, int nk,
                                                    int dh, int64_t offset, int shift,
                                                    int64_t *__restrict out, int64_t out_stride) {
  for (int i = 0; i < nq; ++i) {
    const int64_t *qi = q + i * q_stride;
    for (int j = 0; j < nk; ++j) {
      const int64_t *kj = k + j * k_stride;
      int64_t s = 0;
      for (int f = 0; f < dh; ++f)
        s += (qi[f] - offset) * (kj[f] - offset);
      out[i * out_stride + j] = ceil_shr(s, shift);
    }
  }
}

[[gnu::always_inline]] inline void pv_block_generic(const int64_t *p, int64_t p_stride, int nq,
                                                    const int64_t *v, int64_t v_stride, int nk,
                                                    int dh, int64_t offset, int64_t *__restrict out,
                                                    int64_t out_stride) {
  for (int i = 0; i < nq; ++i) {
    const int64_t *pi = p + i * p_stride;
    int64_t *__restrict o = out + i * out_stride;
    for (int j = 0; j < nk; ++j) {
      const int64_t pj = pi[j];
      if (pj == 0)
        continue;
      const int64_t *vj = v + j * v_stride;
      for (int f = 0; f < dh; ++f)
        o[f] += pj * (vj[f] - offset);
    }
  }
}

} // namespace
} // namespace granita::ref::simd
