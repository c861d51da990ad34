// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads the attributes and tensors of one op of model.yaml by its type, checking them against the
// ops it reads from (docs/model-format.md); used by parse_model_yaml only. The integer and neuron
// ops are in op_attrs.cpp, the linear layers and attention in op_attrs_matmul.cpp.

#include "src/config/yaml_reader.h"
#include "src/model/op_reader.h"
#include "src/model/sorbet_model.h"

#include <string>

namespace granita::model::detail {

/// One op being read: its YAML map and tensor reader, the model read so far (arch, profile and
/// the ops above this one) and the op, whose name, type and inputs are already set. The checks
/// that several op types share are member functions; they fail through `om`.
struct OpContext {
  config::YamlMap &om;
  OpReader &rd;
  const SorbetModel &m;
  const std::string &tokens_name;
  Op &op;

  bool official() const { return m.profile == Profile::Official; }
  /// The offset of a signed fire (half the levels).
  int sgn_off() const { return m.arch.signed_offset(); }
  void want_inputs(size_t n) const;
  /// The op that produces input `k` (never the token ids).
  const Op &producer(size_t k) const;
  /// Input `p` must be spike counts (a fire), signed if `want_signed`.
  void need_counts(const Op &p, bool want_signed) const;
  /// The op's in_exp must be the exponent its input produces (hardware profile, and BSPN).
  void check_in_exp(const Op &p) const;
  Rounding rounding() const;
  /// The official profile's fixed-point rescale: multiplier and the shift under `shift_key`.
  void fixed_point(const char *shift_key) const;
};

/// Reads `c.op`'s attributes and tensors for its type.
void read_op_attributes(const OpContext &c);

void read_linear(const OpContext &c); // binary_linear and int_linear
void read_qk_scores(const OpContext &c);
void read_ptsoftmax(const OpContext &c);
void read_pv_matmul(const OpContext &c);

} // namespace granita::model::detail
