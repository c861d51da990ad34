// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace granita::model {

/// A rows × cols matrix of ±1 values, one bit each (1 = +1), each row padded to whole 64-bit
/// words (padding bits are 0). Also holds each row's count of +1 entries.
struct PackedBits {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t words_per_row = 0;
  std::vector<uint64_t> words;
  std::vector<int32_t> row_ones;

  const uint64_t *row(int64_t r) const { return words.data() + r * words_per_row; }
  bool bit(int64_t r, int64_t c) const { return (row(r)[c >> 6] >> (c & 63)) & 1; }
  int sign(int64_t r, int64_t c) const { return bit(r, c) ? 1 : -1; }

  /// From the on-disk layout: row-major bytes, ceil(cols/8) per row, LSB first.
  static PackedBits from_bytes(int64_t rows, int64_t cols, const std::string &bytes);
  /// To the on-disk layout.
  std::string to_bytes() const;
  /// From a row-major ±1 (or any sign; >= 0 counts as +1) matrix.
  static PackedBits from_signs(int64_t rows, int64_t cols, const std::vector<int8_t> &signs);
};

} // namespace granita::model
