// SPDX-License-Identifier: Apache-2.0
#include "src/text/wordpiece_tokenizer.h"

#include "src/util/error.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace granita::text {

namespace {

constexpr size_t kMaxWordChars = 100; // HF WordpieceTokenizer.max_input_chars_per_word

bool is_whitespace(UChar32 c) {
  // BERT's _is_whitespace, plus the separators Python's str.split() also splits on
  // (U+2028, U+2029); other str.split() separators are control characters, removed earlier.
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
    return true;
  const int8_t t = u_charType(c);
  return t == U_SPACE_SEPARATOR || t == U_LINE_SEPARATOR || t == U_PARAGRAPH_SEPARATOR;
}

bool is_control(UChar32 c) {
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  const int8_t t = u_charType(c);
  return t == U_CONTROL_CHAR || t == U_FORMAT_CHAR || t == U_UNASSIGNED ||
         t == U_PRIVATE_USE_CHAR || t == U_SURROGATE;
}

bool is_punctuation(UChar32 c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  switch (u_charType(c)) {
  case U_DASH_PUNCTUATION:
  case U_START_PUNCTUATION:
  case U_END_PUNCTUATION:
  case U_CONNECTOR_PUNCTUATION:
  case U_OTHER_PUNCTUATION:
  case U_INITIAL_PUNCTUATION:
  case U_FINAL_PUNCTUATION:
    return true;
  default:
    return false;
  }
}

bool is_cjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void append_utf8(std::string &out, UChar32 c) {
  char buf[4];
  int32_t i = 0;
  UBool err = false;
  U8_APPEND(buf, i, 4, c, err);
  GRANITA_ASSERT(!err, "code point out of range");
  out.append(buf, size_t(i));
}

const char *const kSpecialTokens[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

} // namespace

struct WordpieceTokenizer::Scratch {
  std::string word;                // current whitespace-delimited word, raw UTF-8
  std::vector<UChar32> chars;      // a punctuation-split piece, as code points
  std::string utf8;                // the same piece as UTF-8
  std::vector<size_t> char_offsets; // byte offset of each code point in utf8
  std::string candidate;
};

WordpieceTokenizer::WordpieceTokenizer(const Vocab &vocab) : m_vocab(vocab) {
  UErrorCode status = U_ZERO_ERROR;
  m_nfd = icu::Normalizer2::getNFDInstance(status);
  GRANITA_ASSERT(U_SUCCESS(status) && m_nfd, "ICU NFD normalizer unavailable");
  m_max_piece_bytes = vocab.max_token_bytes();
}

void WordpieceTokenizer::wordpiece(Scratch &s, std::vector<int32_t> &out) const {
  if (s.chars.empty())
    return;
  if (s.chars.size() > kMaxWordChars) {
    out.push_back(m_vocab.unk_id());
    return;
  }
  const size_t first_out = out.size();
  size_t start = 0;
  const size_t n = s.chars.size();
  while (start < n) {
    int32_t found = -1;
    size_t end = n;
    for (; end > start; --end) {
      const size_t b0 = s.char_offsets[start];
      const size_t b1 = end == n ? s.utf8.size() : s.char_offsets[end];
      if (b1 - b0 + (start > 0 ? 2 : 0) > m_max_piece_bytes)
        continue;
      s.candidate.assign(start > 0 ? "##" : "");
      s.candidate.append(s.utf8, b0, b1 - b0);
      found = m_vocab.id(s.candidate);
      if (found >= 0)
        break;
    }
    if (found < 0) {
      out.resize(first_out);
      out.push_back(m_vocab.unk_id());
      return;
    }
    out.push_back(found);
    start = end;
  }
}

void WordpieceTokenizer::flush_word(Scratch &s, std::vector<int32_t> &out) const {
  if (s.word.empty())
    return;
  // Lower-case the word (full Unicode mapping), NFD, drop combining marks (Mn).
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s.word);
  u.toLower(icu::Locale::getRoot());
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString nfd = m_nfd->normalize(u, status);
  GRANITA_ASSERT(U_SUCCESS(status), "NFD normalisation failed");
  auto emit = [&]() {
    wordpiece(s, out);
    s.chars.clear();
    s.utf8.clear();
    s.char_offsets.clear();
  };
  for (int32_t i = 0; i < nfd.length();) {
    const UChar32 c = nfd.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK)
      continue;
    if (is_punctuation(c)) {
      emit();
      s.chars.push_back(c);
      s.char_offsets.push_back(0);
      append_utf8(s.utf8, c);
      emit();
      continue;
    }
    s.char_offsets.push_back(s.utf8.size());
    s.chars.push_back(c);
    append_utf8(s.utf8, c);
  }
  emit();
  s.word.clear();
}

void WordpieceTokenizer::basic_tokenize_ids(std::string_view text, std::vector<int32_t> &out) const {
  Scratch s;
  const auto *p = reinterpret_cast<const uint8_t *>(text.data());
  const int32_t len = int32_t(text.size());
  for (int32_t i = 0; i < len;) {
    // Literal special tokens are kept whole (HF never splits them).
    if (text[size_t(i)] == '[') {
      bool matched = false;
      for (const char *sp : kSpecialTokens) {
        const std::string_view tok(sp);
        if (text.substr(size_t(i), tok.size()) == tok) {
          flush_word(s, out);
          out.push_back(m_vocab.id(tok));
          i += int32_t(tok.size());
          matched = true;
          break;
        }
      }
      if (matched)
        continue;
    }
    UChar32 c;
    U8_NEXT(p, i, len, c);
    GRANITA_ASSERT(c >= 0, "UTF-8 validated by the caller");
    if (c == 0 || c == 0xFFFD || is_control(c))
      continue;
    if (is_whitespace(c)) {
      flush_word(s, out);
      continue;
    }
    if (is_cjk(c)) {
      flush_word(s, out);
      append_utf8(s.word, c);
      flush_word(s, out);
      continue;
    }
    append_utf8(s.word, c);
  }
  flush_word(s, out);
}

std::vector<int32_t> WordpieceTokenizer::tokenize_ids(std::string_view utf8) const {
  const auto *p = reinterpret_cast<const uint8_t *>(utf8.data());
  const int32_t len = int32_t(utf8.size());
  for (int32_t i = 0; i < len;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c < 0)
      throw InputError("invalid UTF-8 at byte " + std::to_string(at));
  }
  std::vector<int32_t> out;
  basic_tokenize_ids(utf8, out);
  return out;
}

std::vector<std::string> WordpieceTokenizer::tokenize(std::string_view utf8) const {
  std::vector<std::string> out;
  for (int32_t id : tokenize_ids(utf8))
    out.push_back(m_vocab.token(id));
  return out;
}

Encoding WordpieceTokenizer::encode(std::string_view a, std::optional<std::string_view> b,
                                    size_t max_len) const {
  const size_t specials = b ? 3 : 2;
  if (max_len < specials + 1)
    throw InputError("max_len " + std::to_string(max_len) + " is too small: need at least " +
                     std::to_string(specials + 1));
  std::vector<int32_t> ta = tokenize_ids(a), tb;
  if (b)
    tb = tokenize_ids(*b);
  while (ta.size() + tb.size() + specials > max_len) {
    if (ta.size() > tb.size())
      ta.pop_back();
    else
      tb.pop_back();
  }
  Encoding e;
  e.ids.push_back(m_vocab.cls_id());
  e.ids.insert(e.ids.end(), ta.begin(), ta.end());
  e.ids.push_back(m_vocab.sep_id());
  e.type_ids.assign(e.ids.size(), 0);
  if (b) {
    e.ids.insert(e.ids.end(), tb.begin(), tb.end());
    e.ids.push_back(m_vocab.sep_id());
    e.type_ids.resize(e.ids.size(), 1);
  }
  return e;
}

} // namespace granita::text
