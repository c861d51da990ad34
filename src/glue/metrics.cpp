// SPDX-License-Identifier: Apache-2.0
#include "src/glue/metrics.h"

#include "src/util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace granita::glue {

namespace {
template <typename T> void check_sizes(const std::vector<T> &a, const std::vector<T> &b) {
  if (a.size() != b.size())
    throw InputError("metric inputs differ in length: " + std::to_string(a.size()) + " vs " +
                     std::to_string(b.size()));
  if (a.empty())
    throw InputError("metric of an empty set");
}

std::vector<double> ranks(const std::vector<double> &x) {
  std::vector<size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]])
      ++j;
    const double avg = (double(i) + double(j)) / 2.0 + 1.0; // 1-based average rank
    for (size_t k = i; k <= j; ++k)
      r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}
} // namespace

double accuracy(const std::vector<int> &pred, const std::vector<int> &gold) {
  check_sizes(pred, gold);
  size_t ok = 0;
  for (size_t i = 0; i < pred.size(); ++i)
    ok += pred[i] == gold[i];
  return double(ok) / double(pred.size());
}

double f1_binary(const std::vector<int> &pred, const std::vector<int> &gold) {
  check_sizes(pred, gold);
  double tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    tp += pred[i] == 1 && gold[i] == 1;
    fp += pred[i] == 1 && gold[i] != 1;
    fn += pred[i] != 1 && gold[i] == 1;
  }
  return tp == 0 ? 0.0 : 2 * tp / (2 * tp + fp + fn);
}

double matthews_corrcoef(const std::vector<int> &pred, const std::vector<int> &gold) {
  check_sizes(pred, gold);
  // Multiclass form (Gorodkin 2004), as sklearn: (c·s − Σ p_k t_k) / sqrt((s² − Σp²)(s² − Σt²)).
  const int k = 1 + std::max(*std::max_element(pred.begin(), pred.end()),
                             *std::max_element(gold.begin(), gold.end()));
  const auto cm = confusion_matrix(pred, gold, k);
  double c = 0, s = double(pred.size()), sum_pt = 0, sum_pp = 0, sum_tt = 0;
  for (int i = 0; i < k; ++i) {
    double t = 0, p = 0;
    for (int j = 0; j < k; ++j) {
      t += double(cm[size_t(i)][size_t(j)]);
      p += double(cm[size_t(j)][size_t(i)]);
    }
    c += double(cm[size_t(i)][size_t(i)]);
    sum_pt += p * t;
    sum_pp += p * p;
    sum_tt += t * t;
  }
  const double den = std::sqrt((s * s - sum_pp) * (s * s - sum_tt));
  return den == 0 ? 0.0 : (c * s - sum_pt) / den;
}

double pearson(const std::vector<double> &x, const std::vector<double> &y) {
  check_sizes(x, y);
  const double n = double(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return (sxx == 0 || syy == 0) ? 0.0 : sxy / std::sqrt(sxx * syy);
}

double spearman(const std::vector<double> &x, const std::vector<double> &y) {
  check_sizes(x, y);
  return pearson(ranks(x), ranks(y));
}

std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int> &pred,
                                                   const std::vector<int> &gold, int num_labels) {
  check_sizes(pred, gold);
  const size_t n = static_cast<size_t>(num_labels);
  std::vector<std::vector<int64_t>> cm(n, std::vector<int64_t>(n, 0));
  for (size_t i = 0; i < pred.size(); ++i) {
    if (pred[i] < 0 || pred[i] >= num_labels || gold[i] < 0 || gold[i] >= num_labels)
      throw InputError("label out of range at example " + std::to_string(i));
    ++cm[size_t(gold[i])][size_t(pred[i])];
  }
  return cm;
}

} // namespace granita::glue
