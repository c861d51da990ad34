// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace granita {

/// Incremental SHA-256 (FIPS 180-4). Used for model package checksums and config hashes.
class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> digest();
  std::string hex_digest();

private:
  void compress(const uint8_t *block);
  std::array<uint32_t, 8> m_state;
  std::array<uint8_t, 64> m_buffer{};
  size_t m_buffered = 0;
  uint64_t m_total_bytes = 0;
};

std::string sha256_hex(std::string_view data);
/// Hash of a whole file; throws InputError if it cannot be read.
std::string sha256_file_hex(const std::filesystem::path &path);

} // namespace granita
