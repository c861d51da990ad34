// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/config/hw_config.h"
#include "src/model/sorbet_model.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

/// The mapping of a Sorbet model onto a chip (docs/mapping-format.md): the one file the compiler
/// writes and the simulator reads. Plain data with integer ids, no Boost, no SystemC.
namespace granita::mapping {

constexpr int kMappingVersion = 1;
/// Width of every multi-bit value (partial sums, hidden values, scores, logits) on the NoC.
constexpr int kValueBits = 32;
/// Core index of the host interface (attached to the west port of router (0, 0)).
constexpr int kHostCore = -1;

/// Hardware primitives the compiler lowers Sorbet ops to (one task = one placed unit of work).
enum class TaskKind {
  HostEmbed,   // embedding sum on the host, injects the hidden vectors
  HostOut,     // host collects the logits
  Bspn,        // BSPN unit, a chunk of whole groups
  Fire,        // neuron unit: integrate, threshold, fire
  XbarTile,    // crossbar tile: rows x cols of a binary weight matrix, partial sums out
  PsumReduce,  // accumulate unit: sums a column block's partial sums over its row blocks
  QkMatmul,    // dynamic spiking matmul of one head, K held in scratch SRAM
  PtSoftmax,   // PTsoftmax unit, one head's score rows
  PvMatmul,    // dynamic spiking matmul of one head, V held in scratch SRAM
  ResidualAdd, // accumulate unit, skip operand held in scratch SRAM
  SelectCls,   // forwards token 0 only
  IntLinear    // int8-weight classifier on the accumulate unit, weights in scratch SRAM
};
const char *task_kind_name(TaskKind k);
/// Parses a kind name; returns false if unknown.
bool parse_task_kind(const std::string &s, TaskKind &out);

/// What a flow carries: spike counts (encoded as spike planes) or multi-bit values.
enum class Payload { Spikes, Values };

/// One input of a task: the slice [lo, hi) of `op`'s output it consumes (in that op's output
/// units: features, or heads for qk_scores/ptsoftmax outputs).
struct TaskInput {
  int op = -1; // producer op index, or -1 for the host embedding / the logits
  int lo = 0, hi = 0;
  bool operator==(const TaskInput &o) const { return op == o.op && lo == o.lo && hi == o.hi; }
  bool operator!=(const TaskInput &o) const { return !(*this == o); }
};

/// One placed unit of work.
/// Contract: tasks are stored in schedule order (every producer before its consumers).
struct Task {
  int id = 0;
  std::string name;
  TaskKind kind = TaskKind::Fire;
  int op = -1;       // the model op this task implements (-1 for host_out)
  int core = 0;      // mesh core index y * mesh_x + x, or kHostCore
  int lo = 0, hi = 0; // the slice of the op's output this task produces
  // XbarTile only: the block of the weight matrix (rows = input features, cols = outputs).
  int crossbar = -1;
  int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
  int row_block = 0, col_block = 0;
  // PsumReduce: number of row blocks summed (one input slot each).
  int row_blocks = 0;
  int head = -1;            // QkMatmul/PtSoftmax/PvMatmul
  bool per_token = true;    // false after select_cls: one message per sentence
  int64_t sram_bits = 0;    // scratch SRAM the task needs at max_seq_len
  int stage = 0;            // longest-path depth from the host
  std::vector<TaskInput> inputs; // one per input slot
};

/// A stream from one task to another, one message per token (or one per sentence).
struct Flow {
  int id = 0;
  int src = 0, dst = 0; // task ids
  int slot = 0;         // input slot of dst
  int lo = 0, hi = 0;   // slice of src's op output carried (same units as TaskInput)
  int elements = 0;     // elements per message at max_seq_len
  bool seq_elements = false; // elements scale with the sentence length (score rows)
  Payload payload = Payload::Values;
  int elem_bits = kValueBits;
  std::vector<int> route; // cores visited from src core to dst core (host = kHostCore)
  int64_t bits_per_sentence = 0; // at max_seq_len, before spike-plane skipping
};

/// Load on one directed mesh link (from core `from` to its neighbour `to`).
struct LinkLoad {
  int from = 0, to = 0;
  int64_t bits_per_sentence = 0;
};

/// Per core: what is placed there.
struct CoreUse {
  int core = 0;
  int crossbars_used = 0;
  int64_t sram_bits = 0;
  int tasks = 0;
};

struct Summary {
  int cores_used = 0, cores_available = 0;
  int tiles = 0;
  double crossbar_utilization = 0;      // used synapses / synapses of the used crossbars
  int64_t max_sram_bits = 0;            // most scratch SRAM used on one core
  int64_t max_link_bits = 0;            // highest link load per sentence (max_seq_len)
  int64_t traffic_bit_hops = 0;         // placement objective: sum of bits x hops
  int64_t traffic_lower_bound = 0;      // what no placement can beat (docs/mapping-format.md)
  int64_t cycles_lower_bound = 0;       // per sentence at max_seq_len
  int64_t dense_synops = 0;             // synaptic accumulates at full activity (upper bound)
};

struct Mapping {
  int version = kMappingVersion;
  std::string model_name;
  std::string model_sha256; // of model.yaml: a mapping is for one model
  std::string hw_name;
  int mesh_x = 0, mesh_y = 0;
  int crossbar_rows = 0, crossbar_cols = 0, crossbars_per_core = 0;
  int64_t scratch_sram_bits = 0;
  int max_seq_len = 0;
  std::string encoding;
  std::vector<Task> tasks;
  std::vector<Flow> flows;
  std::vector<LinkLoad> links;
  std::vector<CoreUse> cores;
  Summary summary;
};

/// Core coordinates.
inline int core_x(int core, int mesh_x) { return core % mesh_x; }
inline int core_y(int core, int mesh_x) { return core / mesh_x; }

/// Output units of `op` (features, or heads for score/probability rows).
int op_output_units(const model::SorbetModel &m, int op);
/// Elements per output unit at sentence length n (n for score rows, else 1).
bool op_units_are_rows(const model::SorbetModel &m, int op);
/// Payload of `op`'s output.
Payload op_payload(const model::SorbetModel &m, int op);

/// The input slots a task of this kind and output slice needs (docs/mapping-format.md §tasks):
/// the compiler creates tasks with exactly these and the verifier checks them.
std::vector<TaskInput> expected_inputs(const Task &t, const model::SorbetModel &m);

/// Checks that `parts` (sorted in place) tile [lo, hi) exactly once; "" if they do, else the
/// first fault ("range [a, b) is not covered", "... is covered twice", ...).
std::string check_partition(std::vector<std::pair<int, int>> &parts, int lo, int hi);

/// Scratch SRAM a task needs at max_seq_len (docs/mapping-format.md §sram).
int64_t task_sram_bits(const Task &t, const model::SorbetModel &m);

/// Hop path of a packet from core `src` to core `dst` (either may be kHostCore) under the
/// routing algorithm of the config ("xy", "yx"; "west_first" is recorded as its minimal XY
/// choice). The returned list starts with src and ends with dst.
std::vector<int> route_path(int src, int dst, int mesh_x, const std::string &routing);

/// Writes the mapping as YAML text (deterministic).
std::string to_yaml(const Mapping &m);
/// Parses a mapping; any fault is an InputError naming file:line:col and the key path.
Mapping parse_mapping(const std::string &text, const std::string &file);
Mapping load_mapping(const std::filesystem::path &path);

/// One problem found by verify().
struct Issue {
  std::string where; // task / flow / core name
  std::string message;
};

/// Checks a mapping against the model and chip: every op mapped exactly once, tiles inside
/// their crossbar and not overlapping, capacities (crossbars, SRAM) respected, every input slot
/// covered exactly once by flows, routes valid. Returns all problems found (empty = valid).
std::vector<Issue> verify(const Mapping &m, const model::SorbetModel &model,
                          const config::HwConfig &hw);

/// verify() and throw InputError listing the first problems (for hand-written mappings).
void verify_or_throw(const Mapping &m, const model::SorbetModel &model,
                     const config::HwConfig &hw, const std::string &file);

/// SHA-256 of the model's model.yaml (the mapping's model identity).
std::string model_identity(const model::SorbetModel &model);

} // namespace granita::mapping
