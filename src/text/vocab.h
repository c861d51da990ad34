// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/package_limits.h" // generated from src/model/package_limits.json

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace granita::text {

/// A WordPiece vocabulary: token strings and their integer ids (BERT `vocab.txt`).
///
/// Contract: immutable once built. Ids are dense, 0..size()-1, in file order. Every token is
/// non-empty, valid UTF-8 and unique, and the five BERT special tokens [PAD] [UNK] [CLS] [SEP]
/// [MASK] are present. Copies are cheap and share the same read-only table, so a Vocab may be held
/// by value by any number of tokenizers and used from several threads at once.
class Vocab {
public:
  /// Largest vocabulary file read (bert-base-uncased is 226 KiB, multilingual ones a few MiB).
  static constexpr size_t kMaxVocabBytes = size_t(model::limits::kMaxVocabBytes); // 64 MiB
  /// Most tokens load() accepts (bert-base-uncased has 30522, XLM-R 250002).
  static constexpr size_t kMaxVocabTokens = size_t(model::limits::kMaxVocabTokens); // 2^21

  /// Reads a BERT vocabulary file: one token per line, id = 0-based line index. A trailing "\r"
  /// is stripped from each line (CRLF files); the last line may lack its "\n". Throws
  /// granita::InputError naming the file and line on a missing, empty or too large
  /// (> kMaxVocabBytes or > kMaxVocabTokens) file, a byte order mark, a carriage return inside a
  /// line (CR-only line endings), an empty line, invalid UTF-8, a duplicate token (with the line of
  /// the first occurrence) or a missing special token.
  static Vocab load(const std::filesystem::path &path);

  /// Builds a vocabulary from tokens in id order, with the same checks as load() (errors name the
  /// token index instead of a file line).
  static Vocab from_tokens(std::vector<std::string> tokens);

  /// Id of `token`, or -1 if it is not in the vocabulary.
  int32_t id(std::string_view token) const;
  /// Token string of `id`; `id` must be in [0, size()) (checked with GRANITA_ASSERT).
  const std::string &token(int32_t id) const;
  size_t size() const;
  /// Length in bytes of the longest token (the tokenizer uses it to bound its search).
  size_t max_token_bytes() const;

  int32_t unk_id() const;
  int32_t cls_id() const;
  int32_t sep_id() const;
  int32_t pad_id() const;
  int32_t mask_id() const;

  /// Implementation detail (defined in vocab.cpp); not usable outside it.
  struct Table;

private:
  explicit Vocab(std::shared_ptr<const Table> table) : m_table(std::move(table)) {}

  std::shared_ptr<const Table> m_table;
};

} // namespace granita::text
