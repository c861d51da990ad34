// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace granita::energy {

/// Every energy event of the chip, in registry order (docs/energy.md). The names these ids stand
/// for (EventInfo::name()) are a public interface: configs/energy/*.yaml price them.
enum class Event : uint8_t {
  CrossbarRowRead,
  AccumulateSynop,
  AccumulateAdd,
  AccumulateShift,
  NeuronUpdate,
  NeuronSpike,
  NeuronMultiply,
  PtsoftmaxShift,
  PtsoftmaxAdd,
  PtsoftmaxCompare,
  BspnShift,
  BspnAdd,
  BspnCompare,
  SramReadBit,
  SramWriteBit,
  RouterBufferWriteBit,
  RouterBufferReadBit,
  RouterSwitchBit,
  RouterRoute,
  LinkBit,
  SyncReduce,
  CoreLeakCycle,
};

/// Number of events; Event values are 0 .. kNumEvents - 1.
constexpr size_t kNumEvents = size_t(Event::CoreLeakCycle) + 1;

constexpr size_t event_index(Event e) { return size_t(e); }

/// One registered event: a (component, event) pair, what one count of it is, and its meaning.
struct EventInfo {
  Event id = Event::CrossbarRowRead;
  std::string component;   // e.g. "crossbar"
  std::string event;       // e.g. "row_read"
  std::string unit;        // what one count is, e.g. "row", "bit"
  std::string description; // one line
  /// Added after tables existed: a table may leave it out (it then costs nothing as long as no
  /// run counts it; pricing a counted, unpriced event is an error).
  bool optional = false;

  /// "component.event", e.g. "crossbar.row_read".
  std::string name() const { return component + "." + event; }
};

/// The one registry of energy events (STYLE.md §4: one event registry -> one pJ table).
/// Contract: holds exactly one entry per Event, in Event order, with unique names; it is built by
/// build_event_registry() and immutable afterwards, so it may be shared between threads.
class EventRegistry {
public:
  const std::vector<EventInfo> &events() const { return m_events; }
  const EventInfo &info(Event e) const { return m_events[event_index(e)]; }
  size_t size() const { return m_events.size(); }

  /// The event called component.event, if registered.
  std::optional<Event> find(const std::string &component, const std::string &event) const;
  /// The event with dotted name "component.event", if registered.
  std::optional<Event> find(const std::string &dotted_name) const;
  /// Component names in registry order, each once.
  std::vector<std::string> components() const;
  /// Event names (without the component) of `component`, in registry order; empty if unknown.
  std::vector<std::string> events_of(const std::string &component) const;

private:
  friend EventRegistry build_event_registry();
  void add(Event id, std::string component, std::string event, std::string unit,
           std::string description, bool optional = false);

  std::vector<EventInfo> m_events;
};

/// Builds the registry of every energy event. Called explicitly by whoever needs it (no
/// static-initialisation registration, STYLE.md §6); cheap enough to call per run.
EventRegistry build_event_registry();

/// Integer event counts indexed by Event: what hardware models bump in their hot paths (no maps,
/// no strings). Contract: counts only ever grow (add, +=); pricing them is EnergyTable's job.
class EnergyCounters {
public:
  void add(Event e, uint64_t n = 1) { m_counts[event_index(e)] += n; }
  uint64_t count(Event e) const { return m_counts[event_index(e)]; }
  EnergyCounters &operator+=(const EnergyCounters &other) {
    for (size_t i = 0; i < kNumEvents; ++i)
      m_counts[i] += other.m_counts[i];
    return *this;
  }
  bool operator==(const EnergyCounters &other) const { return m_counts == other.m_counts; }
  bool operator!=(const EnergyCounters &other) const { return !(*this == other); }
  void clear() { m_counts.fill(0); }

  /// Calls f(Event, count) for every event in registry order (zero counts included).
  template <class F> void for_each(F &&f) const {
    for (size_t i = 0; i < kNumEvents; ++i)
      f(Event(i), m_counts[i]);
  }
  const std::array<uint64_t, kNumEvents> &counts() const { return m_counts; }

private:
  std::array<uint64_t, kNumEvents> m_counts{};
};

} // namespace granita::energy
