// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the package reader, the model.yaml parser and the writer share (not part of the API).

#include "src/model/sorbet_model.h"

namespace granita::model::detail {

/// The files of a package besides checksums.sha256, in the order the checksums list them.
inline constexpr const char *kPackageFiles[] = {"model.yaml", "tensors.safetensors", "vocab.txt",
                                                "card.md"};

struct OpTypeName {
  OpType type;
  const char *name;
};
inline constexpr OpTypeName kOpTypes[] = {
    {OpType::Embedding, "embedding"},       {OpType::Bspn, "bspn"},
    {OpType::Fire, "fire"},                 {OpType::BinaryLinear, "binary_linear"},
    {OpType::QkScores, "qk_scores"},        {OpType::PtSoftmax, "ptsoftmax"},
    {OpType::PvMatmul, "pv_matmul"},        {OpType::ResidualAdd, "residual_add"},
    {OpType::SelectCls, "select_cls"},      {OpType::IntLinear, "int_linear"},
    {OpType::Requant, "requant"}};


} // namespace granita::model::detail
