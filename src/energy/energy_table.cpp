// SPDX-License-Identifier: Apache-2.0
#include "src/energy/energy_table.h"

#include "src/config/yaml_reader.h"
#include "src/util/error.h"
#include "src/util/strings.h"
#include "src/util/file_io.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace granita::energy {

namespace {

using config::YamlMap;

bool contains(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string did_you_mean(const std::string &hint) {
  return hint.empty() ? "" : " (did you mean '" + hint + "'?)";
}

/// A price in pJ: a finite number ≥ 0 (> 0 if `positive`).
double read_price(const YAML::Node &n, const YamlMap &ctx, const std::string &key_path,
                  bool positive) {
  const std::optional<double> parsed = config::finite_scalar(n);
  if (!parsed)
    throw InputError(ctx.location(n), key_path,
                     "expected an energy in pJ (a finite number), got " + config::scalar_text(n));
  const double v = *parsed;
  if (v < 0 || (positive && v == 0))
    throw InputError(ctx.location(n), key_path,
                     std::string("energy must be ") + (positive ? "positive" : "non-negative") +
                         ", got " + n.Scalar() + " pJ");
  return v;
}

/// The key of a map entry as a string; a non-scalar key is an error.
std::string key_name(const YAML::Node &k, const YamlMap &ctx) {
  if (!k.IsScalar())
    throw InputError(ctx.location(k), ctx.path(), "expected a name as key, got a non-scalar");
  return k.Scalar();
}

std::string unknown_event_message(const std::string &component, const std::string &event,
                                  const EventRegistry &reg) {
  const std::vector<std::string> own = reg.events_of(component);
  std::string hint = config::closest_match(event, own);
  if (hint.empty()) {
    // Maybe the event belongs to another component (e.g. `synop` under `neuron`).
    for (const EventInfo &e : reg.events())
      if (e.event == event && hint.empty())
        hint = e.name();
  }
  return "unknown event '" + component + "." + event + "'" + did_you_mean(hint) +
         "; registered events of '" + component + "': " + join(own, ", ");
}

/// The optional `fixed_power:` section: {mw: > 0, cores: > 0, source: non-empty, notes}.
FixedPower parse_fixed_power(YamlMap &top, const YAML::Node &node) {
  if (!node.IsMap())
    throw InputError(top.location(node), "fixed_power",
                     "expected a mapping {mw: ..., cores: ..., source: ...}, or leave it out");
  YamlMap m = top.get_map("fixed_power");
  FixedPower f;
  const YAML::Node mw = m.get_node("mw");
  const std::optional<double> parsed = config::finite_scalar(mw);
  if (!parsed || *parsed <= 0)
    throw InputError(m.location(mw), m.key_path("mw"),
                     "expected the chip's fixed power in mW (a finite number > 0), got " +
                         config::scalar_text(mw));
  f.mw = *parsed;
  f.cores = int(m.get_int("cores", 1, int64_t(1) << 30));
  f.source = m.get_string("source");
  if (f.source.empty())
    m.fail("source", "must cite where the fixed power comes from");
  f.notes = m.get_string("notes", "");
  m.finish();
  return f;
}

} // namespace

EnergyTable EnergyTable::load(const std::filesystem::path &path, const EventRegistry &registry) {
  return parse(read_file(path, config::kMaxYamlBytes), path.string(), registry);
}

EnergyTable EnergyTable::parse(const std::string &yaml_text, const std::string &file,
                               const EventRegistry &registry) {
  // One non-empty UTF-8 document without NUL bytes (the shared checked loader).
  const YAML::Node root = config::load_yaml_document(yaml_text, file);
  YamlMap top(root, file, "");
  EnergyTable t;
  t.m_file = file;
  t.m_registry = registry;

  const int64_t version = top.get_int("version", 0, int64_t(1) << 30);
  if (version == 1) {
    // Tables written before prices followed the chip: say what to add, naming the table.
    // A const lookup of a missing key is an invalid node: test IsDefined() before anything else.
    const YAML::Node name_node = root["name"];
    const std::string name =
        name_node.IsDefined() && name_node.IsScalar() ? name_node.Scalar() : file;
    top.fail("version", "energy table '" + name +
                            "' is version 1; version 2 tables add a 'scaling' section (the "
                            "hardware the prices are quoted for) and an 'area' section (the "
                            "node's area densities), see docs/energy.md §2.1 and §5");
  }
  if (version != kEnergyTableVersion)
    top.fail("version", "unsupported energy table version " + std::to_string(version) +
                            " (this Granita reads " + std::to_string(kEnergyTableVersion) + ")");
  t.m_name = top.get_string("name");
  if (t.m_name.empty())
    top.fail("name", "must not be empty");
  t.m_technology = top.get_string("technology");
  t.m_source = top.get_string("source");
  if (t.m_source.empty())
    top.fail("source", "must cite where the numbers come from");
  t.m_notes = top.get_string("notes", "");

  const YAML::Node conv_node = root["convention"];
  if (conv_node.IsDefined()) {
    if (conv_node.IsNull())
      top.fail("convention", "expected a mapping {ac_pj: ..., mac_pj: ...}, or leave it out");
    YamlMap conv = top.get_map("convention");
    Convention c;
    c.ac_pj = read_price(conv.get_node("ac_pj"), conv, conv.key_path("ac_pj"), true);
    c.mac_pj = read_price(conv.get_node("mac_pj"), conv, conv.key_path("mac_pj"), true);
    conv.finish();
    t.m_convention = c;
  }

  if (const YAML::Node fixed = root["fixed_power"]; fixed.IsDefined())
    t.m_fixed = parse_fixed_power(top, fixed);

  const YAML::Node events_node = top.get_node("events");
  const YamlMap events(events_node, file, "events");
  const std::vector<std::string> components = registry.components();
  std::array<bool, kNumEvents> priced{};
  std::set<std::string> seen_components;
  for (auto it = events_node.begin(); it != events_node.end(); ++it) {
    // Copies: it->first / it->second are temporaries of the iterator's proxy value.
    const YAML::Node k = it->first;
    const YAML::Node v = it->second;
    const std::string component = key_name(k, events);
    const std::string path = events.key_path(component);
    if (!seen_components.insert(component).second)
      throw InputError(events.location(k), path, "duplicate component");
    if (!contains(components, component)) {
      std::string hint = config::closest_match(component, components);
      if (hint.empty() && registry.find(component))
        throw InputError(events.location(k), path,
                         "write event prices nested under their component, e.g. '" +
                             component.substr(0, component.find('.')) + ": {" +
                             component.substr(component.find('.') + 1) + ": ...}'");
      throw InputError(events.location(k), path,
                       "unknown component '" + component + "'" + did_you_mean(hint) +
                           "; registered components: " + join(components, ", "));
    }
    const YamlMap comp(v, file, path);
    std::set<std::string> seen_events;
    for (auto jt = v.begin(); jt != v.end(); ++jt) {
      const YAML::Node ek = jt->first;
      const YAML::Node ev = jt->second;
      const std::string event = key_name(ek, comp);
      const std::string event_path = comp.key_path(event);
      if (!seen_events.insert(event).second)
        throw InputError(comp.location(ek), event_path, "duplicate event");
      const std::optional<Event> id = registry.find(component, event);
      if (!id)
        throw InputError(comp.location(ek), event_path,
                         unknown_event_message(component, event, registry));
      t.m_pj[event_index(*id)] = read_price(ev, comp, event_path, false);
      priced[event_index(*id)] = true;
    }
  }
  for (const EventInfo &e : registry.events()) {
    t.m_priced[event_index(e.id)] = priced[event_index(e.id)];
    if (priced[event_index(e.id)] || e.optional)
      continue;
    if (!seen_components.count(e.component))
      throw InputError(events.location(), events.key_path(e.component),
                       "missing component '" + e.component +
                           "': every registered event needs a price in pJ (" + e.component + ": " +
                           join(registry.events_of(e.component), ", ") +
                           "); write 0 to leave an event out");
    throw InputError(events.location(events_node[e.component]),
                     events.key_path(e.component) + "." + e.event,
                     "missing price for registered event '" + e.name() +
                         "' (every registered event needs a pJ value; write 0 to leave it out)");
  }
  // The scaling and area sections are read after the events so that a table's event errors are
  // reported first, and their absence after finish() so that a misspelt section name is named
  // as such (with a did-you-mean) rather than as a missing one.
  const bool has_scaling = top.has("scaling"), has_area = top.has("area");
  if (has_scaling) {
    YamlMap scaling = top.get_map("scaling");
    t.m_scaling = parse_price_scaling(scaling);
  }
  if (has_area) {
    YamlMap area = top.get_map("area");
    t.m_area = parse_area_densities(area);
  }
  top.finish();
  if (!has_scaling)
    throw InputError(top.location(), "scaling",
                     "energy table '" + t.m_name +
                         "' has no 'scaling' section: every table states the hardware its prices "
                         "are quoted for (crossbar_cols, sram_bank_kib, leakage: {per, "
                         "clock_mhz}), see docs/energy.md §2.1");
  if (!has_area)
    throw InputError(top.location(), "area",
                     "energy table '" + t.m_name +
                         "' has no 'area' section: every table gives the area densities of its "
                         "node (crossbar_um2_per_bit, sram_um2_per_bit, ...), see docs/energy.md "
                         "§5");
  return t;
}

EnergyTable EnergyTable::for_chip(const ChipShape &s) const {
  GRANITA_ASSERT(!m_chip, "energy table '" << m_name << "' scaled twice");
  EnergyTable t = *this;
  const std::array<double, kNumEvents> f =
      price_factors(m_scaling, s, energy::core_area(m_area, s).total_mm2());
  for (size_t i = 0; i < kNumEvents; ++i)
    t.m_pj[i] *= f[i];
  t.m_chip = s;
  return t;
}

double EnergyTable::fixed_power_mw() const {
  if (!m_fixed)
    return 0;
  // Linear in the mesh's cores (all of them, powered or not, as for area): the quoted figure is
  // the whole reference chip's, and its parts (leakage, each core's per-tick work) are per core.
  return m_chip ? m_fixed->mw * double(m_chip->cores()) / double(m_fixed->cores) : m_fixed->mw;
}

void EnergyTable::require_priced(Event e, uint64_t count) const {
  if (count == 0 || m_priced[event_index(e)])
    return;
  const EventInfo &info = m_registry.info(e);
  throw InputError({m_file}, "events." + info.component + "." + info.event,
                   "energy table '" + m_name + "' has no price for '" + info.name() +
                       "', which this run counts (" + info.description +
                       "); add it to the table");
}

double EnergyTable::energy_pj(const EnergyCounters &counters) const {
  double sum = 0;
  counters.for_each([&](Event e, uint64_t n) {
    require_priced(e, n);
    sum += double(n) * pj(e);
  });
  return sum;
}

std::vector<EventEnergy> EnergyTable::breakdown(const EnergyCounters &counters) const {
  std::vector<EventEnergy> out;
  out.reserve(kNumEvents);
  counters.for_each([&](Event e, uint64_t n) {
    require_priced(e, n);
    const EventInfo &info = m_registry.info(e);
    out.push_back({e, info.name(), info.unit, n, pj(e), double(n) * pj(e)});
  });
  return out;
}

std::filesystem::path resolve_energy_table(const std::string &name_or_path,
                                           const std::filesystem::path &configs_dir) {
  return config::resolve_named_yaml(name_or_path, configs_dir / "energy", "energy table", "table",
                                    "available");
}

std::filesystem::path default_configs_dir() {
  if (const char *env = std::getenv("GRANITA_CONFIGS"); env && *env)
    return env;
  return std::filesystem::path(GRANITA_DEFAULT_CONFIGS).lexically_normal();
}

} // namespace granita::energy
