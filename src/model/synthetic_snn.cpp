// SPDX-License-Identifier: Apache-2.0
// Synthetic spiking networks without attention (binary linear + fire layers) for published
// operating points: see make_synthetic_snn in synthetic_model.h.
#include "src/model/synthetic_model.h"

#include "src/util/error.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

namespace granita::model {

namespace {

/// Time steps of rate coding for `bits`-bit counts (the synthetic Sorbet models' rule).
int time_steps_for(int bits) { return std::max(16, (1 << bits) - 1); }

/// Uniform in [0, 1) from the generator's raw bits, so that the drawn model is the same with
/// every standard library (std::*_distribution algorithms are implementation-defined).
double unit(std::mt19937_64 &rng) { return double(rng() >> 11) * 0x1.0p-53; }

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// Counts of a fire with this shift and bias: clamp(shr(acc + bias, shift), 0, levels), the
/// reference's unsigned fire (docs/numerics.md §2).
int fire_count(int64_t acc, int shift, int64_t bias, int levels) {
  const int64_t v = (acc + bias) >> shift; // arithmetic shift: floor
  return int(std::clamp<int64_t>(v, 0, levels));
}

/// Mean count of a fire over every accumulator in `acc`.
double mean_count(const std::vector<int64_t> &acc, int shift, int64_t bias, int levels) {
  double sum = 0;
  for (int64_t a : acc)
    sum += fire_count(a, shift, bias, levels);
  return acc.empty() ? 0.0 : sum / double(acc.size());
}

/// The integer bias whose mean count over `acc` is closest to `target` (the lower one on a tie).
/// The mean is non-decreasing in the bias, so the smallest bias reaching the target is found by
/// bisection and compared with the one below it.
int32_t bias_for(const std::vector<int64_t> &acc, int shift, int levels, double target) {
  int64_t span = int64_t(levels + 1) << shift;
  for (int64_t a : acc)
    span = std::max(span, (a < 0 ? -a : a) + (int64_t(levels + 1) << shift));
  int64_t lo = -span, hi = span; // mean(lo) = 0 ≤ target ≤ levels = mean(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (mean_count(acc, shift, mid, levels) >= target ? hi : lo) = mid;
  }
  const double above = mean_count(acc, shift, hi, levels) - target;
  const double below = target - mean_count(acc, shift, hi - 1, levels);
  return int32_t(below <= above ? hi - 1 : hi);
}

Op fire_op(const std::string &name, int input, const Op &in, int shift, int32_t bias) {
  Op f;
  f.name = name;
  f.type = OpType::Fire;
  f.inputs = {input};
  f.in_exp = in.out_exp;
  f.shift = shift;
  f.out_exp = in.out_exp + shift;
  f.offset = 0; // unsigned: the clamp at 0 is the neuron's floor
  f.features = in.features;
  f.counts = true;
  f.bias.assign(size_t(f.features), bias);
  return f;
}

} // namespace

SorbetModel make_synthetic_snn(const SyntheticSnnSpec &spec) {
  const std::vector<int> &n = spec.sizes;
  if (n.size() < 2)
    throw InputError({}, "--layers",
                     "expected at least 2 sizes (inputs, then one or more hidden layers), got " +
                         std::to_string(n.size()));
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] < 1 || n[i] > kMaxFeatures)
      throw InputError({}, "--layers",
                       "size " + std::to_string(i) + " is " + std::to_string(n[i]) +
                           ", expected an integer in [1, " + std::to_string(kMaxFeatures) + "]");
  // Input counts are stored in the int8 position table, so at most 127 levels.
  if (spec.bits < 2 || spec.bits > 7)
    throw InputError({}, "bits",
                     "expected an integer in [2, 7] for a synthetic SNN, got " +
                         std::to_string(spec.bits));
  const int levels = (1 << spec.bits) - 1, steps = time_steps_for(spec.bits);
  const double max_rate = double(levels) / steps;
  if (!(spec.input_rate >= 0 && spec.input_rate <= max_rate))
    throw InputError({}, "--input-rate",
                     "expected a rate in [0, " + number(max_rate) +
                         "] spikes per neuron per time step (at most 2^bits - 1 spikes in " +
                         std::to_string(steps) + " steps), got " + number(spec.input_rate));
  if (spec.max_seq_len < 3 || spec.max_seq_len > kMaxSeqLen)
    throw InputError({}, "max_seq_len",
                     "expected an integer in [3, " + std::to_string(kMaxSeqLen) + "]");
  if (spec.vocab_size < 5)
    throw InputError({}, "vocab", "the vocabulary has fewer than 5 tokens");

  SorbetModel m;
  m.name = spec.name;
  m.task = "SST-2";
  m.labels = spec.labels;
  Arch &a = m.arch;
  a.layers = 0;
  a.hidden = n[0];
  a.heads = 1;
  a.ffn = *std::max_element(n.begin() + 1, n.end());
  a.max_seq_len = spec.max_seq_len;
  a.vocab_size = spec.vocab_size;
  a.type_vocab_size = 2;
  a.bits = spec.bits;
  a.time_steps = steps;
  std::mt19937_64 rng(spec.seed);
  auto signs = [&](int64_t count) {
    std::vector<int8_t> s(size_t(count), 1);
    for (auto &x : s)
      x = (rng() >> 63) ? 1 : -1;
    return s;
  };
  auto add = [&](Op op) {
    m.ops.push_back(std::move(op));
    return int(m.ops.size()) - 1;
  };

  // embed: R = σ·1 + pos·4 + type·4 on the 2^-2 grid; the input fire computes
  // floor((4·pos ± 1 + 2) / 4) = pos, so the word sign never changes a count.
  Op e;
  e.name = "embed";
  e.type = OpType::Embedding;
  e.inputs = {kTokensInput};
  e.word_exp = -2;
  e.pos_exp = 0;
  e.type_exp = 0;
  e.out_exp = -2;
  e.features = n[0];
  e.bits = PackedBits::from_signs(a.vocab_size, n[0], signs(int64_t(a.vocab_size) * n[0]));
  const double q = spec.input_rate * steps / levels;
  e.pos.resize(size_t(a.max_seq_len) * size_t(n[0]));
  for (auto &c : e.pos) {
    int count = 0;
    for (int k = 0; k < levels; ++k)
      count += unit(rng) < q ? 1 : 0;
    c = int8_t(count);
  }
  e.type_emb.assign(size_t(a.type_vocab_size) * size_t(n[0]), 0);
  int prev = add(std::move(e));
  prev = add(fire_op("input", prev, m.ops[size_t(prev)], 2, 2));

  // Hidden shifts and biases are chosen on the network's own counts: every position's input
  // counts are known (the pos table), so each layer's accumulators at every position are
  // computed here and the bias is the integer whose mean count over all of them is closest to
  // the target. The rate is then as requested over all max_seq_len positions, up to the bias
  // step; a shorter sentence sees a prefix of the positions.
  const Op &embed = m.ops[0];
  std::vector<int> counts(embed.pos.begin(), embed.pos.end()); // [position][feature]
  const double target = spec.input_rate * steps;
  int shift = 0;
  int32_t bias = 0;
  for (size_t i = 1; i < n.size(); ++i) {
    const Op &in = m.ops[size_t(prev)];
    Op l;
    l.name = "hidden." + std::to_string(i);
    l.type = OpType::BinaryLinear;
    l.inputs = {prev};
    l.in_features = in.features;
    l.features = n[i];
    l.in_exp = in.out_exp;
    l.in_offset = 0;
    l.weight_exp = -in.out_exp; // every accumulator on the 2^0 grid
    l.out_exp = 0;
    l.bits = PackedBits::from_signs(n[i], in.features, signs(int64_t(n[i]) * in.features));
    std::vector<int64_t> acc(size_t(a.max_seq_len) * size_t(n[i]), 0);
    double sq = 0;
    for (int p = 0; p < a.max_seq_len; ++p)
      for (int j = 0; j < n[i]; ++j) {
        int64_t sum = 0;
        for (int f = 0; f < in.features; ++f)
          sum += l.bits.sign(j, f) * counts[size_t(p) * size_t(in.features) + size_t(f)];
        acc[size_t(p) * size_t(n[i]) + size_t(j)] = sum;
        sq += double(sum) * double(sum);
      }
    // A threshold of about a quarter of the accumulator's spread: counts spread over levels.
    const double sigma = std::sqrt(sq / double(acc.size()));
    shift = std::max(0, int(std::lround(std::log2(std::max(1.0, sigma / 4)))));
    bias = bias_for(acc, shift, levels, target);
    counts.assign(acc.size(), 0);
    for (size_t k = 0; k < acc.size(); ++k)
      counts[k] = fire_count(acc[k], shift, bias, levels);
    prev = add(std::move(l));
    if (i + 1 < n.size())
      prev =
          add(fire_op(m.ops[size_t(prev)].name + ".fire", prev, m.ops[size_t(prev)], shift, bias));
  }
  Op cls;
  cls.name = "pool.cls";
  cls.type = OpType::SelectCls;
  cls.inputs = {prev};
  cls.features = m.ops[size_t(prev)].features;
  cls.out_exp = m.ops[size_t(prev)].out_exp;
  prev = add(std::move(cls));
  prev = add(fire_op("pool.act", prev, m.ops[size_t(prev)], shift, bias));

  const Op &pa = m.ops[size_t(prev)];
  Op c;
  c.name = "classifier";
  c.type = OpType::IntLinear;
  c.inputs = {prev};
  c.in_features = pa.features;
  c.features = int(spec.labels.size());
  c.in_exp = pa.out_exp;
  c.in_offset = 0;
  c.weight_exp = -6;
  c.out_exp = c.in_exp + c.weight_exp;
  c.weight_i8.resize(size_t(c.features) * size_t(c.in_features));
  for (auto &w : c.weight_i8)
    w = int8_t(int(rng() % 129) - 64);
  for (int j = 0; j < c.features; ++j)
    c.bias.push_back(int32_t(rng() % 65) - 32);
  m.output = add(std::move(c));
  return m;
}

double synthetic_snn_input_rate(const SorbetModel &m, int tokens) {
  const int e = m.find_op("embed");
  GRANITA_ASSERT(e >= 0 && tokens > 0 && tokens <= m.arch.max_seq_len,
                 "a synthetic SNN and a token count within its positions");
  const Op &op = m.ops[size_t(e)];
  double spikes = 0;
  for (size_t i = 0; i < size_t(tokens) * size_t(op.features); ++i)
    spikes += op.pos[i];
  return spikes / (double(tokens) * op.features * m.arch.time_steps);
}

} // namespace granita::model
