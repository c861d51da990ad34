// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/config/hw_config.h"

#include <cstdint>
#include <string>
#include <vector>

/// The one table of hardware config parameters (docs/hw-config.md): the config reader, the list
/// of known keys (for -p and did-you-mean), `granita describe` and the parameter table of
/// docs/hw-config.md are all derived from it (the doc is checked against it by a test).
namespace granita::config {

struct HwParam {
  enum class Kind { Int, Enum, String };
  const char *key;   // dotted key path in the YAML file, e.g. "core.accumulate.lanes"
  const char *block; // the hardware block it belongs to (`granita describe BLOCK`)
  Kind kind;
  int64_t lo, hi;      // Int: accepted range
  const char *choices; // Enum: values separated by '|'
  const char *unit;
  const char *doc;
  int HwConfig::*int_field = nullptr;
  std::string HwConfig::*string_field = nullptr;
  // The value when the key is absent (nullptr: required). An optional Int's fallback is only
  // shown ("none"): absent, its field is 0, a value its range excludes.
  const char *fallback = nullptr;
};

/// Every parameter, in file order. Every hardware parameter that every chip has is required (no
/// defaults are assumed); the optional ones are compiler choices, which do not change what the
/// chip is, and `tick_hz`, which only tick-driven chips have (absent: none).
const std::vector<HwParam> &hw_params();

/// "int 1..256", "xy | yx | west_first", "string".
std::string hw_param_type(const HwParam &p);

/// The parameter table of docs/hw-config.md, as Markdown.
std::string hw_params_markdown();

} // namespace granita::config
