// SPDX-License-Identifier: Apache-2.0
#include "src/util/data_path.h"

#include <cstdlib>

namespace granita {

std::filesystem::path data_root() {
  if (const char *env = std::getenv("GRANITA_DATA"); env && *env)
    return env;
  return std::filesystem::path(GRANITA_DEFAULT_DATA).lexically_normal();
}

std::filesystem::path default_vocab_path() {
  return data_root() / "vocab" / "bert-base-uncased-vocab.txt";
}

} // namespace granita
