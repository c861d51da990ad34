// SPDX-License-Identifier: Apache-2.0
#include "src/text/wordpiece_tokenizer.h"

#include "src/util/error.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <array>
#include <climits>

namespace granita::text {

namespace {

// HF WordpieceTokenizer.max_input_chars_per_word.
constexpr size_t kMaxInputCharsPerWord = 100;

// HF PreTrainedTokenizer.tokenize() splits these out before anything else (case-sensitive).
constexpr std::array<std::string_view, 5> kSpecialTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                            "[MASK]"};

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

} // namespace

/// Buffers reused across the words of one call, so the common path does not allocate per word.
struct WordpieceTokenizer::Scratch {
  std::vector<UChar32> word;       // current word after cleaning, before lowering
  std::vector<UChar32> lowered;    // word after lowering (str.lower() of the whole word)
  std::vector<UChar32> normalized; // lowered word after NFD and accent stripping
  std::vector<UChar32> piece;      // one punctuation-delimited piece of the word
  icu::UnicodeString ustr;
  icu::UnicodeString unorm;
  std::string utf8;               // piece as UTF-8
  std::vector<size_t> boundaries; // byte offset of each code point in utf8, plus the end
  std::string candidate;          // "##" + substring
};

WordpieceTokenizer::WordpieceTokenizer(const Vocab &vocab) : m_vocab(vocab) {
  UErrorCode status = U_ZERO_ERROR;
  m_nfd = icu::Normalizer2::getNFDInstance(status);
  GRANITA_ASSERT(U_SUCCESS(status) && m_nfd != nullptr,
                 "ICU NFD normaliser unavailable: " << u_errorName(status));
  m_max_piece_bytes = m_vocab.max_token_bytes();
}

std::vector<std::string> WordpieceTokenizer::tokenize(std::string_view utf8) const {
  std::vector<int32_t> ids = tokenize_ids(utf8);
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (int32_t id : ids)
    out.push_back(m_vocab.token(id));
  return out;
}

std::vector<int32_t> WordpieceTokenizer::tokenize_ids(std::string_view utf8) const {
  std::vector<int32_t> out;
  basic_tokenize_ids(utf8, out);
  return out;
}

void WordpieceTokenizer::basic_tokenize_ids(std::string_view text,
                                            std::vector<int32_t> &out) const {
  if (text.size() > static_cast<size_t>(INT32_MAX))
    throw InputError("text of " + std::to_string(text.size()) +
                     " bytes is too long to tokenize (limit 2^31-1)");
  const auto *bytes = reinterpret_cast<const uint8_t *>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  Scratch scratch;

  auto on_code_point = [&](UChar32 c) {
    if (c == 0 || c == 0xFFFD || is_control(c))
      return;
    if (is_bert_whitespace(c) || is_python_space(c)) {
      flush_word(scratch, out);
    } else if (is_cjk(c)) {
      flush_word(scratch, out);
      scratch.word.push_back(c);
      flush_word(scratch, out);
    } else {
      scratch.word.push_back(c);
    }
  };

  int32_t i = 0;
  while (i < length) {
    if (bytes[i] == '[') {
      bool matched = false;
      for (std::string_view special : kSpecialTokens) {
        if (text.compare(static_cast<size_t>(i), special.size(), special) == 0) {
          flush_word(scratch, out);
          out.push_back(m_vocab.id(special));
          i += static_cast<int32_t>(special.size());
          matched = true;
          break;
        }
      }
      if (matched)
        continue;
    }
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0)
      throw InputError("invalid UTF-8 at byte " + std::to_string(start));
    on_code_point(c);
  }
  flush_word(scratch, out);
}

void WordpieceTokenizer::flush_word(Scratch &scratch, std::vector<int32_t> &out) const {
  if (scratch.word.empty())
    return;

  // HF lowers each whitespace-separated word of the cleaned text with str.lower(), so the
  // Final_Sigma context ends at the word's ends. Lowering maps no character into or out of the
  // classes basic_tokenize_ids() tests, so splitting before lowering gives the same words.
  scratch.lowered.clear();
  lower_word(scratch.word, scratch.lowered);
  scratch.word.clear();

  // Code points below U+00C0 have no canonical decomposition and none is a mark, so pure
  // ASCII/Latin-1-symbol words skip ICU.
  bool needs_nfd = false;
  for (UChar32 c : scratch.lowered)
    needs_nfd |= c >= 0xC0;
  scratch.normalized.clear();
  if (needs_nfd) {
    scratch.ustr.remove();
    for (UChar32 c : scratch.lowered)
      scratch.ustr.append(c);
    UErrorCode status = U_ZERO_ERROR;
    m_nfd->normalize(scratch.ustr, scratch.unorm, status);
    GRANITA_ASSERT(U_SUCCESS(status), "NFD normalisation failed: " << u_errorName(status));
    const int32_t n = scratch.unorm.length();
    for (int32_t i = 0; i < n;) {
      const UChar32 c = scratch.unorm.char32At(i);
      i += U16_LENGTH(c);
      if (u_charType(c) != U_NON_SPACING_MARK)
        scratch.normalized.push_back(c);
    }
  } else {
    scratch.normalized.assign(scratch.lowered.begin(), scratch.lowered.end());
  }

  scratch.piece.clear();
  for (UChar32 c : scratch.normalized) {
    if (is_punctuation(c)) {
      wordpiece(scratch, out);
      scratch.piece.push_back(c);
      wordpiece(scratch, out);
    } else if (is_python_space(c)) {
      wordpiece(scratch, out);
    } else {
      scratch.piece.push_back(c);
    }
  }
  wordpiece(scratch, out);
}

void WordpieceTokenizer::wordpiece(Scratch &scratch, std::vector<int32_t> &out) const {
  const size_t n = scratch.piece.size();
  if (n == 0)
    return;
  if (n > kMaxInputCharsPerWord) {
    out.push_back(m_vocab.unk_id());
    scratch.piece.clear();
    return;
  }
  std::string &s = scratch.utf8;
  std::vector<size_t> &at = scratch.boundaries;
  s.clear();
  at.clear();
  for (UChar32 c : scratch.piece) {
    at.push_back(s.size());
    append_utf8(s, c);
  }
  at.push_back(s.size());
  scratch.piece.clear();

  const size_t mark = out.size();
  size_t start = 0;
  while (start < n) {
    const size_t prefix = start > 0 ? 2 : 0;
    int32_t found = -1;
    size_t end = n;
    for (; end > start; --end) {
      const size_t len = at[end] - at[start];
      if (len + prefix > m_max_piece_bytes)
        continue; // longer than any vocabulary entry
      std::string_view candidate;
      if (start == 0) {
        candidate = std::string_view(s.data(), len);
      } else {
        scratch.candidate.assign("##");
        scratch.candidate.append(s, at[start], len);
        candidate = scratch.candidate;
      }
      found = m_vocab.id(candidate);
      if (found >= 0)
        break;
    }
    if (found < 0) {
      out.resize(mark);
      out.push_back(m_vocab.unk_id());
      return;
    }
    out.push_back(found);
    start = end;
  }
}

Encoding WordpieceTokenizer::encode(std::string_view a, std::optional<std::string_view> b,
                                    size_t max_len) const {
  const size_t n_special = b ? 3 : 2;
  if (max_len < n_special + 1)
    throw InputError(SourceLocation{}, "max_len",
                     "must be at least " + std::to_string(n_special + 1) + " for a " +
                         (b ? "sentence pair" : "single sentence") + ", got " +
                         std::to_string(max_len));
  std::vector<int32_t> ids_a = tokenize_ids(a);
  std::vector<int32_t> ids_b;
  if (b)
    ids_b = tokenize_ids(*b);

  const size_t total = ids_a.size() + ids_b.size() + n_special;
  if (total > max_len) {
    const size_t to_remove = total - max_len;
    if (!b) {
      // to_remove <= |a| - 1 because max_len >= 3.
      ids_a.resize(ids_a.size() - to_remove);
    } else {
      // HF truncate_sequences('longest_first'): one token at a time from the longer side, from b
      // on a tie. Never empties both: at least max_len - 3 >= 1 tokens stay.
      for (size_t k = 0; k < to_remove; ++k) {
        if (ids_a.size() > ids_b.size())
          ids_a.pop_back();
        else
          ids_b.pop_back();
      }
    }
  }

  Encoding enc;
  enc.truncated_tokens = total > max_len ? total - max_len : 0;
  const size_t out_len = ids_a.size() + ids_b.size() + n_special;
  enc.ids.reserve(out_len);
  enc.type_ids.reserve(out_len);
  enc.ids.push_back(m_vocab.cls_id());
  enc.ids.insert(enc.ids.end(), ids_a.begin(), ids_a.end());
  enc.ids.push_back(m_vocab.sep_id());
  enc.type_ids.assign(enc.ids.size(), 0);
  if (b) {
    enc.ids.insert(enc.ids.end(), ids_b.begin(), ids_b.end());
    enc.ids.push_back(m_vocab.sep_id());
    enc.type_ids.resize(enc.ids.size(), 1);
  }
  return enc;
}

} // namespace granita::text
