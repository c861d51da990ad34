// SPDX-License-Identifier: Apache-2.0
#pragma once

// BERT's character classes and Python's lowering, as the WordPiece tokenizer applies them
// (Hugging Face BertTokenizer on CPython); used by wordpiece_tokenizer.cpp only.

#include <unicode/umachine.h>

#include <string>
#include <vector>

namespace granita::text::detail {

/// BERT's _is_control: every category C* but \t \n \r (which are whitespace); dropped by cleaning.
bool is_control(UChar32 c);
/// BERT's _is_whitespace: space, \t \n \r and the space separators (Zs).
bool is_bert_whitespace(UChar32 c);
/// Python's str.isspace() set, used by BERT's whitespace_tokenize (str.split()).
bool is_python_space(UChar32 c);
/// BERT's _is_punctuation: every ASCII non-alphanumeric printable character and category P*.
bool is_punctuation(UChar32 c);
/// BERT's _is_chinese_char: the CJK Unified Ideographs blocks.
bool is_cjk(UChar32 c);
/// Appends Python's `word.lower()` of `word` to `out` (with the Final_Sigma rule).
void lower_word(const std::vector<UChar32> &word, std::vector<UChar32> &out);
/// Appends `c` to `s` as UTF-8.
void append_utf8(std::string &s, UChar32 c);

} // namespace granita::text::detail
