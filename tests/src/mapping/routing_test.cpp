// SPDX-License-Identifier: Apache-2.0
// The one route function (src/mapping/routing.h) on hand-derived cases, and the static paths the
// mapping records from it.
#include "src/mapping/mapping.h"
#include "src/mapping/routing.h"

#include <gtest/gtest.h>

namespace granita::mapping {
namespace {

TEST(Routing, NamesRoundTrip) {
  for (Routing r : {Routing::XY, Routing::YX, Routing::WestFirst})
    EXPECT_EQ(routing_of(routing_name(r)), r);
}

TEST(Routing, NextHopPerAlgorithm) {
  // From (1, 1) to (2, 0): east and north are both productive.
  EXPECT_EQ(next_hop(Routing::XY, 1, 1, 2, 0).port, kPortEast);
  EXPECT_EQ(next_hop(Routing::YX, 1, 1, 2, 0).port, kPortNorth);
  const Hop wf = next_hop(Routing::WestFirst, 1, 1, 2, 0);
  EXPECT_EQ(wf.port, kPortEast);
  EXPECT_EQ(wf.alt, kPortNorth); // adaptive: the router picks by credits
  // Westward targets go west first under west-first, with no alternative.
  const Hop west = next_hop(Routing::WestFirst, 2, 0, 0, 2);
  EXPECT_EQ(west.port, kPortWest);
  EXPECT_EQ(west.alt, -1);
  EXPECT_EQ(next_hop(Routing::WestFirst, 1, 0, 1, 2).port, kPortSouth);
  EXPECT_EQ(next_hop(Routing::XY, 3, 3, 3, 3).port, kPortLocal);
}

TEST(Routing, StaticPathsFollowTheHops) {
  // 3 x 3 mesh, core = y * 3 + x. Core 0 (0,0) to core 8 (2,2).
  EXPECT_EQ(route_path(0, 8, 3, "xy"), (std::vector<int>{0, 1, 2, 5, 8}));
  EXPECT_EQ(route_path(0, 8, 3, "yx"), (std::vector<int>{0, 3, 6, 7, 8}));
  EXPECT_EQ(route_path(0, 8, 3, "west_first"), (std::vector<int>{0, 1, 2, 5, 8}));
  // Core 2 (2,0) to core 6 (0,2): west first, then south.
  EXPECT_EQ(route_path(2, 6, 3, "west_first"), (std::vector<int>{2, 1, 0, 3, 6}));
  // The host enters and leaves at router (0, 0).
  EXPECT_EQ(route_path(kHostCore, 4, 3, "xy"), (std::vector<int>{kHostCore, 0, 1, 4}));
  EXPECT_EQ(route_path(4, kHostCore, 3, "yx"), (std::vector<int>{4, 1, 0, kHostCore}));
}

} // namespace
} // namespace granita::mapping
