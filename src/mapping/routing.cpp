// SPDX-License-Identifier: Apache-2.0
#include "src/mapping/routing.h"

#include "src/util/error.h"

namespace granita::mapping {

Routing routing_of(const std::string &name) {
  if (name == "xy")
    return Routing::XY;
  if (name == "yx")
    return Routing::YX;
  GRANITA_ASSERT(name == "west_first", "unknown routing '" << name << "'");
  return Routing::WestFirst;
}

const char *routing_name(Routing r) {
  switch (r) {
  case Routing::XY: return "xy";
  case Routing::YX: return "yx";
  case Routing::WestFirst: return "west_first";
  }
  return "?";
}

Hop next_hop(Routing r, int x, int y, int tx, int ty) {
  const int dx = tx - x, dy = ty - y;
  if (dx == 0 && dy == 0)
    return {};
  const int px = dx > 0 ? kPortEast : kPortWest, py = dy > 0 ? kPortSouth : kPortNorth;
  switch (r) {
  case Routing::YX: return {dy != 0 ? py : px, -1};
  case Routing::WestFirst:
    if (dx < 0)
      return {kPortWest, -1}; // all westward hops first; afterwards any productive direction
    if (dx == 0)
      return {py, -1};
    if (dy == 0)
      return {kPortEast, -1};
    return {kPortEast, py};
  case Routing::XY: break;
  }
  return {dx != 0 ? px : py, -1};
}

} // namespace granita::mapping
