// SPDX-License-Identifier: Apache-2.0
#include "src/model/packed_bits.h"

#include "src/util/error.h"

namespace granita::model {

namespace {
void finish_counts(PackedBits &p) {
  p.row_ones.assign(size_t(p.rows), 0);
  for (int64_t r = 0; r < p.rows; ++r) {
    int32_t n = 0;
    for (int64_t w = 0; w < p.words_per_row; ++w)
      n += __builtin_popcountll(p.row(r)[w]);
    p.row_ones[size_t(r)] = n;
  }
}
} // namespace

PackedBits PackedBits::from_bytes(int64_t rows, int64_t cols, const std::string &bytes) {
  PackedBits p;
  p.rows = rows;
  p.cols = cols;
  p.words_per_row = (cols + 63) / 64;
  const int64_t bytes_per_row = (cols + 7) / 8;
  GRANITA_ASSERT(int64_t(bytes.size()) == rows * bytes_per_row, "packed size checked by caller");
  p.words.assign(size_t(rows * p.words_per_row), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < bytes_per_row; ++b) {
      uint64_t byte = uint8_t(bytes[size_t(r * bytes_per_row + b)]);
      p.words[size_t(r * p.words_per_row + b / 8)] |= byte << (8 * (b % 8));
    }
  // Clear padding bits so that popcounts over whole words stay exact.
  if (cols % 64 != 0) {
    uint64_t mask = (uint64_t(1) << (cols % 64)) - 1;
    for (int64_t r = 0; r < rows; ++r)
      p.words[size_t(r * p.words_per_row + p.words_per_row - 1)] &= mask;
  }
  finish_counts(p);
  return p;
}

std::string PackedBits::to_bytes() const {
  const int64_t bytes_per_row = (cols + 7) / 8;
  std::string out(size_t(rows * bytes_per_row), '\0');
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < bytes_per_row; ++b)
      out[size_t(r * bytes_per_row + b)] = char((row(r)[b / 8] >> (8 * (b % 8))) & 0xff);
  return out;
}

PackedBits PackedBits::from_signs(int64_t rows, int64_t cols, const std::vector<int8_t> &signs) {
  GRANITA_ASSERT(int64_t(signs.size()) == rows * cols, "sign matrix size");
  PackedBits p;
  p.rows = rows;
  p.cols = cols;
  p.words_per_row = (cols + 63) / 64;
  p.words.assign(size_t(rows * p.words_per_row), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      if (signs[size_t(r * cols + c)] >= 0)
        p.words[size_t(r * p.words_per_row + c / 64)] |= uint64_t(1) << (c % 64);
  finish_counts(p);
  return p;
}

} // namespace granita::model
