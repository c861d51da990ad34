// SPDX-License-Identifier: Apache-2.0
// model.yaml and its tensors into a SorbetModel: the header, the architecture and the graph's
// wiring, checked against docs/model-format.md; each op's attributes and tensors are read by
// op_attrs.cpp and op_attrs_matmul.cpp.
#include "src/model/op_attrs.h"
#include "src/model/package_internal.h"
#include "src/model/sorbet_model.h"

#include "src/config/yaml_reader.h"
#include "src/io/safetensors.h"
#include "src/util/error.h"

#include <map>
#include <set>

namespace granita::model {

namespace {

using detail::kOpTypes;
using detail::OpContext;
using detail::OpReader;

} // namespace

SorbetModel parse_model_yaml(const std::string &yaml_text, const std::string &yaml_file,
                             const std::function<io::SafetensorsFile()> &load_tensors) {
  YAML::Node root = config::load_yaml_document(yaml_text, yaml_file);
  config::YamlMap top(root, yaml_file, "");
  const std::string format = top.get_string("format");
  if (format != kModelFormatName)
    top.fail("format", "expected '" + std::string(kModelFormatName) + "', got '" + format + "'");
  const int64_t version = top.get_int("version", 0, 1 << 30);
  if (version < 1 || version > kModelFormatVersion)
    top.fail("version", "unsupported model package version " + std::to_string(version) +
                            " (this Granita reads 1 to " + std::to_string(kModelFormatVersion) +
                            ")");

  SorbetModel m;
  // Version 1 predates profiles: its packages are hardware-profile packages.
  if (version >= 2 && top.get_enum("profile", {"hardware", "official"}) == "official")
    m.profile = Profile::Official;
  m.name = top.get_string("name");
  m.task = top.get_string("task");
  m.labels = top.get_string_list("labels");
  if (m.labels.empty())
    top.fail("labels", "expected at least one label");

  config::YamlMap arch = top.get_map("arch");
  Arch &a = m.arch;
  const auto get = [&arch](const char *key, limits::ArchRange r) {
    return int(arch.get_int(key, r.min, r.max));
  };
  a.layers = get("layers", limits::kArchLayers);
  a.hidden = get("hidden", limits::kArchHidden);
  a.heads = get("heads", limits::kArchHeads);
  a.ffn = get("ffn", limits::kArchFfn);
  a.max_seq_len = get("max_seq_len", limits::kArchMaxSeqLen);
  a.vocab_size = get("vocab_size", limits::kArchVocabSize);
  a.type_vocab_size = get("type_vocab_size", limits::kArchTypeVocabSize);
  a.bits = get("bits", limits::kArchBits);
  a.time_steps = get("time_steps", limits::kArchTimeSteps);
  arch.finish();
  if (a.hidden % a.heads != 0)
    arch.fail("heads", "hidden (" + std::to_string(a.hidden) + ") is not divisible by heads (" +
                           std::to_string(a.heads) + ")");
  if (a.time_steps < a.levels())
    arch.fail("time_steps", "must be at least 2^bits - 1 = " + std::to_string(a.levels()) +
                                " so that every level fits in the time window");

  config::YamlMap inputs = top.get_map("inputs");
  const std::string tokens_name = inputs.get_string("tokens");
  inputs.finish();
  const std::string output_name = top.get_string("output");

  const io::SafetensorsFile tensors = load_tensors();
  std::set<std::string> used_tensors;

  YAML::Node ops_node = top.get_node("ops");
  if (!ops_node.IsSequence() || ops_node.size() == 0)
    throw InputError(top.location(ops_node), "ops", "expected a non-empty list of ops");
  top.finish();

  std::map<std::string, int> index_of;
  for (size_t i = 0; i < ops_node.size(); ++i) {
    config::YamlMap om(ops_node[i], yaml_file, "ops[" + std::to_string(i) + "]");
    Op op;
    op.yaml_line = om.location().line;
    op.name = om.get_string("name");
    if (index_of.count(op.name))
      om.fail("name", "duplicate op name '" + op.name + "'");
    std::vector<std::string> type_names;
    for (const auto &e : kOpTypes)
      type_names.push_back(e.name);
    const std::string type = om.get_enum("type", type_names);
    for (const auto &e : kOpTypes)
      if (type == e.name)
        op.type = e.type;
    for (const std::string &in : om.get_string_list("inputs")) {
      if (in == tokens_name) {
        op.inputs.push_back(kTokensInput);
        continue;
      }
      auto it = index_of.find(in);
      if (it == index_of.end())
        om.fail("inputs", "input '" + in + "' is not an op defined above this one");
      op.inputs.push_back(it->second);
    }
    OpReader rd(om, tensors, used_tensors, op);
    read_op_attributes(OpContext{om, rd, m, tokens_name, op});
    om.finish();
    index_of[op.name] = int(m.ops.size());
    m.ops.push_back(std::move(op));
  }

  auto out_it = index_of.find(output_name);
  if (out_it == index_of.end())
    top.fail("output", "'" + output_name + "' is not an op");
  m.output = out_it->second;
  const Op &out = m.ops[size_t(m.output)];
  if (out.type != OpType::IntLinear)
    top.fail("output", "the output op must be an int_linear classifier");
  if (size_t(out.features) != m.labels.size())
    top.fail("labels", std::to_string(m.labels.size()) + " labels but the classifier has " +
                           std::to_string(out.features) + " outputs");
  for (const auto &[name, t] : tensors.tensors())
    if (!used_tensors.count(name))
      throw InputError({tensors.file()}, name, "tensor is not used by any op in model.yaml");
  return m;
}

} // namespace granita::model
