// SPDX-License-Identifier: Apache-2.0
#include "src/ref/simd/simd.h"

#include "src/ref/simd/kernel_tables.h"
#include "src/util/error.h"

#include <cstdlib>
#include <string>

namespace granita::ref::simd {

const char *isa_name(Isa isa) {
  switch (isa) {
  case Isa::Portable:
    return "portable";
  case Isa::Avx2:
    return "avx2";
  case Isa::Avx512:
    return "avx512";
  }
  return "?";
}

bool cpu_supports(Isa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  // __builtin_cpu_supports also checks that the OS saves the vector state (XCR0).
  switch (isa) {
  case Isa::Portable:
    return true;
  case Isa::Avx2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  case Isa::Avx512:
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vpopcntdq");
  }
  return false;
#else
  return isa == Isa::Portable;
#endif
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::Portable, Isa::Avx2, Isa::Avx512})
    if (cpu_supports(isa))
      out.push_back(isa);
  return out;
}

Isa best_isa() { return supported_isas().back(); }

const KernelTable &table(Isa isa) {
  GRANITA_ASSERT(cpu_supports(isa), "SIMD path " << isa_name(isa) << " not supported here");
  switch (isa) {
  case Isa::Portable:
    return detail::portable_table();
  case Isa::Avx2:
    return detail::avx2_table();
  case Isa::Avx512:
    return detail::avx512_table();
  }
  return detail::portable_table();
}

Isa requested_isa(const char *value) {
  if (value == nullptr || *value == '\0')
    return best_isa();
  const std::string want = value;
  for (Isa isa : {Isa::Portable, Isa::Avx2, Isa::Avx512}) {
    if (want != isa_name(isa))
      continue;
    if (!cpu_supports(isa)) {
      std::string have;
      for (Isa i : supported_isas())
        have += (have.empty() ? "" : ", ") + std::string(isa_name(i));
      throw InputError("GRANITA_SIMD=" + want + ": this CPU lacks the " + want +
                       " path (it has: " + have + ")");
    }
    return isa;
  }
  throw InputError("GRANITA_SIMD=" + want + ": expected portable, avx2 or avx512");
}

namespace {

struct Choice {
  Isa isa = Isa::Portable;
  std::string error; // non-empty: GRANITA_SIMD is unusable
};

Choice choose() {
  try {
    return {requested_isa(std::getenv("GRANITA_SIMD")), ""};
  } catch (const InputError &e) {
    return {Isa::Portable, e.what()};
  }
}

} // namespace

const KernelTable &active() {
  // A function-local static: computed on first use (never at static-init time), then read-only.
  static const Choice choice = choose();
  if (!choice.error.empty())
    throw InputError(choice.error);
  return table(choice.isa);
}

} // namespace granita::ref::simd
