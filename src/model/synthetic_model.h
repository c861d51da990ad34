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

/// The same op graph for every Sorbet model: `embed`, `embed.norm`, `layers.<l>.…`, `pool.…`,
/// `classifier` (docs/model-format.md).
std::vector<std::string> sorbet_op_names(int layers);

} // namespace granita::model
