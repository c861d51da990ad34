// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the WordPiece tokenizer on arbitrary bytes. Invalid UTF-8 must raise
// InputError; valid text must give ids inside the vocabulary and encode() must respect max_len.
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {
const granita::text::WordpieceTokenizer &tokenizer() {
  static const granita::text::Vocab vocab = granita::text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##a", "##b", "ab", ",", ".", "!",
       "é", "e", "##e", "中", "the", "##s", "un", "##aff", "##able"});
  static const granita::text::WordpieceTokenizer tok(vocab);
  return tok;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &tok = tokenizer();
  const std::string text(reinterpret_cast<const char *>(data), size);
  try {
    for (int32_t id : tok.tokenize_ids(text))
      if (id < 0 || size_t(id) >= tok.vocab().size())
        __builtin_trap();
    const size_t half = size / 2;
    auto enc = tok.encode(std::string_view(text).substr(0, half),
                          std::string_view(text).substr(half), 16);
    if (enc.ids.size() > 16 || enc.ids.size() != enc.type_ids.size())
      __builtin_trap();
  } catch (const granita::InputError &) {
  }
  return 0;
}
