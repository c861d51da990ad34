// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace granita::hw {

/// One parameter of a hardware module (STYLE.md section 4: self-described params).
struct ParamInfo {
  std::string name, type, unit, default_value, doc;
};

/// A module's self-description for `granita describe <unit>`.
struct UnitDescription {
  std::string name;
  std::string models; // one line: what it models
  std::vector<ParamInfo> params;
  std::vector<std::string> ports;
  std::vector<std::string> energy_events;
};

/// The parameters of one block, from the config's parameter table (src/config/hw_params.h).
std::vector<ParamInfo> params_of(const std::string &block);

/// Every describable unit (chip, router, crossbar, accumulate, neuron, ptsoftmax, bspn, sram,
/// core, host).
std::vector<UnitDescription> describe_units();

} // namespace granita::hw
