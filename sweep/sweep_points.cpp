// SPDX-License-Identifier: Apache-2.0
// A parsed sweep spec into its points: grid, zip and random selection, each point's canonical
// text and hash (the key of the result store).
#include "sweep/sweep_spec.h"

#include "src/util/error.h"
#include "src/util/sha256.h"

#include <algorithm>
#include <limits>
#include <set>

namespace granita::sweep {

namespace {

// SplitMix64 (Steele et al. 2014): a fixed, portable generator, so that a seed selects the same
// points with every standard library.
uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

SweepPoint make_point(const SweepSpec &spec, const std::vector<size_t> &choice, size_t index) {
  SweepPoint p;
  p.index = index;
  p.model = spec.models.front();
  p.task = spec.task;
  std::vector<std::string> lines = {
      "hw=" + spec.hw, spec.all_sentences ? std::string("sentences=all")
                                          : "sentences=" + std::to_string(spec.sentence_count) +
                                                "@" + std::to_string(spec.sentence_seed)};
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    const SweepAxis &axis = spec.axes[a];
    const std::string &v = axis.values[choice[a]];
    p.values.emplace_back(axis.key, v);
    if (axis.key == "model")
      p.model = v;
    else if (axis.key == "task")
      p.task = v;
    else if (axis.key == "energy_table")
      p.energy_table = v;
    else
      p.hw_params.push_back(axis.key + "=" + v);
    if (axis.key != "model" && axis.key != "task")
      lines.push_back(axis.key + "=" + v);
  }
  lines.push_back("model=" + p.model);
  lines.push_back("task=" + p.task);
  std::sort(lines.begin(), lines.end());
  for (const std::string &l : lines)
    p.canonical_text += l + "\n";
  p.hash = sha256_hex(p.canonical_text);
  return p;
}

// Mixed-radix digits of a grid index over the dimensions; the last is the fastest digit.
std::vector<size_t> grid_choice(const SweepSpec &spec, uint64_t index) {
  std::vector<size_t> choice(spec.axes.size(), 0);
  for (size_t d = spec.dims.size(); d-- > 0;) {
    const uint64_t n = spec.axes[spec.dims[d].front()].values.size();
    for (size_t a : spec.dims[d])
      choice[a] = size_t(index % n);
    index /= n;
  }
  return choice;
}

} // namespace

uint64_t sweep_grid_size(const SweepSpec &spec, uint64_t max) {
  uint64_t n = 1;
  for (const auto &dim : spec.dims) {
    n *= spec.axes[dim.front()].values.size();
    if (n > max)
      return max + 1;
  }
  return n;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec &spec) {
  std::vector<SweepPoint> out;
  if (spec.axes.empty()) {
    out.push_back(make_point(spec, {}, 0));
    return out;
  }
  if (spec.mode == SweepMode::zip) {
    for (size_t i = 0; i < spec.axes.front().values.size(); ++i)
      out.push_back(make_point(spec, std::vector<size_t>(spec.axes.size(), i), i));
    return out;
  }
  const uint64_t limit = std::numeric_limits<uint64_t>::max() / 2;
  const uint64_t total = sweep_grid_size(spec, limit);
  std::vector<uint64_t> indices;
  if (spec.mode == SweepMode::random && uint64_t(spec.samples) < total) {
    // Floyd's algorithm: `samples` distinct indices without materialising the grid.
    std::set<uint64_t> chosen;
    uint64_t state = spec.seed;
    for (uint64_t j = total - uint64_t(spec.samples); j < total; ++j) {
      const uint64_t t = splitmix64(state) % (j + 1);
      if (!chosen.insert(t).second)
        chosen.insert(j);
    }
    indices.assign(chosen.begin(), chosen.end());
  } else {
    GRANITA_ASSERT(total <= kMaxSweepPoints || spec.mode == SweepMode::random,
                   "grid size " << total << " not checked by the parser");
    for (uint64_t i = 0; i < total; ++i)
      indices.push_back(i);
  }
  for (size_t i = 0; i < indices.size(); ++i)
    out.push_back(make_point(spec, grid_choice(spec, indices[i]), i));
  return out;
}

} // namespace granita::sweep
