// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/text/vocab.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace granita::text {

/// Model input for one example: token ids and segment (token type) ids, same length.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  size_t truncated_tokens = 0; // wordpieces dropped to fit max_len (0: the whole input fits)
};

/// BERT uncased text-to-wordpiece tokenizer, matching Hugging Face `BertTokenizer` with
/// do_lower_case=True, tokenize_chinese_chars=True and default strip_accents.
///
/// Pipeline (per HF): the literal special tokens [PAD] [UNK] [CLS] [SEP] [MASK] are split out
/// first and kept whole; then, as BasicTokenizer does: NUL, U+FFFD and category C* characters
/// except \t \n \r are dropped; whitespace (' ', \t, \n, \r, Zs, and the other separators
/// Python's str.split() knows) ends a word; each CJK ideograph is a word of its own; each word is
/// lower-cased as Python's str.lower() does it (full Unicode mapping, "İ" becomes "i" + U+0307,
/// and a capital sigma in the Final_Sigma context within the word becomes "ς", otherwise "σ"),
/// NFD-normalised, stripped of Mn marks and split around punctuation (category P*, plus every
/// ASCII non-alphanumeric symbol). Each resulting word longer than 100 code points
/// becomes [UNK]; otherwise it is split greedily longest-match-first into pieces, the non-initial
/// ones prefixed with "##", and a word with an unmatched rest becomes a single [UNK].
///
/// Contract: holds its own (shared, read-only) copy of the Vocab. Stateless after construction:
/// const methods may be called from several threads at once. Input must be valid UTF-8,
/// otherwise granita::InputError ("invalid UTF-8 at byte N", N 0-based) is thrown.
class WordpieceTokenizer {
public:
  explicit WordpieceTokenizer(const Vocab &vocab);

  /// The wordpieces of `utf8`, without [CLS]/[SEP] added.
  std::vector<std::string> tokenize(std::string_view utf8) const;

  /// Ids of tokenize(utf8).
  std::vector<int32_t> tokenize_ids(std::string_view utf8) const;

  /// `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, type ids 0 up to and including the first [SEP]
  /// and 1 after it. Too long inputs are cut like HF's 'longest_first' strategy: the last token
  /// of the longer sequence is dropped (of b on a tie) until the total fits `max_len`.
  /// Throws InputError if `max_len` < 3 (single) or < 4 (pair).
  Encoding encode(std::string_view a, std::optional<std::string_view> b, size_t max_len) const;

  const Vocab &vocab() const { return m_vocab; }

private:
  struct Scratch;
  void basic_tokenize_ids(std::string_view utf8, std::vector<int32_t> &out) const;
  void flush_word(Scratch &scratch, std::vector<int32_t> &out) const;
  void wordpiece(Scratch &scratch, std::vector<int32_t> &out) const;

  Vocab m_vocab;
  const icu::Normalizer2 *m_nfd = nullptr; // owned by ICU, immutable
  size_t m_max_piece_bytes = 0;
};

} // namespace granita::text
