// SPDX-License-Identifier: Apache-2.0
// The character rules of BERT's BasicTokenizer as Hugging Face applies them (which code points are
// control, whitespace, punctuation or CJK) and Python's str.lower(), on ICU's character database.
#include "src/text/bert_chars.h"

#include "src/util/error.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

namespace granita::text::detail {

namespace {

/// Calls emit() with each code point of the full lowercase mapping of `c` taken on its own, as
/// Python's `c.lower()` on a one-character string. Only U+0130 İ maps to more than one code point
/// (i + U+0307); a lone capital sigma gives the non-final σ.
template <class Emit> void lower_code_point(UChar32 c, Emit &&emit) {
  if (c < 0x80) {
    emit(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    return;
  }
  UChar src[2];
  int32_t src_len = 0;
  U16_APPEND_UNSAFE(src, src_len, c);
  UChar dst[8];
  UErrorCode status = U_ZERO_ERROR;
  // Root locale "": no Turkish/Lithuanian rules, which Python's str.lower() does not apply either.
  const int32_t dst_len = u_strToLower(dst, 8, src, src_len, "", &status);
  GRANITA_ASSERT(U_SUCCESS(status) && dst_len <= 8,
                 "u_strToLower failed for U+" << std::hex << c << ": " << u_errorName(status));
  for (int32_t i = 0; i < dst_len;) {
    UChar32 d = 0;
    U16_NEXT(dst, i, dst_len, d);
    emit(d);
  }
}

bool is_cased(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_CASED) != 0; }

bool is_case_ignorable(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_CASE_IGNORABLE) != 0; }

/// True if the capital sigma at word[i] is in the Final_Sigma context of SpecialCasing.txt,
///   \p{Cased} \p{Case_Ignorable}* Σ !(\p{Case_Ignorable}* \p{Cased}),
/// tested exactly as CPython's handle_capital_sigma() does (an ignorable character that is also
/// cased, such as U+0345, is skipped as ignorable).
bool is_final_sigma(const std::vector<UChar32> &word, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(word[j - 1]))
    --j;
  if (j == 0 || !is_cased(word[j - 1]))
    return false;
  j = i + 1;
  while (j < word.size() && is_case_ignorable(word[j]))
    ++j;
  return j == word.size() || !is_cased(word[j]);
}

} // namespace

bool is_control(UChar32 c) {
  // BERT counts \t \n \r as whitespace; HF drops every other category C* (Cc Cf Cs Co Cn).
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  return (U_GET_GC_MASK(c) & U_GC_C_MASK) != 0;
}

bool is_bert_whitespace(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || u_charType(c) == U_SPACE_SEPARATOR;
}

// Python's str.isspace() set, used by BERT's whitespace_tokenize (str.split()). After cleaning,
// only U+2028/U+2029 (Zl, Zp) can still reach it, but keeping the full set makes the rule local.
bool is_python_space(UChar32 c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

bool is_punctuation(UChar32 c) {
  // BERT treats every ASCII non-alphanumeric printable character as punctuation ("$", "^", "`").
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  return (U_GET_GC_MASK(c) & U_GC_P_MASK) != 0;
}

// BERT's _is_chinese_char: the CJK Unified Ideographs blocks (not Hiragana, Katakana or Hangul).
bool is_cjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/// Appends Python's `word.lower()` to `out`: the context-free full mapping of each code point,
/// except that U+03A3 Σ becomes final ς (U+03C2) in the Final_Sigma context, the one
/// context-dependent rule CPython applies (it ignores the language-specific SpecialCasing rules).
void lower_word(const std::vector<UChar32> &word, std::vector<UChar32> &out) {
  for (size_t i = 0; i < word.size(); ++i) {
    const UChar32 c = word[i];
    if (c == 0x3A3)
      out.push_back(is_final_sigma(word, i) ? 0x3C2 : 0x3C3);
    else
      lower_code_point(c, [&](UChar32 d) { out.push_back(d); });
  }
}

void append_utf8(std::string &s, UChar32 c) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  s.append(reinterpret_cast<const char *>(buf), static_cast<size_t>(n));
}

} // namespace granita::text::detail
