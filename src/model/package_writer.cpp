// SPDX-License-Identifier: Apache-2.0
// Writes a hardware-profile model package (model.yaml, tensors, vocabulary, card, checksums),
// every file atomically.
#include "src/model/package_internal.h"
#include "src/model/sorbet_model.h"

#include "src/io/safetensors.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/sha256.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>

namespace granita::model {

using detail::kPackageFiles;

void save_package(const SorbetModel &m, const std::filesystem::path &dir,
                  const std::string &card_markdown) {
  std::filesystem::create_directories(dir);
  std::map<std::string, io::Tensor> tensors;
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "format" << YAML::Value << kModelFormatName;
  // Hardware-profile packages are written as version 1, which every Granita reads; official-profile
  // packages come from scripts/import-sorbet (Python writer).
  GRANITA_ASSERT(m.profile == Profile::Hardware, "save_package writes hardware-profile packages");
  y << YAML::Key << "version" << YAML::Value << 1;
  y << YAML::Key << "name" << YAML::Value << m.name;
  y << YAML::Key << "task" << YAML::Value << m.task;
  y << YAML::Key << "labels" << YAML::Value << YAML::Flow << m.labels;
  const Arch &a = m.arch;
  y << YAML::Key << "arch" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "layers" << YAML::Value << a.layers << YAML::Key << "hidden" << YAML::Value
    << a.hidden << YAML::Key << "heads" << YAML::Value << a.heads << YAML::Key << "ffn"
    << YAML::Value << a.ffn << YAML::Key << "max_seq_len" << YAML::Value << a.max_seq_len
    << YAML::Key << "vocab_size" << YAML::Value << a.vocab_size << YAML::Key << "type_vocab_size"
    << YAML::Value << a.type_vocab_size << YAML::Key << "bits" << YAML::Value << a.bits
    << YAML::Key << "time_steps" << YAML::Value << a.time_steps;
  y << YAML::EndMap;
  y << YAML::Key << "inputs" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
    << "tokens" << YAML::Value << "tokens" << YAML::EndMap;
  y << YAML::Key << "output" << YAML::Value << m.ops[size_t(m.output)].name;
  y << YAML::Key << "ops" << YAML::Value << YAML::BeginSeq;
  for (const Op &op : m.ops) {
    y << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << op.name;
    y << YAML::Key << "type" << YAML::Value << op_type_name(op.type);
    std::vector<std::string> ins;
    for (int i : op.inputs)
      ins.push_back(i == kTokensInput ? "tokens" : m.ops[size_t(i)].name);
    y << YAML::Key << "inputs" << YAML::Value << ins;
    auto kv = [&](const char *k, int v) { y << YAML::Key << k << YAML::Value << v; };
    auto packed = [](const PackedBits &b) {
      return io::Tensor{io::DType::U8, {b.rows, (b.cols + 7) / 8}, b.to_bytes()};
    };
    auto put = [&](const std::string &role, io::Tensor t) {
      tensors[op.name + "." + role] = std::move(t);
    };
    switch (op.type) {
    case OpType::Embedding:
      kv("word_exp", op.word_exp);
      kv("pos_exp", op.pos_exp);
      kv("type_exp", op.type_exp);
      put("word", packed(op.bits));
      put("pos", io::make_tensor(io::DType::I8, {a.max_seq_len, a.hidden}, op.pos));
      put("type", io::make_tensor(io::DType::I8, {a.type_vocab_size, a.hidden}, op.type_emb));
      break;
    case OpType::Bspn:
      kv("in_exp", op.in_exp);
      kv("group", op.group);
      kv("beta_exp", op.beta_exp);
      kv("out_exp", op.out_exp);
      put("gamma_sign", io::make_tensor(io::DType::I8, {op.features}, op.gamma_sign));
      put("gamma_exp", io::make_tensor(io::DType::I8, {op.features}, op.gamma_exp));
      put("beta", io::make_tensor(io::DType::I32, {op.features}, op.bias));
      break;
    case OpType::Fire:
      kv("in_exp", op.in_exp);
      kv("shift", op.shift);
      kv("out_exp", op.out_exp);
      kv("offset", op.offset);
      kv("features", op.features);
      put("bias", io::make_tensor(io::DType::I32, {op.features}, op.bias));
      break;
    case OpType::BinaryLinear:
    case OpType::IntLinear:
      kv("in_features", op.in_features);
      kv("out_features", op.features);
      kv("in_exp", op.in_exp);
      kv("weight_exp", op.weight_exp);
      kv("out_exp", op.out_exp);
      if (op.type == OpType::BinaryLinear) {
        put("weight", packed(op.bits));
      } else {
        put("weight", io::make_tensor(io::DType::I8, {op.features, op.in_features}, op.weight_i8));
        put("bias", io::make_tensor(io::DType::I32, {op.features}, op.bias));
      }
      break;
    case OpType::QkScores:
      kv("heads", op.heads);
      kv("score_shift", op.score_shift);
      break;
    case OpType::PtSoftmax:
      kv("frac_bits", op.frac_bits);
      kv("out_exp", op.out_exp);
      break;
    case OpType::PvMatmul:
      kv("heads", op.heads);
      kv("out_exp", op.out_exp);
      break;
    case OpType::ResidualAdd:
      kv("out_exp", op.out_exp);
      put("bias", io::make_tensor(io::DType::I32, {op.features}, op.bias));
      break;
    case OpType::SelectCls:
    case OpType::Requant:
      break;
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;

  std::map<std::string, std::string> files;
  files["model.yaml"] = std::string(y.c_str()) + "\n";
  files["tensors.safetensors"] =
      io::serialize_safetensors(tensors, {{"format", kModelFormatName}});
  files["vocab.txt"] = read_file(m.vocab_path);
  files["card.md"] = card_markdown;
  std::string sums;
  for (const char *f : kPackageFiles) {
    write_file_atomic(dir / f, files[f]);
    sums += sha256_hex(files[f]) + "  " + f + "\n";
  }
  write_file_atomic(dir / "checksums.sha256", sums);
}

} // namespace granita::model
