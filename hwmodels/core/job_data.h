// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/ref/kernels.h"

#include <algorithm>
#include <vector>

/// Small helpers shared by the core's job code: one token's values as a one-row matrix for the
/// reference kernels, and a task's slice of a per-feature parameter.
namespace granita::hw::job {

inline ref::IntMatrix row_matrix(const std::vector<int64_t> &v, int64_t offset = 0) {
  ref::IntMatrix m(1, int(v.size()));
  std::copy(v.begin(), v.end(), m.v.begin());
  m.offset = offset;
  return m;
}

template <class T> std::vector<T> slice(const std::vector<T> &v, int lo, int hi) {
  return std::vector<T>(v.begin() + lo, v.begin() + hi);
}

} // namespace granita::hw::job
