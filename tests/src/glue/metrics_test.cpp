// SPDX-License-Identifier: Apache-2.0
// Every expected value is worked out by hand in the comment next to it.
#include "src/glue/metrics.h"

#include "src/util/error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace granita::glue {
namespace {

using I = std::vector<int>;
using D = std::vector<double>;

TEST(Metrics, Accuracy) {
  // Matches at positions 0, 2, 4: 3/5.
  EXPECT_DOUBLE_EQ(accuracy(I{1, 0, 1, 1, 0}, I{1, 1, 1, 0, 0}), 0.6);
  EXPECT_DOUBLE_EQ(accuracy(I{2}, I{2}), 1.0);
}

TEST(Metrics, F1Binary) {
  // TP = {0, 2} = 2, FP = {3} = 1, FN = {1} = 1: F1 = 2·2 / (2·2 + 1 + 1) = 4/6.
  EXPECT_DOUBLE_EQ(f1_binary(I{1, 0, 1, 1, 0}, I{1, 1, 1, 0, 0}), 2.0 / 3.0);
  // Precision 1/1, recall 1/3: F1 = 2·1 / (2 + 0 + 2) = 0.5.
  EXPECT_DOUBLE_EQ(f1_binary(I{1, 0, 0}, I{1, 1, 1}), 0.5);
  // Degenerate (sklearn zero_division=0): nothing predicted positive and nothing gold positive.
  EXPECT_DOUBLE_EQ(f1_binary(I{0, 0}, I{0, 0}), 0.0);
  EXPECT_DOUBLE_EQ(f1_binary(I{1, 1}, I{1, 1}), 1.0);
}

TEST(Metrics, MatthewsBinary) {
  // gold 1 1 1 1 0 0 0, pred 1 1 1 0 0 0 1: TP=3, FN=1, TN=2, FP=1.
  // MCC = (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (6−1)/sqrt(4·4·3·3) = 5/12.
  EXPECT_NEAR(matthews_corrcoef(I{1, 1, 1, 0, 0, 0, 1}, I{1, 1, 1, 1, 0, 0, 0}), 5.0 / 12.0, 1e-12);
  // Perfectly wrong: TP=TN=0, FP=FN=2 -> (0−4)/sqrt(2·2·2·2) = −1.
  EXPECT_NEAR(matthews_corrcoef(I{1, 1, 0, 0}, I{0, 0, 1, 1}), -1.0, 1e-12);
  // Degenerate: one class only in gold (a row of the 2x2 matrix is zero) or in pred -> 0.
  EXPECT_DOUBLE_EQ(matthews_corrcoef(I{0, 1, 0}, I{1, 1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(matthews_corrcoef(I{1, 1, 1}, I{0, 1, 0}), 0.0);
}

TEST(Metrics, MatthewsMulticlass) {
  // gold 0 1 1 2, pred 0 1 2 0. Row sums t = (1, 2, 1), column sums p = (2, 1, 1), trace c = 2,
  // n = 4: (c·n − Σ t·p) / sqrt((n² − Σp²)(n² − Σt²)) = (8 − 5) / sqrt((16 − 6)(16 − 6)) = 0.3.
  EXPECT_NEAR(matthews_corrcoef(I{0, 1, 2, 0}, I{0, 1, 1, 2}), 0.3, 1e-12);
}

TEST(Metrics, Pearson) {
  // x = 1 2 3 4 (mean 2.5), y = 2 4 5 9 (mean 5): dx = −1.5 −.5 .5 1.5, dy = −3 −1 0 4.
  // Sxy = 4.5 + .5 + 0 + 6 = 11, Sxx = 5, Syy = 9 + 1 + 0 + 16 = 26: r = 11 / sqrt(130).
  EXPECT_NEAR(pearson(D{1, 2, 3, 4}, D{2, 4, 5, 9}), 11.0 / std::sqrt(130.0), 1e-12);
  EXPECT_NEAR(pearson(D{1, 2, 3}, D{3, 2, 1}), -1.0, 1e-12);
  // Constant input: SciPy gives NaN; we return 0 (documented in metrics.h).
  EXPECT_DOUBLE_EQ(pearson(D{1, 1, 1}, D{1, 2, 3}), 0.0);
}

TEST(Metrics, SpearmanWithTies) {
  // x = 1 2 2 3 -> ranks 1 2.5 2.5 4 (tie averaged); y = 1 3 2 4 -> ranks 1 3 2 4.
  // Both rank means 2.5: drx = −1.5 0 0 1.5, dry = −1.5 .5 −.5 1.5.
  // Sxy = 2.25 + 2.25 = 4.5, Sxx = 4.5, Syy = 5: rho = 4.5 / sqrt(22.5) = sqrt(0.9).
  EXPECT_NEAR(spearman(D{1, 2, 2, 3}, D{1, 3, 2, 4}), std::sqrt(0.9), 1e-12);
  // Monotone but not linear: rho = 1 while Pearson < 1.
  EXPECT_NEAR(spearman(D{1, 2, 3}, D{1, 8, 27}), 1.0, 1e-12);
  EXPECT_LT(pearson(D{1, 2, 3}, D{1, 8, 27}), 0.99);
}

TEST(Metrics, ConfusionMatrix) {
  // counts[gold][pred]: (0,0), (1,1), (1,2), (2,0).
  const auto cm = confusion_matrix(I{0, 1, 2, 0}, I{0, 1, 1, 2}, 3);
  EXPECT_EQ(cm, (std::vector<std::vector<int64_t>>{{1, 0, 0}, {0, 1, 1}, {1, 0, 0}}));
  EXPECT_THROW(confusion_matrix(I{0, 3}, I{0, 1}, 3), InputError);
  EXPECT_THROW(confusion_matrix(I{0, 1}, I{-1, 1}, 3), InputError);
}

TEST(Metrics, BadInputsThrow) {
  EXPECT_THROW(accuracy(I{1, 0}, I{1}), InputError);
  EXPECT_THROW(accuracy(I{}, I{}), InputError);
  EXPECT_THROW(f1_binary(I{1}, I{}), InputError);
  EXPECT_THROW(matthews_corrcoef(I{}, I{}), InputError);
  EXPECT_THROW(pearson(D{1, 2}, D{1}), InputError);
  EXPECT_THROW(spearman(D{}, D{}), InputError);
}

} // namespace
} // namespace granita::glue
