// SPDX-License-Identifier: Apache-2.0
#pragma once

// Names the run report's renderings share (JSON keys and text labels): the core units and the
// router ports, in their index order.

namespace granita::report {

inline constexpr const char *kUnitNames[4] = {"accumulate", "neuron", "ptsoftmax", "bspn"};
inline constexpr const char *kPortNames[5] = {"local", "north", "east", "south", "west"};

} // namespace granita::report
