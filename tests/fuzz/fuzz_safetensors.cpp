// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the safetensors parser must reject any malformed input with InputError.
#include "src/io/safetensors.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    auto f = granita::io::SafetensorsFile::parse(
        std::string(reinterpret_cast<const char *>(data), size), "fuzz.safetensors");
    for (const auto &[name, t] : f.tensors())
      if (int64_t(t.bytes.size()) != t.numel() * int64_t(granita::io::dtype_size(t.dtype)))
        __builtin_trap(); // the parser accepted a tensor whose size does not match its shape
  } catch (const granita::InputError &) {
  }
  return 0;
}
