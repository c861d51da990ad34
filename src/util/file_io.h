// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>

namespace granita {

/// Reads a whole file; throws InputError naming the file if it is missing or unreadable.
/// Files larger than max_bytes are refused before they are read.
std::string read_file(const std::filesystem::path &path, size_t max_bytes = size_t(1) << 31);

/// Throws the InputError read_file would if `path` is a regular file over max_bytes (a file's
/// size is known without reading it; other checks are read_file's).
void check_file_size(const std::filesystem::path &path, size_t max_bytes);

/// Writes `content` to `path` atomically: a temporary file in the same directory is written,
/// flushed and renamed over `path`, so readers see the old file or the new one, never a part.
void write_file_atomic(const std::filesystem::path &path, const std::string &content);

} // namespace granita
