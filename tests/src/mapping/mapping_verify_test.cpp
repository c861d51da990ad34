// SPDX-License-Identifier: Apache-2.0
// mapping::verify on the hand-written mapping of tests/src/mapping/hand_mapping.h, and on copies
// with one fault each: every fault is reported with where it is and what is wrong.
#include "src/util/error.h"
#include "tests/src/mapping/hand_mapping.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace granita::mapping {
namespace {

using test::hand_hw;
using test::hand_mapping;
using test::hand_model;

std::string all_issues(const std::vector<Issue> &issues) {
  std::string s;
  for (const Issue &i : issues)
    s += "  " + i.where + ": " + i.message + "\n";
  return s;
}

/// True if verify() reported exactly this (where, message) pair.
::testing::AssertionResult has_issue(const std::vector<Issue> &issues, const std::string &where,
                                     const std::string &message) {
  for (const Issue &i : issues)
    if (i.where == where && i.message == message)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no issue '" << where << ": " << message << "' among:\n"
                                       << all_issues(issues);
}

std::vector<Issue> verify_hand(const Mapping &m) { return verify(m, hand_model(), hand_hw()); }

/// Removes task `id` and every flow touching it, renumbering tasks and flows.
void remove_task(Mapping &m, int id) {
  m.tasks.erase(m.tasks.begin() + id);
  for (size_t i = 0; i < m.tasks.size(); ++i)
    m.tasks[i].id = int(i);
  std::vector<Flow> kept;
  for (Flow f : m.flows) {
    if (f.src == id || f.dst == id)
      continue;
    f.src -= f.src > id;
    f.dst -= f.dst > id;
    f.id = int(kept.size());
    kept.push_back(f);
  }
  m.flows = kept;
}

TEST(MappingVerify, HandMappingIsValid) {
  const auto issues = verify_hand(hand_mapping());
  EXPECT_TRUE(issues.empty()) << all_issues(issues);
  EXPECT_NO_THROW(verify_or_throw(hand_mapping(), hand_model(), hand_hw(), "hand.yaml"));
}

TEST(MappingVerify, TwoTilesOnOneCrossbar) {
  Mapping m = hand_mapping();
  m.tasks[3].crossbar = 0; // r1c0 onto core 0 crossbar 0, which r0c0 holds
  EXPECT_TRUE(has_issue(verify_hand(m), "task 3 'lin.tile.r1c0'",
                        "overlaps tile 'lin.tile.r0c0' on core 0 crossbar 0"));
}

TEST(MappingVerify, CrossbarBeyondTheCoresCount) {
  Mapping m = hand_mapping();
  m.tasks[5].crossbar = 2; // a core has crossbars 0 and 1
  EXPECT_TRUE(has_issue(verify_hand(m), "task 5 'lin.tile.r1c1'", "crossbar 2 does not exist"));
}

TEST(MappingVerify, TileLargerThanTheCrossbarAndOverlappingWeights) {
  Mapping m = hand_mapping();
  // r0c0 grows to rows [0, 3): 3x2 on a 2x2 crossbar, sharing row 2 with r1c0; the weights
  // covered sum to 3x2 + 3 x 2x2 = 18 of the 4x4 = 16.
  m.tasks[2].row1 = 3;
  m.tasks[2].inputs = {{1, 0, 3}};
  const auto issues = verify_hand(m);
  EXPECT_TRUE(
      has_issue(issues, "task 2 'lin.tile.r0c0'", "tile of 3x2 does not fit a 2x2 crossbar"));
  EXPECT_TRUE(has_issue(issues, "op 'lin'", "tiles 'lin.tile.r0c0' and 'lin.tile.r1c0' overlap"));
  EXPECT_TRUE(has_issue(issues, "op 'lin'", "tiles cover 18 of 16 weights"));
  // Flow 1 still brings only rows [0, 2) to the grown tile.
  EXPECT_TRUE(has_issue(issues, "task 2 'lin.tile.r0c0'",
                        "input slot 0: range [2, 3) is not covered by flows"));
}

TEST(MappingVerify, TileOutsideTheWeightMatrix) {
  Mapping m = hand_mapping();
  m.tasks[4].row0 = 4; // rows [4, 2)
  m.tasks[4].inputs = {{1, 4, 2}};
  EXPECT_TRUE(has_issue(verify_hand(m), "task 4 'lin.tile.r0c1'",
                        "tile rows [4, 2) cols [2, 4) are not inside the 4x4 weight matrix"));
}

TEST(MappingVerify, UnroutableFlow) {
  Mapping m = hand_mapping();
  m.flows[9].route = {0, 3}; // core 0 = (0,0) and 3 = (1,1) are not neighbours
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 9",
                        "route is not a path of neighbouring routers from 'lin.reduce.c0' to "
                        "'act' (unroutable flow)"));
  m = hand_mapping();
  m.flows[13].route = {2, 0}; // stops short of the host
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 13",
                        "route is not a path of neighbouring routers from 'cls' to "
                        "'host.logits' (unroutable flow)"));
  m = hand_mapping();
  m.flows[0].route = {kHostCore, 1}; // the host only reaches router (0, 0)
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 0",
                        "route is not a path of neighbouring routers from 'embed' to 'in' "
                        "(unroutable flow)"));
}

TEST(MappingVerify, RouteOfTheOtherDimensionOrder) {
  Mapping m = hand_mapping();
  m.flows[9].route = {0, 2, 3}; // YX: south to 2, then east to 3
  EXPECT_TRUE(
      has_issue(verify_hand(m), "flow 9", "route differs from the xy route the routers will take"));
  // On a YX chip the same route is the right one; every other route of the mapping is a
  // straight line or (13: 2 -> 0 -> host) the same under both orders.
  config::HwConfig yx = hand_hw();
  yx.routing = "yx";
  const auto issues = verify(m, hand_model(), yx);
  EXPECT_TRUE(issues.empty()) << all_issues(issues);
}

TEST(MappingVerify, OpWithoutTaskIsUnmapped) {
  Mapping m = hand_mapping();
  remove_task(m, 9); // pool, the only task of op 4; cls becomes task 9
  const auto issues = verify_hand(m);
  EXPECT_TRUE(has_issue(issues, "op 'pool'", "is not mapped to any task"));
  EXPECT_TRUE(
      has_issue(issues, "task 9 'cls'", "input slot 0: range [0, 4) is not covered by flows"));
}

TEST(MappingVerify, PartOfAnOutputUnmapped) {
  Mapping m = hand_mapping();
  m.tasks[8].lo = 1; // act produces [1, 4) only
  m.tasks[8].inputs = {{2, 1, 4}};
  const auto issues = verify_hand(m);
  EXPECT_TRUE(has_issue(issues, "op 'act'", "output range [0, 1) is not covered"));
}

TEST(MappingVerify, MissingFlowLeavesASlotUncovered) {
  Mapping m = hand_mapping();
  m.flows.erase(m.flows.begin() + 6); // r1c0 -> reduce.c0 slot 1
  EXPECT_TRUE(has_issue(verify_hand(m), "task 6 'lin.reduce.c0'",
                        "input slot 1: range [0, 2) is not covered by flows"));
}

TEST(MappingVerify, DuplicateFlowCoversASlotTwice) {
  Mapping m = hand_mapping();
  m.flows.push_back(m.flows[5]);
  m.flows.back().id = 14;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 6 'lin.reduce.c0'",
                        "input slot 0: range [0, 2) is covered twice by flows"));
}

TEST(MappingVerify, FlowFromTheWrongProducer) {
  Mapping m = hand_mapping();
  m.flows[5].src = 4; // r0c1 is row block 0 of column block 1, not of reduce.c0's
  m.flows[5].route = {1, 0};
  const auto issues = verify_hand(m);
  EXPECT_TRUE(
      has_issue(issues, "flow 5", "range [0, 2) is not produced by 'lin.tile.r0c1' [2, 4)"));
  m = hand_mapping();
  m.flows[11].src = 7; // reduce.c1 produces lin's values, pool consumes act's counts
  m.flows[11].route = {1, 3};
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 11",
                        "source 'lin.reduce.c1' does not produce what slot 0 of 'pool' consumes"));
}

TEST(MappingVerify, FlowAgainstScheduleOrder) {
  Mapping m = hand_mapping();
  m.flows.push_back(hand_mapping().flows[9]); // reduce.c0 (6) -> act (8), reversed
  std::swap(m.flows.back().src, m.flows.back().dst);
  m.flows.back().id = 14;
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 14",
                        "goes from task 8 back to task 6 (tasks must be in schedule order)"));
}

TEST(MappingVerify, PayloadMismatch) {
  Mapping m = hand_mapping();
  m.flows[1].payload = Payload::Values; // fire output travels as spike planes
  const std::string want = "payload, element count or element width do not match the producing op";
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 1", want));
  m = hand_mapping();
  m.flows[11].elements = 3;
  EXPECT_TRUE(has_issue(verify_hand(m), "flow 11", want));
}

TEST(MappingVerify, TaskFieldFaults) {
  Mapping m = hand_mapping();
  m.tasks[10].per_token = true; // cls runs after select_cls: once per sentence
  EXPECT_TRUE(has_issue(verify_hand(m), "task 10 'cls'", "per_token must be false"));

  m = hand_mapping();
  m.tasks[8].kind = TaskKind::Bspn;
  EXPECT_TRUE(
      has_issue(verify_hand(m), "task 8 'act'", "a bspn task cannot implement fire op 'act'"));

  m = hand_mapping();
  m.tasks[1].core = kHostCore;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 1 'in'", "must run on a core, not the host"));

  m = hand_mapping();
  m.tasks[0].core = 0;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 0 'embed'", "must run on the host"));

  m = hand_mapping();
  m.tasks[6].sram_bits = 100; // 2 row blocks x 2 wide x 32 bits
  EXPECT_TRUE(has_issue(verify_hand(m), "task 6 'lin.reduce.c0'", "sram_bits 100 should be 128"));

  m = hand_mapping();
  m.tasks[8].inputs = {{2, 0, 3}};
  EXPECT_TRUE(
      has_issue(verify_hand(m), "task 8 'act'", "inputs differ from what a fire of [0, 4) needs"));

  m = hand_mapping();
  m.tasks[8].hi = 5; // act has 4 features
  EXPECT_TRUE(has_issue(verify_hand(m), "task 8 'act'", "output slice [0, 5) is outside [0, 4)"));

  m = hand_mapping();
  m.tasks[1].op = 6;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 1 'in'", "op index 6 is not in the model"));

  m = hand_mapping();
  m.tasks[11].core = 0;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 11 'host.logits'", "host_out must be on the host"));
}

TEST(MappingVerify, TaskOnACoreOutsideTheMesh) {
  // Not possible through parse_mapping (it range-checks cores), but verify() takes any Mapping.
  Mapping m = hand_mapping();
  m.tasks[8].core = 4;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 8 'act'", "core 4 does not exist on a 2x2 mesh"));
  m.tasks[8].core = -2;
  EXPECT_TRUE(has_issue(verify_hand(m), "task 8 'act'", "core -2 does not exist on a 2x2 mesh"));
}

TEST(MappingVerify, ExactlyOneHostOut) {
  Mapping m = hand_mapping();
  m.tasks.push_back(m.tasks[11]);
  m.tasks.back().id = 12;
  m.tasks.back().name = "host.logits2";
  EXPECT_TRUE(has_issue(verify_hand(m), "tasks", "expected exactly one host_out task, found 2"));
}

TEST(MappingVerify, SramOverCapacity) {
  // sram_bits is checked against the formula, but a core's load is the sum of what its tasks
  // claim: cls claiming 8192 bits puts core 2 at 8192 of 8192 (fits), reduce.c0 claiming 8129
  // puts core 0 at 8129 + 0 = 8129 (fits); both on core 0 make 8129 + 8192 = 16321, over by 8129.
  Mapping m = hand_mapping();
  m.tasks[6].sram_bits = 8129;
  m.tasks[10].sram_bits = 8192;
  auto issues = verify_hand(m);
  for (const Issue &i : issues)
    EXPECT_EQ(i.message.find("scratch SRAM"), std::string::npos) << i.message;
  m.tasks[10].core = 0;
  m.flows[12].route = {3, 2, 0}; // pool (core 3) -> cls (core 0), XY: west to 2, north to 0
  m.flows[13].route = {0, kHostCore};
  issues = verify_hand(m);
  EXPECT_TRUE(
      has_issue(issues, "core 0", "needs 16321 bits of scratch SRAM, has 8192 (over by 8129)"));
}

TEST(MappingVerify, OtherChipOrModel) {
  config::HwConfig hw = hand_hw();
  hw.mesh_x = 3;
  const auto issues = verify(hand_mapping(), hand_model(), hw);
  ASSERT_EQ(issues.size(), 1u) << all_issues(issues); // nothing else is checked
  EXPECT_EQ(issues[0].where, "chip");
  EXPECT_EQ(issues[0].message, "mapping was made for a 2x2 mesh of 2 x 2x2 crossbars and 8192 "
                               "SRAM bits, the chip differs");
  hw = hand_hw();
  hw.scratch_sram_kib = 2;
  EXPECT_EQ(verify(hand_mapping(), hand_model(), hw).size(), 1u);

  model::SorbetModel longer = hand_model();
  longer.arch.max_seq_len = 3;
  EXPECT_TRUE(has_issue(verify(hand_mapping(), longer, hand_hw()), "max_seq_len",
                        "mapping has 2, the model 3"));
}

TEST(MappingVerify, VerifyOrThrowListsTheProblems) {
  config::HwConfig hw = hand_hw();
  hw.crossbar_rows = 4;
  const std::string msg = granita::test::input_error_message(
      [&] { verify_or_throw(hand_mapping(), hand_model(), hw, "hand.yaml"); });
  EXPECT_EQ(msg, "hand.yaml: invalid mapping (1 problems): chip: mapping was made for a 2x2 mesh "
                 "of 2 x 2x2 crossbars and 8192 SRAM bits, the chip differs");
}

} // namespace
} // namespace granita::mapping

namespace granita::mapping {
namespace {

TEST(MappingVerify, EncodingMustBeTheChips) {
  // The chip codes spikes as the mapping says; a report would print the config's encoding.
  Mapping m = test::hand_mapping();
  m.encoding = m.encoding == "rate" ? "bitserial" : "rate";
  const auto issues = verify(m, test::hand_model(), test::hand_hw());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].where, "encoding");
  EXPECT_NE(issues[0].message.find("coding, the chip uses"), std::string::npos);
}

} // namespace
} // namespace granita::mapping
