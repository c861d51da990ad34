// SPDX-License-Identifier: Apache-2.0
// Model package round trip and malformed packages (docs/model-format.md): every error must name
// the file and the line or field.
#include "src/model/sorbet_model.h"

#include "src/io/safetensors.h"
#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/sha256.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <sstream>

namespace granita::model {
namespace {

namespace fs = std::filesystem;

const char *const kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\nfilm\n";

class ModelPackageTest : public ::testing::Test {
protected:
  void SetUp() override {
    vocab_ = tmp_.path() / "src-vocab.txt";
    test::write_file(vocab_, kVocab);
    SyntheticSpec s;
    s.arch.layers = 2;
    s.arch.hidden = 64;
    s.arch.heads = 1;
    s.arch.ffn = 128;
    s.arch.max_seq_len = 16;
    s.arch.vocab_size = 100;
    s.arch.type_vocab_size = 2;
    s.seed = 5;
    s.vocab_path = vocab_;
    model_ = make_synthetic_model(s);
    pkg_ = tmp_.path() / "pkg";
    save_package(model_, pkg_, "# Synthetic\n\nA test model.\n");
  }

  std::string read(const std::string &f) const { return read_file(pkg_ / f); }
  void write(const std::string &f, const std::string &bytes) const {
    test::write_file(pkg_ / f, bytes);
  }
  /// Rewrites checksums.sha256 so that an edited package still passes the checksum step.
  void rechecksum() const {
    std::string sums;
    for (const char *f : {"model.yaml", "tensors.safetensors", "vocab.txt", "card.md"})
      sums += sha256_file_hex(pkg_ / f) + "  " + f + "\n";
    write("checksums.sha256", sums);
  }
  /// 1-based line of model.yaml holding the op `name`.
  int op_line(const std::string &name) const {
    std::istringstream in(read("model.yaml"));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      if (line.find("{name: " + name + ",") != std::string::npos)
        return n;
    ADD_FAILURE() << "op " << name << " not found in model.yaml";
    return 0;
  }
  /// Replaces `from` by `to` in the model.yaml line of op `name`, then fixes the checksums.
  void edit_op(const std::string &name, const std::string &from, const std::string &to) const {
    std::istringstream in(read("model.yaml"));
    std::string line, out;
    bool done = false;
    while (std::getline(in, line)) {
      if (!done && line.find("{name: " + name + ",") != std::string::npos) {
        const size_t at = line.find(from);
        ASSERT_NE(at, std::string::npos) << "'" << from << "' not in: " << line;
        line.replace(at, from.size(), to);
        done = true;
      }
      out += line + "\n";
    }
    ASSERT_TRUE(done);
    write("model.yaml", out);
    rechecksum();
  }
  void edit_tensors(const std::function<void(std::map<std::string, io::Tensor> &)> &f) const {
    io::SafetensorsFile st = io::SafetensorsFile::load(pkg_ / "tensors.safetensors");
    std::map<std::string, io::Tensor> t = st.tensors();
    f(t);
    write("tensors.safetensors", io::serialize_safetensors(t, st.metadata()));
    rechecksum();
  }
  /// Loading must fail with an InputError whose message contains every string of `parts`.
  void expect_error(const std::vector<std::string> &parts) const {
    try {
      load_package(pkg_);
      ADD_FAILURE() << "load_package accepted the malformed package";
    } catch (const InputError &e) {
      const std::string msg = e.what();
      for (const auto &p : parts)
        EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' missing from: " << msg;
    }
  }

  test::TempDir tmp_;
  fs::path vocab_, pkg_;
  SorbetModel model_;
};

TEST_F(ModelPackageTest, RoundTripKeepsEveryAttributeAndTensor) {
  for (const char *f : {"model.yaml", "tensors.safetensors", "vocab.txt", "card.md",
                        "checksums.sha256"})
    EXPECT_TRUE(fs::is_regular_file(pkg_ / f)) << f;
  EXPECT_EQ(read("vocab.txt"), kVocab);
  EXPECT_EQ(read("card.md"), "# Synthetic\n\nA test model.\n");
  // checksums.sha256 in sha256sum format for the four files.
  std::string want_sums;
  for (const char *f : {"model.yaml", "tensors.safetensors", "vocab.txt", "card.md"})
    want_sums += sha256_hex(read(f)) + "  " + f + "\n";
  EXPECT_EQ(read("checksums.sha256"), want_sums);

  const SorbetModel m = load_package(pkg_);
  EXPECT_EQ(m.name, model_.name);
  EXPECT_EQ(m.task, model_.task);
  EXPECT_EQ(m.labels, model_.labels);
  EXPECT_EQ(m.output, model_.output);
  EXPECT_EQ(m.vocab_path, pkg_ / "vocab.txt");
  const Arch &a = m.arch, &b = model_.arch;
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.ffn, b.ffn);
  EXPECT_EQ(a.max_seq_len, b.max_seq_len);
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.type_vocab_size, b.type_vocab_size);
  EXPECT_EQ(a.bits, b.bits);
  EXPECT_EQ(a.time_steps, b.time_steps);
  ASSERT_EQ(m.ops.size(), model_.ops.size());
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const Op &x = m.ops[i], &y = model_.ops[i];
    SCOPED_TRACE(y.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.features, y.features);
    EXPECT_EQ(x.out_exp, y.out_exp);
    EXPECT_EQ(x.counts, y.counts);
    EXPECT_EQ(x.in_exp, y.in_exp);
    EXPECT_EQ(x.shift, y.shift);
    EXPECT_EQ(x.offset, y.offset);
    EXPECT_EQ(x.in_features, y.in_features);
    EXPECT_EQ(x.weight_exp, y.weight_exp);
    EXPECT_EQ(x.in_offset, y.in_offset);
    EXPECT_EQ(x.word_exp, y.word_exp);
    EXPECT_EQ(x.pos_exp, y.pos_exp);
    EXPECT_EQ(x.type_exp, y.type_exp);
    EXPECT_EQ(x.group, y.group);
    EXPECT_EQ(x.beta_exp, y.beta_exp);
    EXPECT_EQ(x.heads, y.heads);
    EXPECT_EQ(x.score_shift, y.score_shift);
    EXPECT_EQ(x.frac_bits, y.frac_bits);
    EXPECT_EQ(x.bits.rows, y.bits.rows);
    EXPECT_EQ(x.bits.cols, y.bits.cols);
    EXPECT_EQ(x.bits.words_per_row, y.bits.words_per_row);
    EXPECT_EQ(x.bits.words, y.bits.words);
    EXPECT_EQ(x.bits.row_ones, y.bits.row_ones);
    EXPECT_EQ(x.weight_i8, y.weight_i8);
    EXPECT_EQ(x.pos, y.pos);
    EXPECT_EQ(x.type_emb, y.type_emb);
    EXPECT_EQ(x.gamma_sign, y.gamma_sign);
    EXPECT_EQ(x.gamma_exp, y.gamma_exp);
    EXPECT_EQ(x.bias, y.bias);
    EXPECT_GT(x.yaml_line, 0);
  }
  // Same logits before and after.
  const std::vector<int32_t> ids = {2, 40, 41, 3}, types = {0, 0, 0, 0};
  EXPECT_EQ(ref::Reference(m).run(ids, types).logits,
            ref::Reference(model_).run(ids, types).logits);
  // Saving the loaded model again gives byte-identical files.
  const fs::path again = tmp_.path() / "again";
  save_package(m, again, read("card.md"));
  for (const char *f : {"model.yaml", "tensors.safetensors", "vocab.txt", "card.md",
                        "checksums.sha256"})
    EXPECT_EQ(read_file(again / f), read(f)) << f;
}

TEST_F(ModelPackageTest, PackedWordTableUsesTheDocumentedBitLayout) {
  // 1-bit weights: U8 [rows, ceil(cols/8)], bit f%8 (LSB first) of byte f/8, 1 = +1.
  const io::SafetensorsFile st = io::SafetensorsFile::load(pkg_ / "tensors.safetensors");
  const io::Tensor &w = st.get("embed.word");
  EXPECT_EQ(w.dtype, io::DType::U8);
  EXPECT_EQ(w.shape, (std::vector<int64_t>{100, 8})); // 64 / 8 = 8 bytes per row
  const PackedBits &p = model_.ops[0].bits;
  for (int64_t r = 0; r < 100; ++r)
    for (int64_t f = 0; f < 64; ++f)
      ASSERT_EQ((uint8_t(w.bytes[size_t(r * 8 + f / 8)]) >> (f % 8)) & 1, p.bit(r, f) ? 1 : 0);
  EXPECT_EQ(st.metadata().at("format"), "granita-sorbet");
}

TEST_F(ModelPackageTest, ChecksumMismatchAfterEditingAFile) {
  write("card.md", read("card.md") + "edited\n");
  // card.md is the 4th line of checksums.sha256
  expect_error({"checksums.sha256:4", "card.md", "checksum mismatch"});
}

TEST_F(ModelPackageTest, ChecksumMismatchOnModelYaml) {
  std::string y = read("model.yaml");
  y.replace(y.find("name: synthetic"), 15, "name: synthetix");
  write("model.yaml", y);
  expect_error({"checksums.sha256:1", "model.yaml", "checksum mismatch"});
}

TEST_F(ModelPackageTest, MissingChecksumsFile) {
  fs::remove(pkg_ / "checksums.sha256");
  expect_error({"checksums.sha256", "not found"});
}

TEST_F(ModelPackageTest, ChecksumsFileMissingAnEntry) {
  write("checksums.sha256", sha256_file_hex(pkg_ / "model.yaml") + "  model.yaml\n");
  expect_error({"checksums.sha256", "tensors.safetensors"});
}

TEST_F(ModelPackageTest, MissingPackageFile) {
  fs::remove(pkg_ / "vocab.txt");
  expect_error({"vocab.txt"});
}

TEST_F(ModelPackageTest, UnsupportedVersion) {
  std::string y = read("model.yaml");
  y.replace(y.find("version: 1"), 10, "version: 3");
  write("model.yaml", y);
  rechecksum();
  // model-format.md: `model.yaml:2:10: version: unsupported model package version 7 (this
  // Granita reads 1 to 2)`; here the version is 3.
  expect_error({"model.yaml:2:10: version: unsupported model package version 3 (this Granita "
                "reads 1 to 2)"});
}

TEST_F(ModelPackageTest, WrongFormatName) {
  std::string y = read("model.yaml");
  y.replace(y.find("format: granita-sorbet"), 22, "format: granita-sorbat");
  write("model.yaml", y);
  rechecksum();
  expect_error({"model.yaml:1:", "format", "granita-sorbet"});
}

TEST_F(ModelPackageTest, UnknownKeyInAnOpSuggestsTheClosest) {
  const int line = op_line("layers.0.attn.in");
  edit_op("layers.0.attn.in", "shift: 10,", "shift: 10, shfit: 10,");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "shfit", "unknown key",
                "did you mean 'shift'"});
}

TEST_F(ModelPackageTest, MissingTensor) {
  edit_tensors([](auto &t) { t.erase("layers.0.attn.in.bias"); });
  expect_error({"tensors.safetensors", "layers.0.attn.in.bias", "missing"});
}

TEST_F(ModelPackageTest, TensorWithWrongShape) {
  edit_tensors([](auto &t) {
    t["layers.0.attn.in.bias"] =
        io::make_tensor(io::DType::I32, {63}, std::vector<int32_t>(63, 1));
  });
  expect_error({"tensors.safetensors", "layers.0.attn.in.bias", "[64]", "[63]"});
}

TEST_F(ModelPackageTest, TensorWithWrongDtype) {
  edit_tensors([](auto &t) {
    t["layers.0.attn.in.bias"] = io::make_tensor(io::DType::I8, {64}, std::vector<int8_t>(64, 1));
  });
  expect_error({"tensors.safetensors", "layers.0.attn.in.bias", "I32"});
}

TEST_F(ModelPackageTest, UnusedTensorIsRejected) {
  edit_tensors([](auto &t) {
    t["layers.0.attn.in.extra"] = io::make_tensor(io::DType::I8, {2}, std::vector<int8_t>{1, 2});
  });
  expect_error({"tensors.safetensors", "layers.0.attn.in.extra"});
}

TEST_F(ModelPackageTest, TruncatedTensorsFile) {
  const std::string t = read("tensors.safetensors");
  write("tensors.safetensors", t.substr(0, t.size() / 2));
  rechecksum();
  expect_error({"tensors.safetensors", "truncated"});
}

TEST_F(ModelPackageTest, HeaderLengthBiggerThanTheFile) {
  std::string t = read("tensors.safetensors");
  const uint64_t n = t.size(); // header length = whole file size > file size - 8
  for (int i = 0; i < 8; ++i)
    t[size_t(i)] = char((n >> (8 * i)) & 0xff);
  write("tensors.safetensors", t);
  rechecksum();
  expect_error({"tensors.safetensors", "header length"});
}

TEST_F(ModelPackageTest, InputNotDefinedAbove) {
  const int line = op_line("layers.0.attn.in");
  edit_op("layers.0.attn.in", "inputs: [embed.norm]", "inputs: [layers.0.attn.norm]");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "inputs", "layers.0.attn.norm"});
}

TEST_F(ModelPackageTest, InputThatDoesNotExist) {
  const int line = op_line("layers.0.attn.q");
  edit_op("layers.0.attn.q", "inputs: [layers.0.attn.in]", "inputs: [layers.0.attn.inn]");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "inputs", "layers.0.attn.inn"});
}

TEST_F(ModelPackageTest, FireOutExpMustBeInExpPlusShift) {
  // layers.0.attn.in: in_exp -12, shift 10 -> out_exp must be -2; write -3.
  const int line = op_line("layers.0.attn.in");
  edit_op("layers.0.attn.in", "out_exp: -2,", "out_exp: -3,");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "out_exp", "-2"});
}

TEST_F(ModelPackageTest, InExpMustMatchTheProducer) {
  // layers.0.attn.q reads attn.in (out_exp -2); claim in_exp -3 (and keep out = in + weight).
  const int line = op_line("layers.0.attn.q");
  edit_op("layers.0.attn.q", "in_exp: -2, weight_exp: -4", "in_exp: -3, weight_exp: -3");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "in_exp"});
}

TEST_F(ModelPackageTest, FireOffsetMustBeZeroOrSigned) {
  const int line = op_line("layers.0.attn.in");
  edit_op("layers.0.attn.in", "offset: 8,", "offset: 4,");
  expect_error({"model.yaml:" + std::to_string(line) + ":", "offset"});
}

TEST_F(ModelPackageTest, ChecksumsWithCrlfLineEndsLoad) {
  std::string sums = read("checksums.sha256"), crlf;
  for (char c : sums)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  write("checksums.sha256", crlf);
  EXPECT_EQ(load_package(pkg_).name, model_.name);
}

TEST_F(ModelPackageTest, ParseModelYamlFromTextMatchesTheDirectoryReader) {
  int tensor_loads = 0;
  const SorbetModel m = parse_model_yaml(read("model.yaml"), "mem/model.yaml", [&] {
    ++tensor_loads;
    return io::SafetensorsFile::load(pkg_ / "tensors.safetensors");
  });
  const SorbetModel d = load_package(pkg_);
  EXPECT_EQ(tensor_loads, 1);
  EXPECT_TRUE(m.dir.empty());
  EXPECT_EQ(m.name, d.name);
  EXPECT_EQ(m.output, d.output);
  ASSERT_EQ(m.ops.size(), d.ops.size());
  for (size_t i = 0; i < m.ops.size(); ++i) {
    EXPECT_EQ(m.ops[i].name, d.ops[i].name);
    EXPECT_EQ(m.ops[i].bias, d.ops[i].bias);
  }
  // A bad header is reported before the tensors are read.
  std::string y = read("model.yaml");
  y.replace(y.find("version: 1"), 10, "version: 7");
  tensor_loads = 0;
  const std::string msg = test::input_error_message([&] {
    parse_model_yaml(y, "mem/model.yaml", [&] {
      ++tensor_loads;
      return io::SafetensorsFile::load(pkg_ / "tensors.safetensors");
    });
  });
  EXPECT_NE(msg.find("mem/model.yaml:2:10: version: unsupported"), std::string::npos) << msg;
  EXPECT_EQ(tensor_loads, 0);
}

TEST_F(ModelPackageTest, VocabularyLargerThanTheEmbeddingTable) {
  std::string v = kVocab;
  for (int i = 0; i < 100; ++i)
    v += "extra" + std::to_string(i) + "\n";
  write("vocab.txt", v);
  rechecksum();
  expect_error({"vocab.txt: 108 tokens, more than the 100 rows of the embedding table"});
}

TEST_F(ModelPackageTest, MissingDirectory) {
  try {
    load_package(tmp_.path() / "nope");
    FAIL() << "no error";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace granita::model
