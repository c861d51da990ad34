// SPDX-License-Identifier: Apache-2.0
// granita synth-model: a model package with random weights, any shape.
#include "sim/cli/commands.h"
#include "sim/cli/input_checks.h"
#include "src/config/yaml_reader.h"
#include "src/energy/analytical.h"
#include "src/energy/energy_table.h"
#include "src/eval/evaluate.h"
#include "src/glue/glue_task.h"
#include "src/glue/tsv_reader.h"
#include "src/model/sorbet_model.h"
#include "src/model/synthetic_model.h"
#include "src/ref/sorbet_reference.h"
#include "src/report/run_report.h"
#include "src/text/vocab.h"
#include "src/text/wordpiece_tokenizer.h"
#include "src/util/data_path.h"
#include "src/util/error.h"
#include "src/util/file_io.h"
#include "src/util/progress.h"


#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>


namespace granita::cli {

namespace {

/// `-p key=value` overrides as integers, keys checked against `allowed`.
std::map<std::string, int> parse_params(const std::vector<std::string> &params,
                                        const std::vector<std::string> &allowed) {
  std::string names;
  for (const std::string &k : allowed)
    names += (names.empty() ? "" : ", ") + k;
  std::map<std::string, int> out;
  for (const std::string &p : params) {
    const auto eq = p.find('=');
    const std::string key = p.substr(0, eq);
    if (eq == std::string::npos || std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw InputError({}, "-p " + p, "expected key=value with key one of " + names);
    try {
      size_t used = 0;
      out[key] = std::stoi(p.substr(eq + 1), &used);
      if (used != p.size() - eq - 1)
        throw std::invalid_argument(p);
    } catch (const std::exception &) {
      throw InputError({}, "-p " + key, "expected an integer, got '" + p.substr(eq + 1) + "'");
    }
  }
  return out;
}

/// `--layers 1024,256,256`: positive integers separated by commas.
std::vector<int> parse_sizes(const std::string &text) {
  std::vector<int> sizes;
  size_t at = 0;
  while (true) {
    const size_t comma = text.find(',', at);
    const std::string item = text.substr(at, comma == std::string::npos ? std::string::npos
                                                                        : comma - at);
    size_t used = 0;
    long v = 0;
    try {
      v = std::stol(item, &used);
    } catch (const std::exception &) {
      used = 0;
    }
    if (item.empty() || used != item.size() || v < 1 || v > model::kMaxFeatures)
      throw InputError({}, "--layers " + text,
                       "expected comma-separated layer sizes in [1, " +
                           std::to_string(model::kMaxFeatures) + "], e.g. 1024,256,256; got '" +
                           item + "'");
    sizes.push_back(int(v));
    if (comma == std::string::npos)
      return sizes;
    at = comma + 1;
  }
}

int run_synth_snn(const SynthOptions &o) {
  if (o.layers.empty())
    throw InputError({}, "--layers", "--kind snn needs --layers, e.g. --layers 1024,256,256");
  if (o.preset_given)
    throw InputError({}, "--preset", "only with --kind sorbet (an SNN's shape is --layers)");
  model::SyntheticSnnSpec spec;
  spec.sizes = parse_sizes(o.layers);
  size_t used = 0;
  try {
    spec.input_rate = std::stod(o.input_rate, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (o.input_rate.empty() || used != o.input_rate.size())
    throw InputError({}, "--input-rate " + o.input_rate, "expected a number, e.g. 0.1");
  const auto params = parse_params(o.params, {"max_seq_len", "bits"});
  if (params.count("max_seq_len"))
    spec.max_seq_len = params.at("max_seq_len");
  if (params.count("bits"))
    spec.bits = params.at("bits");
  spec.seed = o.seed;
  const std::filesystem::path vocab_path =
      o.vocab.empty() ? default_vocab_path() : std::filesystem::path(o.vocab);
  const text::Vocab vocab = text::Vocab::load(vocab_path);
  spec.vocab_size = int(vocab.size());
  model::SorbetModel m = model::make_synthetic_snn(spec);
  m.vocab_path = vocab_path;
  const std::string card =
      "# " + m.name + "\n\nSynthetic spiking network (binary linear + fire layers " + o.layers +
      ", no attention, input rate " + o.input_rate +
      " spikes per neuron per step) with seeded random weights (seed " + std::to_string(o.seed) +
      "), written by `granita synth-model --kind snn`. It is untrained: use it for energy and "
      "hardware studies.\n";
  model::save_package(m, o.out_dir, card);
  std::printf("wrote %s (snn %s, input rate %s, %d time steps)\n", o.out_dir.c_str(),
              o.layers.c_str(), o.input_rate.c_str(), m.arch.time_steps);
  return 0;
}

} // namespace

int run_synth(const SynthOptions &o) {
  if (o.kind == "snn")
    return run_synth_snn(o);
  if (o.kind != "sorbet")
    throw InputError({}, "--kind " + o.kind, "expected sorbet or snn");
  if (!o.layers.empty())
    throw InputError({}, "--layers", "only with --kind snn (a Sorbet model takes -p layers=N)");
  if (o.input_rate_given)
    throw InputError({}, "--input-rate", "only with --kind snn (a Sorbet model's inputs are "
                                         "its token embeddings)");
  // Presets follow Turc et al. 2019 ("Well-Read Students Learn Better") for the small BERTs.
  static const std::map<std::string, model::Arch> kPresets = {
      {"bert-tiny", {2, 128, 2, 512, 128, 30522, 2, 4, 16}},
      {"bert-mini", {4, 256, 4, 1024, 128, 30522, 2, 4, 16}},
      {"bert-small", {4, 512, 8, 2048, 128, 30522, 2, 4, 16}},
      {"bert-medium", {8, 512, 8, 2048, 128, 30522, 2, 4, 16}},
      {"bert-base", {12, 768, 12, 3072, 128, 30522, 2, 4, 16}}};
  auto it = kPresets.find(o.preset);
  if (it == kPresets.end()) {
    std::string names;
    for (const auto &[k, v] : kPresets)
      names += (names.empty() ? "" : ", ") + k;
    throw InputError({}, "--preset", "unknown preset '" + o.preset + "' (one of " + names + ")");
  }
  model::SyntheticSpec spec;
  spec.arch = it->second;
  spec.seed = o.seed;
  spec.name = "synthetic-" + o.preset;
  spec.vocab_path = o.vocab.empty() ? default_vocab_path() : std::filesystem::path(o.vocab);
  std::map<std::string, int *> keys = {
      {"layers", &spec.arch.layers},     {"hidden", &spec.arch.hidden},
      {"heads", &spec.arch.heads},       {"ffn", &spec.arch.ffn},
      {"max_seq_len", &spec.arch.max_seq_len}, {"bits", &spec.arch.bits}};
  for (const auto &[key, value] :
       parse_params(o.params, {"layers", "hidden", "heads", "ffn", "max_seq_len", "bits"}))
    *keys.at(key) = value;
  const model::Arch &a = spec.arch;
  const int dh = a.heads > 0 ? a.hidden / a.heads : 0;
  if (a.layers < 0 || a.hidden < 1 || a.heads < 1 || a.hidden % a.heads != 0 || (dh & (dh - 1)) ||
      a.ffn < 1 || a.max_seq_len < 3 || a.bits < 2 || a.bits > 8)
    throw InputError({}, "-p",
                     "invalid shape: need hidden divisible by heads with a power-of-two head size, "
                     "ffn ≥ 1, max_seq_len ≥ 3, bits in [2, 8]");
  spec.arch.time_steps = std::max(spec.arch.time_steps, a.levels());
  // Checked here so that a bad vocabulary path is reported before any work is done.
  const text::Vocab vocab = text::Vocab::load(spec.vocab_path);
  spec.arch.vocab_size = int(vocab.size());
  const model::SorbetModel m = model::make_synthetic_model(spec);
  model::save_package(m, o.out_dir,
                      "# " + m.name + "\n\nSynthetic Sorbet model with seeded random weights "
                      "(seed " + std::to_string(o.seed) + "), written by `granita synth-model`. "
                      "It is untrained: use it for benchmarks and hardware sweeps, not accuracy.\n");
  std::printf("wrote %s (%d layers, hidden %d, heads %d, ffn %d)\n", o.out_dir.c_str(), a.layers,
              a.hidden, a.heads, a.ffn);
  return 0;
}

} // namespace granita::cli
