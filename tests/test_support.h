// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace granita::test {

/// Root of the shared data (GLUE TSVs, vocabulary): $GRANITA_DATA, else ../shared beside the
/// source tree.
std::filesystem::path data_root();

/// Path to a file under data_root(). If it is missing, the calling test is skipped with a message,
/// except under CI=true, where it fails loudly. Use through GRANITA_REQUIRE_DATA.
bool data_available(const std::filesystem::path &p, std::string *why);

/// A fresh, empty temporary directory removed when the object dies.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

/// Runs `f` and returns the what() of the InputError it throws; records a test failure (and
/// returns "") if it throws nothing.
std::string input_error_message(const std::function<void()> &f);

/// Writes bytes to a file (creating parent directories).
void write_file(const std::filesystem::path &p, const std::string &bytes);

} // namespace granita::test

/// Returns from the test with a skip (locally) or a failure (CI=true) when `path` is missing.
#define GRANITA_REQUIRE_DATA(path)                                                                 \
  do {                                                                                             \
    std::string granita_why_;                                                                      \
    if (!::granita::test::data_available((path), &granita_why_)) {                                 \
      if (std::getenv("CI") && std::string(std::getenv("CI")) == "true") {                         \
        FAIL() << granita_why_;                                                                    \
      } else {                                                                                     \
        GTEST_SKIP() << granita_why_;                                                              \
      }                                                                                            \
    }                                                                                              \
  } while (0)
