// SPDX-License-Identifier: Apache-2.0
#pragma once

// Mesh routing, in one place: the mapping's static routes (route_path, which the compiler
// records and the verifier checks) and the SystemC router's per-packet decision both take their
// next hop from next_hop().

#include <string>

namespace granita::mapping {

enum class Routing { XY, YX, WestFirst };

/// The routing of a hardware config's `router.routing` value (xy | yx | west_first); the config
/// reader has already rejected anything else, so an unknown name is a programming error.
Routing routing_of(const std::string &name);
const char *routing_name(Routing r);

/// Router ports; hw::Port uses the same numbers.
enum MeshPort : int { kPortLocal = 0, kPortNorth = 1, kPortEast = 2, kPortSouth = 3, kPortWest = 4 };

/// The next hop from router (x, y) towards (tx, ty): `port`, and under west-first routing when
/// both east and a vertical move are productive, `alt` (the vertical one; a router picks the one
/// with more free credits, a static route takes `port`). kPortLocal when (x, y) is the target.
struct Hop {
  int port = kPortLocal;
  int alt = -1;
};
Hop next_hop(Routing r, int x, int y, int tx, int ty);

} // namespace granita::mapping
