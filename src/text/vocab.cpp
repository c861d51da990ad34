// SPDX-License-Identifier: Apache-2.0
#include "src/text/vocab.h"

#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/utf8.h"

#include <unicode/utf8.h>

#include <array>
#include <climits>
#include <functional>
#include <utility>

namespace granita::text {

struct Vocab::Table {
  std::vector<std::string> tokens;
  // Keys view into `tokens`, which is never modified after the table is built.
  std::unordered_map<std::string_view, int32_t> ids;
  size_t max_token_bytes = 0;
  int32_t pad = -1;
  int32_t unk = -1;
  int32_t cls = -1;
  int32_t sep = -1;
  int32_t mask = -1;
};

namespace {

/// Where token `index` came from, for error messages.
using Locator = std::function<SourceLocation(size_t index)>;

std::shared_ptr<const Vocab::Table> build_table(std::vector<std::string> tokens,
                                                const Locator &where,
                                                const std::string &what_for_missing) {
  if (tokens.size() > static_cast<size_t>(INT32_MAX))
    throw InputError(where(0), "", "vocabulary has more than 2^31-1 tokens");
  auto table = std::make_shared<Vocab::Table>();
  table->tokens = std::move(tokens);
  table->ids.reserve(table->tokens.size());
  for (size_t i = 0; i < table->tokens.size(); ++i) {
    const std::string &tok = table->tokens[i];
    if (tok.empty())
      throw InputError(where(i), "", "empty token");
    if (size_t bad = first_invalid_utf8(tok); bad != std::string_view::npos)
      throw InputError(where(i), "", "invalid UTF-8 at byte " + std::to_string(bad));
    auto [it, inserted] = table->ids.emplace(std::string_view(tok), static_cast<int32_t>(i));
    if (!inserted) {
      const SourceLocation first = where(static_cast<size_t>(it->second));
      std::string first_desc = first.line > 0 ? "line " + std::to_string(first.line)
                                              : "index " + std::to_string(it->second);
      throw InputError(where(i), "",
                       "duplicate token '" + tok + "' (first defined at " + first_desc + ")");
    }
    table->max_token_bytes = std::max(table->max_token_bytes, tok.size());
  }

  const std::array<std::pair<const char *, int32_t *>, 5> specials = {{
      {"[PAD]", &table->pad},
      {"[UNK]", &table->unk},
      {"[CLS]", &table->cls},
      {"[SEP]", &table->sep},
      {"[MASK]", &table->mask},
  }};
  for (const auto &[name, slot] : specials) {
    auto it = table->ids.find(name);
    if (it == table->ids.end())
      throw InputError(SourceLocation{what_for_missing, 0, 0}, "",
                       std::string("vocabulary lacks the special token ") + name);
    *slot = it->second;
  }
  return table;
}

} // namespace

Vocab Vocab::load(const std::filesystem::path &path) {
  const std::string file = path.string();
  const std::string bytes = read_file(path, kMaxVocabBytes);
  if (bytes.empty())
    throw InputError(SourceLocation{file, 0, 0}, "", "vocabulary file is empty");
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0)
    throw InputError(SourceLocation{file, 1, 1}, "",
                     "the file starts with a UTF-8 byte order mark; a BERT vocabulary has none "
                     "(it would become part of the first token)");

  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t nl = bytes.find('\n', pos);
    const size_t end = nl == std::string::npos ? bytes.size() : nl;
    std::string_view line(bytes.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    // Invalid UTF-8 first: in a binary file it is the real fault, not its stray carriage returns.
    if (size_t bad = first_invalid_utf8(line); bad != std::string_view::npos)
      throw InputError(SourceLocation{file, static_cast<int>(tokens.size() + 1), 0}, "",
                       "invalid UTF-8 at byte " + std::to_string(bad));
    if (const size_t cr = line.find('\r'); cr != std::string_view::npos)
      throw InputError(
          SourceLocation{file, static_cast<int>(tokens.size() + 1), static_cast<int>(cr + 1)}, "",
          "carriage return inside a line: the file seems to use CR-only line endings; expected "
          "one token per line, lines ending in \\n or \\r\\n");
    if (tokens.size() == kMaxVocabTokens)
      throw InputError(SourceLocation{file, static_cast<int>(tokens.size() + 1), 0}, "",
                       "more than " + std::to_string(kMaxVocabTokens) + " tokens");
    tokens.emplace_back(line);
    pos = nl == std::string::npos ? bytes.size() : nl + 1;
  }
  // Line i+1 holds token i: empty lines are rejected, so the two never drift apart.
  return Vocab(build_table(
      std::move(tokens),
      [&file](size_t index) {
        return SourceLocation{file, static_cast<int>(index + 1), 0};
      },
      file));
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens) {
  if (tokens.empty())
    throw InputError("vocabulary is empty");
  return Vocab(build_table(
      std::move(tokens),
      [](size_t index) {
        return SourceLocation{"token " + std::to_string(index), 0, 0};
      },
      "vocabulary"));
}

int32_t Vocab::id(std::string_view token) const {
  auto it = m_table->ids.find(token);
  return it == m_table->ids.end() ? -1 : it->second;
}

const std::string &Vocab::token(int32_t id) const {
  GRANITA_ASSERT(id >= 0 && static_cast<size_t>(id) < m_table->tokens.size(),
                 "token id " << id << " out of range [0, " << m_table->tokens.size() << ")");
  return m_table->tokens[static_cast<size_t>(id)];
}

size_t Vocab::size() const { return m_table->tokens.size(); }
size_t Vocab::max_token_bytes() const { return m_table->max_token_bytes; }
int32_t Vocab::unk_id() const { return m_table->unk; }
int32_t Vocab::cls_id() const { return m_table->cls; }
int32_t Vocab::sep_id() const { return m_table->sep; }
int32_t Vocab::pad_id() const { return m_table->pad; }
int32_t Vocab::mask_id() const { return m_table->mask; }

} // namespace granita::text
