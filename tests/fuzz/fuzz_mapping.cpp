// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the mapping reader on arbitrary bytes. Anything malformed must raise
// InputError; a mapping that parses must survive a round trip: writing it and reading it back
// gives the same text again.
#include "src/mapping/mapping.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  granita::mapping::Mapping m;
  try {
    m = granita::mapping::parse_mapping(std::string(reinterpret_cast<const char *>(data), size),
                                        "fuzz.yaml");
  } catch (const granita::InputError &) {
    return 0;
  }
  const std::string text = granita::mapping::to_yaml(m);
  try {
    if (granita::mapping::to_yaml(granita::mapping::parse_mapping(text, "again.yaml")) != text)
      __builtin_trap(); // the writer and the reader disagree
  } catch (const granita::InputError &) {
    __builtin_trap(); // the reader rejects what the writer wrote
  }
  return 0;
}
