// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/sorbet_model.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace granita::model {

/// What a synthetic model looks like: the architecture and a seed for its random weights.
struct SyntheticSpec {
  Arch arch;
  uint64_t seed = 1;
  std::string name = "synthetic";
  std::string task = "SST-2";
  std::vector<std::string> labels = {"negative", "positive"};
  std::filesystem::path vocab_path; // copied into the package when saved
};

/// A valid integer Sorbet model of any shape with seeded random weights, with the same op graph
/// as the models exported by scripts/ and exponents chosen so that activations stay in range
/// (neither all-zero nor saturated) for random inputs. For tests, benchmarks and sweeps over size.
SorbetModel make_synthetic_model(const SyntheticSpec &spec);

/// A synthetic spiking network without attention: binary linear + fire layers of any sizes, for
/// setting up published operating points (firing rate, fan-out, neurons per core).
struct SyntheticSnnSpec {
  std::vector<int> sizes;   // input neurons, then each hidden layer's neurons (at least 2 sizes)
  double input_rate = 0.1;  // mean input spikes per neuron per time step, in [0, levels/T]
  int bits = 4;             // count bits: levels 2^bits - 1, T = max(16, levels) time steps
  int max_seq_len = 128;    // positions (input presentations) per sentence
  int vocab_size = 0;       // of the vocabulary the package ships
  uint64_t seed = 1;
  std::string name = "synthetic-snn";
  std::vector<std::string> labels = {"negative", "positive"}; // SST-2: the readout size
};

/// The network of a SyntheticSnnSpec as a valid hardware-profile package (docs/numerics.md):
///   embed -> input (fire) -> [hidden.<i> (binary_linear) -> hidden.<i>.fire] ... ->
///   the last hidden layer's accumulator -> pool.cls (select_cls) -> pool.act (fire) ->
///   classifier (int_linear).
/// Input counts do not depend on the token: the count of input neuron f at position i is
/// pos[i, f], drawn Binomial(levels, input_rate · T / levels), so its mean is input_rate · T
/// spikes per T steps exactly in expectation; the word table's ±1 is removed by the input fire's
/// rounding. Each hidden fire's bias is the integer that brings its mean count over all
/// max_seq_len positions (computed from the known input counts) closest to the same rate, so a
/// sentence of max_seq_len tokens fires at the requested rate up to one bias step, and a shorter
/// one at about it. Throws InputError on a bad spec.
SorbetModel make_synthetic_snn(const SyntheticSnnSpec &spec);

/// Spikes per input neuron per time step that the input layer of `m` (a make_synthetic_snn
/// model) produces at positions [0, tokens): Σ pos counts / (tokens · features · T).
double synthetic_snn_input_rate(const SorbetModel &m, int tokens);

/// The same op graph for every Sorbet model: `embed`, `embed.norm`, `layers.<l>.…`, `pool.…`,
/// `classifier` (docs/model-format.md).
std::vector<std::string> sorbet_op_names(int layers);

} // namespace granita::model
