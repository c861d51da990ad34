// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/energy/area_model.h"
#include "src/energy/chip_shape.h"
#include "src/energy/event_registry.h"
#include "src/energy/price_scaling.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace granita::energy {

/// Version 2 added the `scaling:` and `area:` sections (docs/energy.md §2.1, §5). The optional
/// `fixed_power:` section (§2.2) came later without a bump: tables without it mean what they
/// meant, and a Granita that predates it refuses a table with it as an unknown key.
constexpr int kEnergyTableVersion = 2;

/// The spiking literature's analytical energy constants (the optional `convention:` section):
/// energy = #accumulates × ac_pj + #multiply-accumulates × mac_pj. Both are > 0.
struct Convention {
  double ac_pj = 0;
  double mac_pj = 0;
};

/// Chip-level power drawn whatever the activity (the optional `fixed_power:` section,
/// docs/energy.md §2.2): leakage and the always-on work of a whole chip, priced over wall time
/// rather than per event. Quoted for a chip of `cores` cores; a run's chip gets
/// mw × its mesh cores / cores. Contract: mw finite and > 0, cores > 0, source non-empty.
struct FixedPower {
  double mw = 0;
  int cores = 0;
  std::string source, notes;
};

/// One line of a per-event energy breakdown.
struct EventEnergy {
  Event event = Event::CrossbarRowRead;
  std::string name; // "component.event"
  std::string unit; // what one count is
  uint64_t count = 0;
  double pj_per_event = 0;
  double energy_pj = 0; // count × pj_per_event
};

/// A pJ price for every registered energy event, loaded from configs/energy/<name>.yaml
/// (format: docs/energy.md), with the rules by which the prices follow the chip's widths and
/// sizes (`scaling:`) and the area densities of its node (`area:`). Contract: a loaded table
/// prices every non-optional event of the registry it was checked against, with finite values
/// ≥ 0, and is immutable; energy is only ever computed here (Σ count × pJ), never inside a
/// hardware model, and pricing a counted optional event the table leaves out is an InputError
/// naming the table and the event. A loaded table holds the prices as quoted (for its reference
/// hardware); for_chip() gives the prices of one chip, and a run is always priced that way.
class EnergyTable {
public:
  /// Reads and validates a table file. Throws InputError naming `file:line:col: key.path` for
  /// syntax errors, a bad version, missing or unknown components or events (with a did-you-mean
  /// hint), duplicate keys, and negative or non-numeric prices.
  static EnergyTable load(const std::filesystem::path &path, const EventRegistry &registry);
  /// Same from YAML text; `file` names it in messages.
  static EnergyTable parse(const std::string &yaml_text, const std::string &file,
                           const EventRegistry &registry);

  const std::string &file() const { return m_file; }
  const std::string &name() const { return m_name; }
  const std::string &technology() const { return m_technology; }
  const std::string &source() const { return m_source; }
  const std::string &notes() const { return m_notes; }
  const std::optional<Convention> &convention() const { return m_convention; }
  const EventRegistry &registry() const { return m_registry; }
  const PriceScaling &scaling() const { return m_scaling; }
  const AreaDensities &area_densities() const { return m_area; }
  /// The `fixed_power:` section as quoted (for the table's reference chip), if any.
  const std::optional<FixedPower> &fixed_power() const { return m_fixed; }
  /// The fixed power of the chip this table was scaled for (for_chip), in mW; 0 without a
  /// `fixed_power:` section. A table as quoted gives the quoted figure.
  double fixed_power_mw() const;

  /// The table with every price multiplied by its scaling factor on chip `s` (price_factors:
  /// docs/energy.md §2.1). A table is scaled once: calling this on a scaled table is a bug.
  EnergyTable for_chip(const ChipShape &s) const;
  /// The chip a for_chip() table was scaled for (nullptr for a table as quoted).
  const ChipShape *chip() const { return m_chip ? &*m_chip : nullptr; }
  /// Area of one core of chip `s` at this table's node (docs/energy.md §5).
  CoreArea core_area(const ChipShape &s) const { return energy::core_area(m_area, s); }

  /// Price of one count of `e`, in pJ.
  double pj(Event e) const { return m_pj[event_index(e)]; }
  /// Σ over events of count × pJ.
  double energy_pj(const EnergyCounters &counters) const;
  /// Every registered event in registry order (zero counts included) with its count and energy.
  std::vector<EventEnergy> breakdown(const EnergyCounters &counters) const;

private:
  EnergyTable() = default;

  std::string m_file, m_name, m_technology, m_source, m_notes;
  std::optional<Convention> m_convention;
  std::optional<FixedPower> m_fixed;
  std::array<double, kNumEvents> m_pj{};
  std::array<bool, kNumEvents> m_priced{}; // optional events may be unpriced
  PriceScaling m_scaling;
  AreaDensities m_area;
  std::optional<ChipShape> m_chip; // set by for_chip()
  EventRegistry m_registry;

  void require_priced(Event e, uint64_t count) const;
};

/// Where table `name_or_path` lives: the path itself if it contains '/' or ends in ".yaml",
/// otherwise `configs_dir`/energy/<name>.yaml (configs_dir is the folder holding hw/ and energy/).
/// Throws InputError listing the available tables (with a did-you-mean) if a name has no file.
std::filesystem::path resolve_energy_table(const std::string &name_or_path,
                                           const std::filesystem::path &configs_dir);

/// The configs folder of the source tree this binary was built from, or $GRANITA_CONFIGS if set.
std::filesystem::path default_configs_dir();

} // namespace granita::energy
