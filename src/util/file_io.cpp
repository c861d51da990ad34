// SPDX-License-Identifier: Apache-2.0
#include "src/util/file_io.h"

#include "src/util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace granita {

std::string read_file(const std::filesystem::path &path, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw InputError({path.string()}, "", "file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError({path.string()}, "", "expected a file, found a directory");
  // Refuse an oversized regular file before allocating anything; the check while reading below
  // still catches files that grow, pipes and devices, which report no size.
  check_file_size(path, max_bytes);
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw InputError({path.string()}, "", std::string("cannot open: ") + std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (out.size() + got > max_bytes) {
      std::fclose(f);
      throw InputError({path.string()}, "",
                       "file is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, got);
  }
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    throw InputError({path.string()}, "", "read error");
  return out;
}

void check_file_size(const std::filesystem::path &path, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes)
    throw InputError({path.string()}, "",
                     "file is " + std::to_string(size) + " bytes, larger than the limit of " +
                         std::to_string(max_bytes) + " bytes");
}

void write_file_atomic(const std::filesystem::path &path, const std::string &content) {
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::random_device rd;
  std::filesystem::path tmp =
      dir / ("." + path.filename().string() + ".tmp-" + std::to_string(getpid()) + "-" +
             std::to_string(rd()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    throw InputError({path.string()}, "", std::string("cannot write: ") + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw InputError({path.string()}, "", std::string("write failed: ") + std::strerror(err));
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw InputError({path.string()}, "", std::string("write failed: ") + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw InputError({path.string()}, "", std::string("cannot rename into place: ") +
                                              std::strerror(err));
  }
}

} // namespace granita
