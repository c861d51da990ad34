// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/model/sorbet_model.h"
#include "src/ref/kernels.h"

#include <cstdint>
#include <vector>

namespace granita::ref {

/// Result of one sentence through the integer reference.
struct ReferenceResult {
  std::vector<int64_t> logits;
  int prediction = 0;            // argmax, lowest index on ties
  std::vector<IntMatrix> outputs; // every op's output, only when requested
  int64_t spikes = 0;            // Σ spike counts emitted by fire and ptsoftmax ops
  int64_t synaptic_ops = 0;      // Σ over binary/int linear inputs: spikes × fan-out
};

/// The golden integer Sorbet model: executes a validated SorbetModel op by op with the kernels
/// of kernels.h. Stateless after construction and safe to share between threads.
/// Contract: the model must outlive the Reference.
class Reference {
public:
  explicit Reference(const model::SorbetModel &model);

  /// Runs one sentence at its true length. Throws InputError for ids or lengths the model cannot
  /// take (id out of vocabulary, more tokens than max_seq_len, empty input).
  ReferenceResult run(const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids,
                      bool keep_outputs = false) const;

  /// Runs one op given its inputs' outputs (shared with the cycle-accurate model's checks).
  IntMatrix run_op(size_t op_index, const std::vector<const IntMatrix *> &inputs,
                   const std::vector<int32_t> &ids, const std::vector<int32_t> &type_ids) const;

  const model::SorbetModel &model() const { return m_model; }

private:
  IntMatrix run_official_op(const model::Op &op, const std::vector<const IntMatrix *> &inputs,
                            const std::vector<int32_t> &ids,
                            const std::vector<int32_t> &type_ids) const;
  static IntMatrix select_cls(const IntMatrix &x);

  const model::SorbetModel &m_model;
  std::vector<size_t> m_last_use; // index of the last op reading each op's output
};

} // namespace granita::ref
