// SPDX-License-Identifier: Apache-2.0
#include "src/energy/event_registry.h"

#include "src/util/error.h"

#include <algorithm>

namespace granita::energy {

void EventRegistry::add(Event id, std::string component, std::string event, std::string unit,
                        std::string description, bool optional) {
  // Entries must come in Event order so that an Event is its own index into m_events.
  GRANITA_ASSERT(event_index(id) == m_events.size(),
                 "event " << component << "." << event << " registered out of order");
  for (const EventInfo &e : m_events)
    GRANITA_ASSERT(e.component != component || e.event != event,
                   "event " << component << "." << event << " registered twice");
  m_events.push_back({id, std::move(component), std::move(event), std::move(unit),
                      std::move(description), optional});
}

std::optional<Event> EventRegistry::find(const std::string &component,
                                         const std::string &event) const {
  for (const EventInfo &e : m_events)
    if (e.component == component && e.event == event)
      return e.id;
  return std::nullopt;
}

std::optional<Event> EventRegistry::find(const std::string &dotted_name) const {
  const size_t dot = dotted_name.find('.');
  if (dot == std::string::npos)
    return std::nullopt;
  return find(dotted_name.substr(0, dot), dotted_name.substr(dot + 1));
}

std::vector<std::string> EventRegistry::components() const {
  std::vector<std::string> out;
  for (const EventInfo &e : m_events)
    if (std::find(out.begin(), out.end(), e.component) == out.end())
      out.push_back(e.component);
  return out;
}

std::vector<std::string> EventRegistry::events_of(const std::string &component) const {
  std::vector<std::string> out;
  for (const EventInfo &e : m_events)
    if (e.component == component)
      out.push_back(e.event);
  return out;
}

EventRegistry build_event_registry() {
  EventRegistry r;
  r.add(Event::CrossbarRowRead, "crossbar", "row_read", "row",
        "one crossbar word line activated (per input spike in rate coding, per set bit-plane bit "
        "in bit-serial coding), reading `cols` 1-bit synapses");
  r.add(
      Event::AccumulateSynop, "accumulate", "synop", "synop",
      "one 1-bit-weight synaptic accumulate (add or subtract of a +-1 weight into a partial sum)");
  r.add(Event::AccumulateAdd, "accumulate", "add", "add",
        "one multi-bit integer add (partial-sum reduction, residual add, dynamic spiking-matmul "
        "add, int8-weight accumulate)");
  r.add(Event::AccumulateShift, "accumulate", "shift", "shift",
        "one shift of a partial sum (bit-serial plane weighting)");
  r.add(Event::NeuronUpdate, "neuron", "update", "update",
        "one integrate/threshold/fire of one neuron for one token");
  r.add(Event::NeuronSpike, "neuron", "spike", "spike",
        "one spike emitted (one unit of a spike count)");
  r.add(Event::NeuronMultiply, "neuron", "multiply", "multiply",
        "one fixed-point multiply with its rounding (round bit and sticky OR) in a neuron or "
        "accumulate lane: the official numerics profile's learnt-step rescaling",
        true);
  r.add(Event::PtsoftmaxShift, "ptsoftmax", "shift", "op", "one shift in the PTsoftmax unit");
  r.add(Event::PtsoftmaxAdd, "ptsoftmax", "add", "op", "one add or subtract in the PTsoftmax unit");
  r.add(Event::PtsoftmaxCompare, "ptsoftmax", "compare", "op",
        "one compare (max-find, clamp, rounding) in the PTsoftmax unit");
  r.add(Event::BspnShift, "bspn", "shift", "op", "one shift in the BSPN unit");
  r.add(Event::BspnAdd, "bspn", "add", "op", "one add or subtract in the BSPN unit");
  r.add(Event::BspnCompare, "bspn", "compare", "op",
        "one compare (bit width, power-of-two snap, clamp) in the BSPN unit");
  r.add(Event::SramReadBit, "sram", "read_bit", "bit", "one bit read from a core's scratch SRAM");
  r.add(Event::SramWriteBit, "sram", "write_bit", "bit",
        "one bit written to a core's scratch SRAM");
  r.add(Event::RouterBufferWriteBit, "router", "buffer_write_bit", "bit",
        "one bit written into a router input buffer");
  r.add(Event::RouterBufferReadBit, "router", "buffer_read_bit", "bit",
        "one bit read out of a router input buffer");
  r.add(Event::RouterSwitchBit, "router", "switch_bit", "bit",
        "one bit through a router's crossbar switch");
  r.add(Event::RouterRoute, "router", "route", "decision",
        "one routing decision (per packet head flit per router)");
  r.add(Event::LinkBit, "link", "bit", "bit", "one bit over one inter-router link");
  r.add(Event::SyncReduce, "sync", "reduce", "partial",
        "one partial minimum sent into the sentence-wide reduction network and combined (the "
        "official profile's tensor-wide minima)",
        true);
  r.add(Event::CoreLeakCycle, "core", "leak_cycle", "core-cycle",
        "static (leakage) energy of one powered core for one clock cycle");
  GRANITA_ASSERT(r.size() == kNumEvents,
                 "registry has " << r.size() << " events, the Event enum " << kNumEvents);
  return r;
}

} // namespace granita::energy
