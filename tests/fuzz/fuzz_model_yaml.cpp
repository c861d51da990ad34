// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: model.yaml (the package reader's parse_model_yaml) on arbitrary bytes,
// checked against the tensors of a fixed tiny synthetic package, the one whose model.yaml seeds
// tests/fuzz/corpus/fuzz_model_yaml/. Anything malformed must raise InputError; a model that
// loads must be a well-formed graph within the documented limits.
#include "src/io/safetensors.h"
#include "src/model/sorbet_model.h"
#include "src/model/synthetic_model.h"
#include "src/util/error.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

/// The tensors of the tiny package (as tests/src/robustness/bad_inputs_test.cpp builds it).
const granita::io::SafetensorsFile &tiny_tensors() {
  static const granita::io::SafetensorsFile tensors = [] {
    char tmpl[] = "/tmp/granita-fuzz-model-XXXXXX";
    const fs::path dir = mkdtemp(tmpl);
    { std::ofstream(dir / "vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n"; }
    granita::model::SyntheticSpec s;
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
    s.vocab_path = dir / "vocab.txt";
    granita::model::save_package(granita::model::make_synthetic_model(s), dir / "pkg", "# tiny\n");
    auto t = granita::io::SafetensorsFile::load(dir / "pkg" / "tensors.safetensors");
    fs::remove_all(dir);
    return t;
  }();
  return tensors;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &tensors = tiny_tensors();
  try {
    const granita::model::SorbetModel m = granita::model::parse_model_yaml(
        std::string(reinterpret_cast<const char *>(data), size), "fuzz/model.yaml",
        [&] { return tensors; });
    using namespace granita::model;
    const Arch &a = m.arch;
    if (a.hidden < 1 || a.hidden > kMaxHidden || a.max_seq_len > kMaxSeqLen ||
        a.vocab_size > kMaxVocabSize || a.layers > kMaxLayers || a.hidden % a.heads != 0)
      __builtin_trap(); // an architecture outside the limits was accepted
    if (m.ops.empty() || m.output < 0 || size_t(m.output) >= m.ops.size() ||
        m.labels.size() != size_t(m.ops[size_t(m.output)].features))
      __builtin_trap();
    for (size_t i = 0; i < m.ops.size(); ++i) {
      const Op &op = m.ops[i];
      if (op.features < 1 || op.features > kMaxFeatures)
        __builtin_trap();
      for (int in : op.inputs)
        if (in != kTokensInput && (in < 0 || size_t(in) >= i))
          __builtin_trap(); // an op reads one that is not above it
    }
  } catch (const granita::InputError &) {
  }
  return 0;
}
