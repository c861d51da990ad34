// SPDX-License-Identifier: Apache-2.0
// The one registry of energy events: its fixed public names, uniqueness, order, and the counters.
#include "src/energy/event_registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace granita::energy {
namespace {

TEST(EventRegistry, HoldsExactlyThePublicEventNamesInEnumOrder) {
  // These names are a public interface (configs/energy/*.yaml price them): changing this list
  // needs a note on the issue and a table format review (STYLE.md §11).
  const std::vector<std::string> expected = {"crossbar.row_read",
                                             "accumulate.synop",
                                             "accumulate.add",
                                             "accumulate.shift",
                                             "neuron.update",
                                             "neuron.spike",
                                             "neuron.multiply",
                                             "ptsoftmax.shift",
                                             "ptsoftmax.add",
                                             "ptsoftmax.compare",
                                             "bspn.shift",
                                             "bspn.add",
                                             "bspn.compare",
                                             "sram.read_bit",
                                             "sram.write_bit",
                                             "router.buffer_write_bit",
                                             "router.buffer_read_bit",
                                             "router.switch_bit",
                                             "router.route",
                                             "link.bit",
                                             "sync.reduce",
                                             "core.leak_cycle"};
  const EventRegistry r = build_event_registry();
  ASSERT_EQ(r.size(), kNumEvents);
  ASSERT_EQ(expected.size(), kNumEvents);
  for (size_t i = 0; i < kNumEvents; ++i) {
    const EventInfo &e = r.events()[i];
    EXPECT_EQ(e.name(), expected[i]);
    EXPECT_EQ(event_index(e.id), i) << e.name();
    EXPECT_EQ(&r.info(e.id), &e);
    EXPECT_FALSE(e.unit.empty()) << e.name();
    EXPECT_FALSE(e.description.empty()) << e.name();
    EXPECT_EQ(e.description.find('\n'), std::string::npos) << e.name() << ": one line";
  }
}

TEST(EventRegistry, NamesAreUniqueAndWellFormed) {
  const EventRegistry r = build_event_registry();
  std::set<std::string> names;
  for (const EventInfo &e : r.events()) {
    EXPECT_TRUE(names.insert(e.name()).second) << "duplicate " << e.name();
    for (const std::string &part : {e.component, e.event}) {
      ASSERT_FALSE(part.empty());
      for (char c : part)
        EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << e.name() << ": snake_case only";
    }
  }
}

TEST(EventRegistry, FindsByPairAndDottedName) {
  const EventRegistry r = build_event_registry();
  EXPECT_EQ(r.find("crossbar", "row_read"), Event::CrossbarRowRead);
  EXPECT_EQ(r.find("router.buffer_read_bit"), Event::RouterBufferReadBit);
  EXPECT_EQ(r.find("core.leak_cycle"), Event::CoreLeakCycle);
  EXPECT_FALSE(r.find("crossbar", "read_row"));
  EXPECT_FALSE(r.find("neuron.synop"));
  EXPECT_FALSE(r.find("neuron"));
  EXPECT_EQ(r.components(),
            (std::vector<std::string>{"crossbar", "accumulate", "neuron", "ptsoftmax", "bspn",
                                      "sram", "router", "link", "sync", "core"}));
  EXPECT_EQ(r.events_of("accumulate"), (std::vector<std::string>{"synop", "add", "shift"}));
  EXPECT_TRUE(r.events_of("nothing").empty());
}

TEST(EnergyCounters, AddMergeClearAndIterateInRegistryOrder) {
  EnergyCounters a;
  for (uint64_t c : a.counts())
    EXPECT_EQ(c, 0u);
  a.add(Event::AccumulateSynop);
  a.add(Event::AccumulateSynop, 41);
  a.add(Event::LinkBit, 64);
  EXPECT_EQ(a.count(Event::AccumulateSynop), 42u);
  EXPECT_EQ(a.count(Event::LinkBit), 64u);
  EXPECT_EQ(a.count(Event::CrossbarRowRead), 0u);

  EnergyCounters b;
  b.add(Event::AccumulateSynop, 8);
  b.add(Event::CoreLeakCycle, uint64_t(1) << 40);
  a += b;
  EXPECT_EQ(a.count(Event::AccumulateSynop), 50u);
  EXPECT_EQ(a.count(Event::CoreLeakCycle), uint64_t(1) << 40);
  EXPECT_EQ(b.count(Event::AccumulateSynop), 8u); // merge leaves the source alone

  std::vector<Event> order;
  uint64_t total = 0;
  a.for_each([&](Event e, uint64_t n) {
    order.push_back(e);
    total += n;
  });
  ASSERT_EQ(order.size(), kNumEvents);
  for (size_t i = 0; i < kNumEvents; ++i)
    EXPECT_EQ(event_index(order[i]), i);
  EXPECT_EQ(total, 50u + 64u + (uint64_t(1) << 40));

  EnergyCounters c = a;
  EXPECT_EQ(c, a);
  c.add(Event::NeuronSpike);
  EXPECT_NE(c, a);
  c.clear();
  EXPECT_EQ(c, EnergyCounters());
}

} // namespace
} // namespace granita::energy
