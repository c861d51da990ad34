// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

/// The official GLUE metrics. Inputs of different sizes or empty inputs throw InputError.
/// Degenerate cases follow scikit-learn / SciPy conventions noted on each function.
namespace granita::glue {

double accuracy(const std::vector<int> &pred, const std::vector<int> &gold);
/// F1 of the positive class 1; 0 when there are no true positives (sklearn's zero_division=0).
double f1_binary(const std::vector<int> &pred, const std::vector<int> &gold);
/// Matthews correlation; 0 when a marginal of the confusion matrix is zero (as sklearn).
double matthews_corrcoef(const std::vector<int> &pred, const std::vector<int> &gold);
/// Pearson r; 0 (instead of NaN) when either input is constant.
double pearson(const std::vector<double> &x, const std::vector<double> &y);
/// Spearman ρ: Pearson of the ranks, ties getting their average rank.
double spearman(const std::vector<double> &x, const std::vector<double> &y);
/// counts[gold][pred]; labels outside [0, num_labels) throw InputError.
std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int> &pred,
                                                   const std::vector<int> &gold, int num_labels);

} // namespace granita::glue
