// SPDX-License-Identifier: Apache-2.0
// route: dimension-ordered paths (hops = Manhattan distance, +1 for each end at the host) and
// the load of each directed link (the sum of the bits of the flows crossing it).
#include "tests/compiler/compiler_test_support.h"

#include <cstdlib>
#include <map>

namespace granita::compiler {
namespace {

using mapping::kHostCore;

int manhattan(int a, int b, int mx) {
  // The host sits at router (0, 0) plus one hop.
  const int extra = (a == kHostCore) + (b == kHostCore);
  a = a == kHostCore ? 0 : a;
  b = b == kHostCore ? 0 : b;
  return std::abs(a % mx - b % mx) + std::abs(a / mx - b / mx) + extra;
}

void check_routes(const std::string &routing) {
  SCOPED_TRACE(routing);
  const auto m = test::tiny_model();
  auto hw = test::tiny_hw(3, 3, 8, 8, 2, 64);
  hw.routing = routing;
  test::Compiled c(m, hw, "route");
  EXPECT_EQ(c.ir.level, IrLevel::Routed);
  std::map<std::pair<int, int>, int64_t> load;
  int64_t bit_hops = 0;
  int multi_hop = 0;
  for (auto e : boost::make_iterator_range(boost::edges(c.ir.g))) {
    const mapping::Flow &f = c.ir.g[e].flow;
    const int s = c.ir.g[boost::source(e, c.ir.g)].task.core;
    const int d = c.ir.g[boost::target(e, c.ir.g)].task.core;
    ASSERT_FALSE(f.route.empty());
    EXPECT_EQ(f.route.front(), s);
    EXPECT_EQ(f.route.back(), d);
    const int hops = int(f.route.size()) - 1;
    EXPECT_EQ(hops, manhattan(s, d, 3)) << "flow " << s << " -> " << d;
    multi_hop += hops > 1;
    // Dimension order: once the second dimension moves, the first never moves again.
    bool second_moved = false;
    for (size_t i = 1; i < f.route.size(); ++i) {
      const int a = f.route[i - 1], b = f.route[i];
      load[{a, b}] += f.bits_per_sentence;
      if (a == kHostCore || b == kHostCore)
        continue;
      const bool x_move = a / 3 == b / 3;
      const bool first = routing == "yx" ? !x_move : x_move;
      if (!first)
        second_moved = true;
      else
        EXPECT_FALSE(second_moved) << "route turns back to the first dimension";
    }
    bit_hops += f.bits_per_sentence * hops;
  }
  EXPECT_GT(multi_hop, 0); // the check above must have looked at some turns
  ASSERT_EQ(c.ir.links.size(), load.size());
  int64_t max_link = 0;
  for (const auto &l : c.ir.links) {
    EXPECT_EQ(l.bits_per_sentence, (load[{l.from, l.to}])) << l.from << " -> " << l.to;
    max_link = std::max(max_link, l.bits_per_sentence);
  }
  EXPECT_EQ(c.ir.summary.traffic_bit_hops, bit_hops);
  EXPECT_EQ(c.ir.summary.max_link_bits, max_link);
  EXPECT_GE(c.ir.summary.traffic_bit_hops, c.ir.summary.traffic_lower_bound);
}

TEST(RoutePass, XyRoutesAndLinkLoads) { check_routes("xy"); }
TEST(RoutePass, YxRoutesAndLinkLoads) { check_routes("yx"); }

TEST(RoutePass, OneCoreChipOnlyUsesTheHostLinks) {
  // All tasks on core 0: flows between them have the one-element route [0]; the host's flows
  // take one hop each: embed -> embed.norm 4 tokens x 8 x 32 = 1024 bits in, classifier ->
  // host 1 x 2 x 32 = 64 bits out.
  const auto m = test::tiny_model();
  const auto hw = test::tiny_hw(1, 1, 8, 8, 16, 1);
  test::Compiled c(m, hw, "route");
  ASSERT_EQ(c.ir.links.size(), 2u);
  EXPECT_EQ(c.ir.links[0].from, kHostCore);
  EXPECT_EQ(c.ir.links[0].to, 0);
  EXPECT_EQ(c.ir.links[0].bits_per_sentence, 1024);
  EXPECT_EQ(c.ir.links[1].from, 0);
  EXPECT_EQ(c.ir.links[1].to, kHostCore);
  EXPECT_EQ(c.ir.links[1].bits_per_sentence, 64);
  EXPECT_EQ(c.ir.summary.traffic_bit_hops, 1024 + 64);
  EXPECT_EQ(c.ir.summary.max_link_bits, 1024);
  for (const auto &f : c.flows())
    if (c.ir.g[Vertex(f.src)].task.core == 0 && c.ir.g[Vertex(f.dst)].task.core == 0) {
      EXPECT_EQ(f.route, std::vector<int>{0});
    }
}

} // namespace
} // namespace granita::compiler
