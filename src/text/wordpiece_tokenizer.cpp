// SPDX-License-Identifier: Apache-2.0
#include "src/text/wordpiece_tokenizer.h"

#include "src/text/bert_chars.h"
#include "src/util/error.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <array>
#include <climits>

namespace granita::text {

using detail::append_utf8;
using detail::is_bert_whitespace;
using detail::is_cjk;
using detail::is_control;
using detail::is_punctuation;
using detail::is_python_space;
using detail::lower_word;

namespace {

// HF WordpieceTokenizer.max_input_chars_per_word.
constexpr size_t kMaxInputCharsPerWord = 100;

// HF PreTrainedTokenizer.tokenize() splits these out before anything else (case-sensitive).
constexpr std::array<std::string_view, 5> kSpecialTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                            "[MASK]"};

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
