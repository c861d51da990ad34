// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the sweep spec reader and the point expansion on arbitrary bytes. Anything
// malformed must raise InputError; a spec that parses must expand to at most kMaxSweepPoints
// points (at most `samples` in random mode) with distinct hashes, in index order.
#include "sweep/sweep_spec.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace granita::sweep;
  SweepSpec spec;
  try {
    spec = parse_sweep_spec(std::string(reinterpret_cast<const char *>(data), size), "fuzz.yaml");
  } catch (const granita::InputError &) {
    return 0;
  }
  const auto points = expand_sweep(spec);
  if (points.empty() || points.size() > kMaxSweepPoints)
    __builtin_trap();
  if (spec.mode == SweepMode::random && points.size() > size_t(spec.samples))
    __builtin_trap();
  std::set<std::string> hashes;
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].index != i || !hashes.insert(points[i].hash).second)
      __builtin_trap();
  return 0;
}
