// SPDX-License-Identifier: Apache-2.0
// The model package reader: checksums, then model.yaml with its tensors (model_yaml.cpp), then the
// vocabulary. The writer is package_writer.cpp.
#include "src/model/package_internal.h"
#include "src/model/sorbet_model.h"

#include "src/config/yaml_reader.h"
#include "src/io/safetensors.h"
#include "src/text/vocab.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/sha256.h"

#include <cctype>
#include <limits>
#include <map>
#include <sstream>

namespace granita::model {

namespace {

using detail::kOpTypes;
using detail::kPackageFiles;
using limits::kMaxChecksumsBytes;

/// The size limit of the reader of package file `f` (card.md is not read, only hashed).
size_t max_package_file_bytes(const std::string &f) {
  if (f == "model.yaml")
    return config::kMaxYamlBytes;
  if (f == "tensors.safetensors")
    return size_t(io::SafetensorsFile::kMaxFileBytes);
  if (f == "vocab.txt")
    return text::Vocab::kMaxVocabBytes;
  return std::numeric_limits<size_t>::max();
}

void verify_checksums(const std::filesystem::path &dir) {
  const std::filesystem::path sums = dir / "checksums.sha256";
  const std::string text = read_file(sums, kMaxChecksumsBytes);
  std::map<std::string, std::pair<std::string, int>> listed;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') // CRLF, as written by editors on Windows
      line.pop_back();
    if (line.empty())
      continue;
    // `sha256sum` output: 64 hex digits, a space, a space or '*', the file name.
    bool ok = line.size() > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*');
    for (size_t i = 0; ok && i < 64; ++i)
      ok = std::isxdigit(static_cast<unsigned char>(line[i])) && !std::isupper(line[i]);
    if (!ok)
      throw InputError({sums.string(), line_no}, "",
                       "expected '<64 lowercase hex digits>  <file name>'");
    const auto [first, inserted] =
        listed.emplace(line.substr(66), std::make_pair(line.substr(0, 64), line_no));
    if (!inserted)
      throw InputError({sums.string(), line_no}, first->first,
                       "listed twice (first at line " + std::to_string(first->second.second) +
                           ")");
  }
  for (const char *f : kPackageFiles) {
    auto it = listed.find(f);
    if (it == listed.end()) {
      std::vector<std::string> names;
      for (const auto &[name, entry] : listed)
        names.push_back(name);
      const std::string near = config::closest_match(f, names);
      throw InputError({sums.string(), near.empty() ? 0 : listed[near].second}, f,
                       "no checksum listed for this package file" +
                           (near.empty() ? "" : " (this line lists '" + near + "' instead)"));
    }
    // A file its reader would refuse for its size is refused before it is hashed (hashing a
    // 4 GiB file only to refuse it takes seconds to minutes).
    check_file_size(dir / f, max_package_file_bytes(f));
    const std::string actual = sha256_file_hex(dir / f);
    if (actual != it->second.first)
      throw InputError({sums.string(), it->second.second}, f,
                       "checksum mismatch: the file is corrupt or was edited (expected " +
                           it->second.first + ", got " + actual + ")");
  }
}

} // namespace

const char *op_type_name(OpType t) {
  for (const auto &e : kOpTypes)
    if (e.type == t)
      return e.name;
  return "?";
}

int SorbetModel::find_op(const std::string &n) const {
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].name == n)
      return int(i);
  return -1;
}

SorbetModel load_package(const std::filesystem::path &dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw InputError({dir.string()}, "", "model package directory not found");
  verify_checksums(dir);

  const std::filesystem::path yaml_path = dir / "model.yaml";
  SorbetModel m = parse_model_yaml(
      read_file(yaml_path, config::kMaxYamlBytes), yaml_path.string(),
      [&dir] { return io::SafetensorsFile::load(dir / "tensors.safetensors"); });
  m.dir = dir;
  m.vocab_path = dir / "vocab.txt";

  // The tokenizer's ids index the embedding table: the vocabulary must fit in it.
  const text::Vocab vocab = text::Vocab::load(m.vocab_path);
  if (vocab.size() > size_t(m.arch.vocab_size))
    throw InputError({m.vocab_path.string()}, "",
                     std::to_string(vocab.size()) + " tokens, more than the " +
                         std::to_string(m.arch.vocab_size) +
                         " rows of the embedding table (arch.vocab_size in model.yaml)");
  return m;
}

} // namespace granita::model
