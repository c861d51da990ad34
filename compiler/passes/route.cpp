// SPDX-License-Identifier: Apache-2.0
// route: the path every flow's packets take under the chip's routing algorithm, and the load
// each directed link carries per sentence (at max_seq_len).
#include "compiler/passes/passes.h"

#include <algorithm>
#include <map>

namespace granita::compiler {

namespace {

class RoutePass : public IPass {
public:
  const char *name() const override { return "route"; }
  PassResult run(IrGraph &ir, PassContext &) override {
    auto &g = ir.g;
    std::map<std::pair<int, int>, int64_t> load;
    int64_t bit_hops = 0;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      mapping::Flow &f = g[e].flow;
      f.route = mapping::route_path(g[boost::source(e, g)].task.core,
                                    g[boost::target(e, g)].task.core, ir.hw->mesh_x,
                                    ir.hw->routing);
      for (size_t i = 1; i < f.route.size(); ++i)
        load[{f.route[i - 1], f.route[i]}] += f.bits_per_sentence;
      bit_hops += f.bits_per_sentence * int64_t(f.route.size() - 1);
    }
    ir.links.clear();
    ir.summary.max_link_bits = 0;
    for (const auto &kv : load) {
      ir.links.push_back({kv.first.first, kv.first.second, kv.second});
      ir.summary.max_link_bits = std::max(ir.summary.max_link_bits, kv.second);
    }
    ir.summary.traffic_bit_hops = bit_hops;
    ir.level = IrLevel::Routed;
    return PassResult::success();
  }
};

} // namespace

std::unique_ptr<IPass> create_route_pass(const Options &) { return std::make_unique<RoutePass>(); }

} // namespace granita::compiler
