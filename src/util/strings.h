// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace granita {

/// Splits `s` at every `sep`; n separators give n + 1 fields (empty fields kept).
std::vector<std::string> split(std::string_view s, char sep);

/// One CSV field (RFC 4180): quoted, with doubled quotes, if it holds a comma, quote or newline.
std::string csv_field(const std::string &s);

/// The strings of `v` with `sep` between them.
std::string join(const std::vector<std::string> &v, const std::string &sep);

} // namespace granita
