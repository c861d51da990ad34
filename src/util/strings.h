// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace granita {

/// Splits `s` at every `sep`; n separators give n + 1 fields (empty fields kept).
std::vector<std::string> split(std::string_view s, char sep);

} // namespace granita
