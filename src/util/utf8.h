// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>

namespace granita {

/// Byte offset of the first ill-formed UTF-8 sequence in `s` (overlong forms, surrogates and
/// code points above U+10FFFF are ill-formed), or std::string_view::npos if `s` is valid.
size_t first_invalid_utf8(std::string_view s);

} // namespace granita
