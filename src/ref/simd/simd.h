// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

/// Run-time dispatch of the reference kernels' inner loops over x86 vector instruction sets.
/// The build targets a baseline CPU (x86-64-v2); the AVX2 and AVX-512 loops are compiled with
/// function-level target attributes and chosen from the CPU at run time, or from the environment
/// variable GRANITA_SIMD=portable|avx2|avx512. Every path gives bit-identical results.
namespace granita::ref::simd {

/// An instruction-set path, from the slowest (any CPU) to the fastest.
enum class Isa { Portable, Avx2, Avx512 };

/// The inner loops of the reference kernels for one instruction set. Plain function pointers
/// (no state): a table is immutable, shared by all threads, and lives for the whole program.
/// Callers own every buffer; no kernel allocates. Output buffers must not overlap inputs.
struct KernelTable {
  Isa isa = Isa::Portable;
  /// Bit planes of counts. For t < tokens, b < bits and f < cols: bit f of
  /// planes[(t·bits + b)·nw ...] is bit b of uint64(counts[t·c_stride + f]). The caller zeroes
  /// planes (nw ≥ ceil(cols / 64) words per plane; bits past cols stay 0).
  void (*bit_planes)(const int64_t *counts, int64_t c_stride, int tokens, int cols, int bits,
                     int64_t nw, uint64_t *planes);
  /// Bit-serial popcounts. For t < tokens and j < rows:
  /// pos[t·pos_stride + j] = Σ_{b < bits} popcount(w_j & P_tb) · 2^b, where w_j = w + j·w_stride
  /// and P_tb = planes + (t·bits + b)·nw, each nw words.
  void (*plane_popcounts)(const uint64_t *w, int64_t w_stride, int64_t rows, const uint64_t *planes,
                          int tokens, int bits, int64_t nw, int64_t *pos, int64_t pos_stride);
  /// Scores of one head. For i < nq and j < nk:
  /// out[i·out_stride + j] = ceil_shr(Σ_{f < dh} (q_i[f] − offset)(k_j[f] − offset), shift),
  /// where q_i = q + i·q_stride and k_j = k + j·k_stride.
  void (*qk_block)(const int64_t *q, int64_t q_stride, int nq, const int64_t *k, int64_t k_stride,
                   int nk, int dh, int64_t offset, int shift, int64_t *out, int64_t out_stride);
  /// Probabilities times values of one head. For i < nq and f < dh:
  /// out_i[f] += Σ_{j < nk} p_i[j] · (v_j[f] − offset), with p_i = p + i·p_stride,
  /// v_j = v + j·v_stride and out_i = out + i·out_stride.
  void (*pv_block)(const int64_t *p, int64_t p_stride, int nq, const int64_t *v, int64_t v_stride,
                   int nk, int dh, int64_t offset, int64_t *out, int64_t out_stride);
};

/// "portable", "avx2" or "avx512" (the GRANITA_SIMD spelling).
const char *isa_name(Isa isa);
/// Whether this CPU (and OS) can run `isa`'s path.
bool cpu_supports(Isa isa);
/// Every path this CPU supports, portable first.
std::vector<Isa> supported_isas();
/// The fastest path this CPU supports.
Isa best_isa();
/// The kernels of `isa`. The caller must have checked cpu_supports(isa).
const KernelTable &table(Isa isa);
/// The path GRANITA_SIMD=`value` asks for; nullptr or "" asks for best_isa(). Throws InputError
/// if `value` names an unknown path or one this CPU lacks.
Isa requested_isa(const char *value);
/// The path chosen for this process: GRANITA_SIMD if set, else best_isa(). Read once, on first
/// use. Throws InputError if GRANITA_SIMD names an unknown path or one this CPU lacks.
const KernelTable &active();

} // namespace granita::ref::simd
