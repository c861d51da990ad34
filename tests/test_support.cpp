// SPDX-License-Identifier: Apache-2.0
#include "tests/test_support.h"

#include "src/util/error.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace granita::test {

std::filesystem::path data_root() {
  if (const char *env = std::getenv("GRANITA_DATA"); env && *env)
    return env;
  return std::filesystem::path(GRANITA_SOURCE_DIR) / ".." / "shared";
}

bool data_available(const std::filesystem::path &p, std::string *why) {
  if (std::filesystem::exists(p))
    return true;
  *why = "test data not found: " + p.string() +
         " (set GRANITA_DATA to the folder holding glue/ and vocab/, or run scripts/get-glue)";
  return false;
}

TempDir::TempDir() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("granita-test-" + std::to_string(rd()) + "-" +
                             std::to_string(counter.fetch_add(1)));
    if (std::filesystem::create_directory(candidate)) {
      m_path = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::string input_error_message(const std::function<void()> &f) {
  try {
    f();
  } catch (const InputError &e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

void write_file(const std::filesystem::path &p, const std::string &bytes) {
  if (p.has_parent_path())
    std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + p.string());
}

} // namespace granita::test
