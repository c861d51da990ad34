// SPDX-License-Identifier: Apache-2.0
#pragma once

// What travels on the network: ports, flits, and the packets and messages they carry.

#include "src/mapping/routing.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace granita::hw {

/// Router ports. Local connects the core (or, at router (0,0)'s West, the host). The numbers are
/// mapping::MeshPort's (src/mapping/routing.h), which the route function returns.
enum Port : int {
  kLocal = mapping::kPortLocal,
  kNorth = mapping::kPortNorth,
  kEast = mapping::kPortEast,
  kSouth = mapping::kPortSouth,
  kWest = mapping::kPortWest,
  kNumPorts = 5
};
const char *port_name(int p);

/// Most virtual channels a link and router support (the hardware config allows 1..16).
constexpr int kMaxVcs = 16;

/// Destination x of packets for the host (it sits west of router (0, 0)).
constexpr int kHostX = -1;

/// One flit. Payload data travels with the packet: `packet` indexes the chip's PacketPool.
struct Flit {
  uint32_t packet = 0;
  int16_t dst_x = 0, dst_y = 0;
  uint8_t vc = 0;
  bool head = false, tail = false;
  int32_t owner = -1; // task whose traffic this is (energy attribution); -1 = none
};

/// A message: one task output slice for one token, delivered to one input slot of a task.
struct Message {
  int flow = -1;
  int token = 0;
  std::vector<int64_t> values;
};

/// Packets in flight and their messages. Only the last packet of a message carries it.
/// Contract: owned by the chip; ids are reused after release; no allocation per flit.
class PacketPool {
public:
  uint32_t acquire(int flow, int token, bool carries, int dst_task) {
    uint32_t id;
    if (!m_free.empty()) {
      id = m_free.back();
      m_free.pop_back();
    } else {
      id = uint32_t(m_packets.size());
      m_packets.emplace_back();
    }
    Packet &p = m_packets[id];
    p.msg.flow = flow;
    p.msg.token = token;
    p.msg.values.clear();
    p.carries = carries;
    p.dst_task = dst_task;
    p.injected_cycle = 0;
    return id;
  }
  void release(uint32_t id) { m_free.push_back(id); }
  struct Packet {
    Message msg;
    bool carries = false; // last packet of its message: delivers msg
    int dst_task = -1;
    uint64_t injected_cycle = 0;
  };
  Packet &at(uint32_t id) { return m_packets[id]; }
  size_t in_flight() const { return m_packets.size() - m_free.size(); }

private:
  std::deque<Packet> m_packets; // stable addresses
  std::vector<uint32_t> m_free;
};

} // namespace granita::hw
