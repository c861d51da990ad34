// SPDX-License-Identifier: Apache-2.0
// The malformed-input corpus (STYLE.md section 8, issue #8): every case under
// tests/inputs/bad/<reader>/ is fed to its reader, which must throw granita::InputError (never
// another exception, never a crash) whose message names the file and contains the one line of
// <case>.expect. One test per case file, so a failure names the file. Case formats:
// tests/inputs/bad/README.md.
#include "sweep/sweep_spec.h"
#include "src/config/hw_config.h"
#include "src/energy/energy_table.h"
#include "src/mapping/mapping.h"
#include "src/energy/event_registry.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/model/sorbet_model.h"
#include "src/model/synthetic_model.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/sha256.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

namespace granita::robustness {
namespace {

namespace fs = std::filesystem;

fs::path corpus_root() { return fs::path(GRANITA_SOURCE_DIR) / "tests" / "inputs" / "bad"; }

/// One case: tests/inputs/bad/<reader>/<stem>.<ext>[.gen|.missing] with <stem>.expect.
struct BadInput {
  std::string reader; // directory name, selects the loader
  std::string stem;   // file name up to the first '.'
  fs::path file;      // the case file
  std::string expect; // the expected message substring ("" if <stem>.expect is missing)
  bool has_expect = false;
};

/// How gtest shows a case in failure messages.
void PrintTo(const BadInput &c, std::ostream *os) { *os << c.file.string(); }

std::string file_name(const BadInput &c) { return c.file.filename().string(); }
bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool is_generated(const BadInput &c) { return ends_with(file_name(c), ".gen"); }
bool is_missing(const BadInput &c) { return ends_with(file_name(c), ".missing"); }

/// The file name the input gets when written out: the case file name without .gen / .missing.
std::string materialised_name(const BadInput &c) {
  std::string n = file_name(c);
  if (is_generated(c))
    n.resize(n.size() - 4);
  else if (is_missing(c))
    n.resize(n.size() - 8);
  return n;
}

/// The escapes of a .gen line: \n \r \t \\ \xHH.
std::string unescape(const std::string &s, const BadInput &c) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    if (e == 'n')
      out += '\n';
    else if (e == 'r')
      out += '\r';
    else if (e == 't')
      out += '\t';
    else if (e == '\\')
      out += '\\';
    else if (e == 'x' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
             std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      throw std::runtime_error(c.file.string() + ": unknown escape \\" + e);
    }
  }
  return out;
}

/// Expands a .gen recipe (README.md): `bytes TEXT`, `repeat N TEXT`, `u64le N`, `lp64 TEXT`
/// (TEXT prefixed by its length as u64le), `sparse_size N` (the file is extended to N bytes
/// with a hole). Returns the bytes and the sparse size (0 if none).
std::pair<std::string, uint64_t> expand_gen(const BadInput &c) {
  const std::string text = read_file(c.file);
  std::string out;
  uint64_t sparse = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line[0] == '#')
      continue;
    const size_t sp = line.find(' ');
    const std::string op = line.substr(0, sp);
    const std::string arg = sp == std::string::npos ? "" : line.substr(sp + 1);
    auto u64le = [&out](uint64_t n) {
      for (int i = 0; i < 8; ++i)
        out += char((n >> (8 * i)) & 0xff);
    };
    if (op == "bytes") {
      out += unescape(arg, c);
    } else if (op == "repeat") {
      const size_t sp2 = arg.find(' ');
      const uint64_t n = std::stoull(arg.substr(0, sp2));
      const std::string piece = unescape(arg.substr(sp2 + 1), c);
      for (uint64_t i = 0; i < n; ++i)
        out += piece;
    } else if (op == "u64le") {
      u64le(std::stoull(arg));
    } else if (op == "lp64") {
      const std::string piece = unescape(arg, c);
      u64le(piece.size());
      out += piece;
    } else if (op == "sparse_size") {
      sparse = std::stoull(arg);
    } else {
      throw std::runtime_error(c.file.string() + ": unknown .gen directive '" + op + "'");
    }
  }
  return {out, sparse};
}

/// Writes the case's bytes to `dest` (or removes `dest` for a .missing case).
void materialise_to(const BadInput &c, const fs::path &dest) {
  if (is_missing(c)) {
    fs::remove(dest);
    return;
  }
  if (!is_generated(c)) {
    test::write_file(dest, read_file(c.file));
    return;
  }
  const auto [bytes, sparse] = expand_gen(c);
  test::write_file(dest, bytes);
  if (sparse > 0)
    fs::resize_file(dest, sparse);
}

/// The path holding the case's bytes: the case file itself, or a file written under `scratch`.
fs::path materialise(const BadInput &c, const fs::path &scratch) {
  if (!is_generated(c) && !is_missing(c))
    return c.file;
  const fs::path dest = scratch / materialised_name(c);
  materialise_to(c, dest);
  return dest;
}

// ---- the tiny known-good model package --------------------------------------------------

const char *const kTinyVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\nfilm\ngood\nbad\n";
constexpr const char *kPackageFiles[] = {"model.yaml", "tensors.safetensors", "vocab.txt",
                                         "card.md"};

/// A one-layer Sorbet package (hidden 16, 16-token vocabulary) written by save_package; the
/// model_yaml and tensors cases are edits of its files.
void write_tiny_package(const fs::path &dir) {
  const fs::path vocab = dir.parent_path() / "tiny-vocab.txt";
  test::write_file(vocab, kTinyVocab);
  model::SyntheticSpec s;
  s.arch.layers = 1;
  s.arch.hidden = 16;
  s.arch.heads = 1;
  s.arch.ffn = 32;
  s.arch.max_seq_len = 8;
  s.arch.vocab_size = 16;
  s.arch.type_vocab_size = 2;
  s.arch.bits = 4;
  s.arch.time_steps = 16;
  s.seed = 1;
  s.name = "tiny";
  s.vocab_path = vocab;
  model::save_package(model::make_synthetic_model(s), dir, "# tiny\n\nRobustness corpus base.\n");
}

/// Rewrites checksums.sha256 for the files present (a removed file keeps its old line). A file
/// over 1 GiB keeps its old line too: the loader refuses a package file over its reader's limit
/// before hashing it, and with a stale checksum a case only passes if it does (hashing a sparse
/// 4 GiB case here took five minutes under the sanitizers).
void rechecksum(const fs::path &pkg, const std::map<std::string, std::string> &old_sums) {
  std::string sums;
  for (const char *f : kPackageFiles) {
    const bool hash = fs::exists(pkg / f) && fs::file_size(pkg / f) <= (uintmax_t(1) << 30);
    sums += (hash ? sha256_file_hex(pkg / f) : old_sums.at(f)) + "  " + f + "\n";
  }
  test::write_file(pkg / "checksums.sha256", sums);
}

/// Replaces every {sha256:FILE} with the checksum of the package's FILE.
std::string substitute_checksums(std::string text, const fs::path &pkg) {
  const std::string open = "{sha256:";
  for (size_t at = text.find(open); at != std::string::npos; at = text.find(open, at)) {
    const size_t close = text.find('}', at);
    const std::string f = text.substr(at + open.size(), close - at - open.size());
    const std::string h = sha256_file_hex(pkg / f);
    text.replace(at, close + 1 - at, h);
    at += h.size();
  }
  return text;
}

// ---- loaders ----------------------------------------------------------------------------

/// Loads a case, throwing what the reader throws. Before reading it sets `named` to the file the
/// error message must name.
using Loader = std::function<void(const BadInput &, const fs::path &scratch, fs::path *named)>;

/// A reader of one stand-alone file.
Loader file_reader(std::function<void(const fs::path &)> read) {
  return [read](const BadInput &c, const fs::path &scratch, fs::path *named) {
    *named = materialise(c, scratch);
    read(*named);
  };
}

/// One file of a model package: the case replaces `name` in a copy of the tiny package, whose
/// checksums are then regenerated (unless the case is checksums.sha256 itself), and the package
/// is loaded.
Loader package_file(const std::string &name) {
  return [name](const BadInput &c, const fs::path &scratch, fs::path *named) {
    const fs::path pkg = scratch / "pkg";
    write_tiny_package(pkg);
    std::map<std::string, std::string> sums;
    for (const char *f : kPackageFiles)
      sums[f] = sha256_file_hex(pkg / f);
    const fs::path target = pkg / name;
    if (name == "checksums.sha256") {
      if (is_missing(c)) {
        fs::remove(target);
      } else {
        materialise_to(c, scratch / "sums");
        test::write_file(target, substitute_checksums(read_file(scratch / "sums"), pkg));
      }
    } else {
      materialise_to(c, target);
      rechecksum(pkg, sums);
    }
    *named = target;
    model::load_package(pkg);
  };
}

/// The GLUE task is the middle part of the file name: <stem>.<task>.tsv.
void read_glue_case(const fs::path &p) {
  const std::string n = p.filename().string();
  const size_t a = n.find('.'), b = n.rfind('.');
  if (a == std::string::npos || a == b)
    throw std::runtime_error("glue_tsv case " + n + " must be named <case>.<task>.tsv");
  glue::read_glue_tsv(p, glue::task_info(n.substr(a + 1, b - a - 1)));
}

/// As `granita tokenize`: the file is tokenized line by line; errors are placed at file:line.
void tokenize_file(const fs::path &p) {
  static const text::Vocab vocab = text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "good", "##s", ",", "."});
  const text::WordpieceTokenizer tok(vocab);
  const std::string bytes = read_file(p);
  size_t pos = 0;
  for (int line = 1; pos <= bytes.size(); ++line) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos)
      nl = bytes.size();
    try {
      tok.tokenize(std::string_view(bytes).substr(pos, nl - pos));
    } catch (const InputError &e) {
      throw InputError({p.string(), line}, "", e.message());
    }
    pos = nl + 1;
  }
}

/// Directory name under tests/inputs/bad/ -> how to load one of its cases. A new reader is one
/// line here plus its directory of cases.
const std::map<std::string, Loader> &readers() {
  static const std::map<std::string, Loader> kReaders = {
      {"model_yaml", package_file("model.yaml")},
      {"tensors", package_file("tensors.safetensors")},
      {"vocab", package_file("vocab.txt")},
      {"checksums", package_file("checksums.sha256")},
      {"hw_config", file_reader([](const fs::path &p) { config::load_hw_config(p); })},
      {"glue_tsv", file_reader(read_glue_case)},
      {"tokenizer", file_reader(tokenize_file)},
      {"energy", file_reader([](const fs::path &p) {
         energy::EnergyTable::load(p, energy::build_event_registry());
       })},
      {"mapping", file_reader([](const fs::path &p) { mapping::load_mapping(p); })},
      {"sweep", file_reader([](const fs::path &p) { sweep::load_sweep_spec(p); })},
  };
  return kReaders;
}

// ---- the corpus -------------------------------------------------------------------------

std::vector<BadInput> collect_cases() {
  std::vector<BadInput> out;
  std::error_code ec;
  if (!fs::is_directory(corpus_root(), ec))
    return out;
  for (const auto &dir : fs::directory_iterator(corpus_root())) {
    if (!dir.is_directory())
      continue;
    for (const auto &f : fs::directory_iterator(dir.path())) {
      const std::string n = f.path().filename().string();
      if (!f.is_regular_file() || ends_with(n, ".expect") || n == "README.md")
        continue;
      BadInput c;
      c.reader = dir.path().filename().string();
      c.stem = n.substr(0, n.find('.'));
      c.file = f.path();
      const fs::path expect = dir.path() / (c.stem + ".expect");
      if (fs::is_regular_file(expect)) {
        c.has_expect = true;
        c.expect = read_file(expect);
        while (!c.expect.empty() && (c.expect.back() == '\n' || c.expect.back() == '\r'))
          c.expect.pop_back();
      }
      out.push_back(c);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const BadInput &a, const BadInput &b) { return a.file < b.file; });
  return out;
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, IsRejectedWithInputError) {
  const BadInput &c = GetParam();
  SCOPED_TRACE(c.file.string());
  ASSERT_TRUE(c.has_expect) << "missing " << c.stem << ".expect beside " << c.file;
  ASSERT_FALSE(c.expect.empty()) << c.stem << ".expect is empty";
  ASSERT_EQ(c.expect.find('\n'), std::string::npos) << c.stem << ".expect has more than one line";
  const auto it = readers().find(c.reader);
  ASSERT_NE(it, readers().end()) << "no loader for tests/inputs/bad/" << c.reader << "/";

  test::TempDir scratch;
  fs::path named;
  std::string message;
  try {
    it->second(c, scratch.path(), &named);
    FAIL() << "accepted: the reader threw nothing";
  } catch (const InputError &e) {
    message = e.what();
  } catch (const std::exception &e) {
    FAIL() << "threw " << typeid(e).name() << " instead of granita::InputError: " << e.what();
  } catch (...) {
    FAIL() << "threw a non-std exception instead of granita::InputError";
  }
  RecordProperty("message", message); // in --gtest_output=xml, to review the corpus's messages
  EXPECT_NE(message.find(c.expect), std::string::npos)
      << "expected '" << c.expect << "' in: " << message;
  ASSERT_FALSE(named.empty()) << "the loader failed before reaching the reader: " << message;
  EXPECT_NE(message.find(named.string()), std::string::npos)
      << "the message does not name " << named << ": " << message;
}

std::string case_name(const ::testing::TestParamInfo<BadInput> &info) {
  std::string n = info.param.reader + "_" + info.param.stem;
  for (char &ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch)))
      ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputTest, ::testing::ValuesIn(collect_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BadInputTest);

TEST(BadInputCorpus, EveryDirectoryHasALoaderAndEveryCaseOneExpectation) {
  ASSERT_TRUE(fs::is_directory(corpus_root())) << corpus_root();
  std::set<std::string> dirs;
  for (const auto &dir : fs::directory_iterator(corpus_root())) {
    if (!dir.is_directory())
      continue;
    const std::string reader = dir.path().filename().string();
    dirs.insert(reader);
    EXPECT_TRUE(readers().count(reader)) << "no loader for " << dir.path();
    std::map<std::string, int> inputs;
    for (const auto &f : fs::directory_iterator(dir.path())) {
      const std::string n = f.path().filename().string();
      if (n != "README.md" && !ends_with(n, ".expect"))
        ++inputs[n.substr(0, n.find('.'))];
    }
    for (const auto &f : fs::directory_iterator(dir.path())) {
      const std::string n = f.path().filename().string();
      if (ends_with(n, ".expect")) {
        EXPECT_EQ(inputs.count(n.substr(0, n.size() - 7)), 1u) << f.path() << " has no input";
      }
    }
    for (const auto &[stem, count] : inputs)
      EXPECT_EQ(count, 1) << stem << ": several inputs share one stem in " << dir.path();
  }
  for (const char *r :
       {"model_yaml", "tensors", "vocab", "checksums", "hw_config", "glue_tsv", "tokenizer"})
    EXPECT_TRUE(dirs.count(r)) << "no corpus for reader " << r;
}

TEST(BadInputCorpus, TheTinyPackageLoads) {
  // Every package case is one file away from this package: it must itself be valid.
  test::TempDir scratch;
  write_tiny_package(scratch.path() / "pkg");
  const model::SorbetModel m = model::load_package(scratch.path() / "pkg");
  EXPECT_EQ(m.arch.hidden, 16);
  EXPECT_EQ(m.arch.layers, 1);
}

} // namespace
} // namespace granita::robustness
