// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/io/safetensors.h"
#include "src/model/package_limits.h" // generated from package_limits.json
#include "src/model/packed_bits.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace granita::model {

/// Newest package version written; version 1 packages (hardware profile only) are still read.
constexpr int kModelFormatVersion = 2;
constexpr const char *kModelFormatName = "granita-sorbet";

// Largest architecture a package may declare (BERT-large: 24 layers, hidden 1024, 16 heads, ffn
// 4096, 512 positions; multilingual vocabularies reach 250k tokens). Sizes past these are typos or
// corrupt files, and would make the reference and the simulator allocate gigabytes per sentence.
// The numbers live in src/model/package_limits.json, shared with the Python reader.
constexpr int kMaxLayers = int(limits::kArchLayers.max);
constexpr int kMaxHidden = int(limits::kArchHidden.max);
constexpr int kMaxHeads = int(limits::kArchHeads.max);
constexpr int kMaxFfn = int(limits::kArchFfn.max);
constexpr int kMaxSeqLen = int(limits::kArchMaxSeqLen.max);
constexpr int kMaxVocabSize = int(limits::kArchVocabSize.max);
constexpr int kMaxFeatures = kMaxFfn; // in_features / out_features / features of any op

/// Op kinds of the integer Sorbet graph; semantics in docs/numerics.md.
enum class OpType {
  Embedding,
  Bspn,
  Fire,
  BinaryLinear,
  QkScores,
  PtSoftmax,
  PvMatmul,
  ResidualAdd,
  SelectCls,
  IntLinear,
  Requant // official profile only: relu?(round(V·M + B, shift)) + move, an integer tensor
};

/// Which numerics a package computes (docs/numerics.md §0 and §10).
enum class Profile {
  Hardware, // shifts only, half-up rounding, no data-dependent offsets (version 1 packages)
  Official  // as close to the official Sorbet eval forward as integer hardware can get
};

/// Rounding of a right shift: floor (any half is folded into the bias) or half to even.
enum class Rounding { Floor, HalfEven };

/// Data-dependent offset rules of the official unsigned quantizers (docs/numerics.md §10).
enum class MinRule { None, Official };

const char *op_type_name(OpType t);

/// Index of the graph input (token ids) in Op::inputs.
constexpr int kTokensInput = -1;

/// One op of the graph. Attributes that a type does not use stay 0 / empty.
/// Contract: ops are stored in execution order and every input index is smaller than the op's own.
struct Op {
  std::string name;
  OpType type = OpType::Fire;
  std::vector<int> inputs; // op indices, or kTokensInput
  int yaml_line = 0;       // where the op is declared in model.yaml (for diagnostics)

  int features = 0;        // output features per token (derived for every op)
  int out_exp = 0;         // exponent of the output values (counts: of one level step)
  bool counts = false;     // output is spike counts (fire, ptsoftmax)

  // fire
  int in_exp = 0, shift = 0, offset = 0;
  // binary_linear, int_linear
  int in_features = 0, weight_exp = 0, in_offset = 0;
  // embedding
  int word_exp = 0, pos_exp = 0, type_exp = 0;
  // bspn
  int group = 0, beta_exp = 0;
  // qk_scores, pv_matmul
  int heads = 0, score_shift = 0;
  // ptsoftmax
  int frac_bits = 0;

  // Official profile (docs/numerics.md §10); hardware packages keep these defaults.
  int64_t multiplier = 1;       // fire, requant, residual_add, qk_scores, ptsoftmax
  int rq_shift = 0;             // requant, residual_add, ptsoftmax: right shift after multiply
  Rounding rounding = Rounding::Floor; // fire, requant, residual_add, ptsoftmax
  MinRule min_rule = MinRule::None;    // fire (unsigned), ptsoftmax
  bool relu = false;            // requant
  int64_t in_step = 1;          // binary_linear: an input count c stands for c·in_step + offset
  int prob_frac = 0;            // ptsoftmax: runtime offset is floor(min p · 2^prob_frac)
  int64_t prob_step = 0;        // pv_matmul: a probability count c stands for c·prob_step + offset
  bool layernorm = false;       // embedding: float LayerNorm in fixed point
  int ln_exp = 0;               // embedding: exponent of ln_gamma
  bool bspn_official = false;   // bspn: float32 divisor and snap rules

  // Tensors (by role).
  PackedBits bits;               // binary_linear weight; embedding word table
  std::vector<int8_t> weight_i8; // int_linear weight [out, in]
  std::vector<int8_t> pos;       // embedding positions [max_seq_len, hidden]
  std::vector<int8_t> type_emb;  // embedding token types [type_vocab, hidden]
  std::vector<int8_t> gamma_sign, gamma_exp; // bspn
  std::vector<int32_t> bias;     // fire, residual_add, int_linear; bspn beta
  // Official profile tensors.
  std::vector<int64_t> bias64;   // fire, requant, residual_add, int_linear biases (I64)
  std::vector<int64_t> move64;   // requant: added after the activation
  std::vector<int32_t> word_scale; // embedding: per-row scale of the binarised word table
  std::vector<int32_t> pos32, type32, ln_gamma, ln_beta; // embedding
  std::vector<int32_t> weight_i32; // int_linear (official classifier)
  std::vector<int64_t> rowsum;   // binary_linear: Σ_f w_jf, derived at load
};

struct Arch {
  int layers = 0, hidden = 0, heads = 0, ffn = 0, max_seq_len = 0, vocab_size = 0,
      type_vocab_size = 0, bits = 4, time_steps = 16;
  int levels() const { return (1 << bits) - 1; }
  int signed_offset() const { return 1 << (bits - 1); }
};

/// A loaded, validated model package (docs/model-format.md).
struct SorbetModel {
  std::filesystem::path dir;
  std::string name;
  std::string task;
  std::vector<std::string> labels;
  Profile profile = Profile::Hardware;
  Arch arch;
  std::vector<Op> ops;
  int output = -1; // index of the op producing the logits
  std::filesystem::path vocab_path;

  int find_op(const std::string &name) const; // -1 if absent
};

/// Loads and validates a package directory; InputError names file and line/field on any fault.
/// Order: checksums, model.yaml (with the tensors, see parse_model_yaml), then vocab.txt, which
/// must be a valid vocabulary of at most arch.vocab_size tokens.
SorbetModel load_package(const std::filesystem::path &dir);

/// The model.yaml part of load_package, from text in memory: checks model.yaml and binds every op
/// to its tensors. `yaml_file` names the file in messages. `load_tensors` is called once, after
/// the header, arch, inputs and output keys are checked. Checksums and vocabulary are not looked
/// at; `dir` and `vocab_path` stay empty.
SorbetModel parse_model_yaml(const std::string &yaml_text, const std::string &yaml_file,
                             const std::function<io::SafetensorsFile()> &load_tensors);

/// Writes a package (model.yaml, tensors.safetensors, vocab.txt copied from vocab_path,
/// card.md, checksums.sha256). Every file is written atomically.
void save_package(const SorbetModel &m, const std::filesystem::path &dir,
                  const std::string &card_markdown);

} // namespace granita::model
