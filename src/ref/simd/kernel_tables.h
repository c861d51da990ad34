// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/ref/simd/simd.h"

/// The per-path kernel tables, one translation unit each. Only simd.cpp and tests call these;
/// everyone else goes through simd::table() or simd::active().
namespace granita::ref::simd::detail {

const KernelTable &portable_table();
/// Callable on any CPU; only its function pointers need AVX2.
const KernelTable &avx2_table();
/// Callable on any CPU; only its function pointers need AVX-512 F/BW/DQ/VL/VPOPCNTDQ.
const KernelTable &avx512_table();

} // namespace granita::ref::simd::detail
