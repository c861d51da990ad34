// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads one op of model.yaml: its attributes (through the YAML map) and its tensors (from the
// safetensors file), checking types, shapes and ranges; used by parse_model_yaml and op_attrs.h.

#include "src/config/yaml_reader.h"
#include "src/io/safetensors.h"
#include "src/model/sorbet_model.h"
#include "src/util/error.h"

#include <set>
#include <string>
#include <vector>

namespace granita::model::detail {

/// Reads one op's attributes and tensors, checking types and ranges.
class OpReader {
public:
  OpReader(config::YamlMap &map, const io::SafetensorsFile &tensors, std::set<std::string> &used,
           Op &op)
      : m_map(map), m_tensors(tensors), m_used(used), m_op(op) {}

  int exp(const std::string &key) { return int(m_map.get_int(key, -64, 64)); }
  int count(const std::string &key, int hi) { return int(m_map.get_int(key, 1, hi)); }

  const io::Tensor &tensor(const std::string &role, io::DType dt, std::vector<int64_t> shape) {
    const std::string name = m_op.name + "." + role;
    const io::Tensor &t = m_tensors.get(name);
    m_used.insert(name);
    auto shape_str = [](const std::vector<int64_t> &s) {
      std::string out = "[";
      for (size_t i = 0; i < s.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s[i]);
      return out + "]";
    };
    if (t.dtype != dt || t.shape != shape)
      throw InputError({m_tensors.file()}, name,
                       std::string("expected ") + io::dtype_name(dt) + " " + shape_str(shape) +
                           " (from model.yaml op '" + m_op.name + "' at line " +
                           std::to_string(m_op.yaml_line) + "), got " + io::dtype_name(t.dtype) +
                           " " + shape_str(t.shape));
    return t;
  }
  PackedBits bits(const std::string &role, int64_t rows, int64_t cols) {
    const io::Tensor &t = tensor(role, io::DType::U8, {rows, (cols + 7) / 8});
    PackedBits p = PackedBits::from_bytes(rows, cols, t.bytes);
    // Padding bits must be zero: a set padding bit means the writer used another layout.
    if (cols % 8 != 0)
      for (int64_t r = 0; r < rows; ++r)
        if (uint8_t(t.bytes[size_t(r * ((cols + 7) / 8) + (cols + 7) / 8 - 1)]) >> (cols % 8))
          throw InputError({m_tensors.file()}, m_op.name + "." + role,
                           "padding bits of row " + std::to_string(r) + " are not zero");
    return p;
  }
  std::vector<int8_t> i8(const std::string &role, std::vector<int64_t> shape, int lo, int hi) {
    auto v = io::tensor_as_i8(tensor(role, io::DType::I8, std::move(shape)));
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] < lo || v[i] > hi)
        throw InputError({m_tensors.file()}, m_op.name + "." + role,
                         "element " + std::to_string(i) + " is " + std::to_string(v[i]) +
                             ", expected a value in [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "]");
    return v;
  }
  std::vector<int32_t> i32(const std::string &role, int64_t n) {
    return io::tensor_as_i32(tensor(role, io::DType::I32, {n}));
  }
  std::vector<int32_t> i32(const std::string &role, std::vector<int64_t> shape, int64_t limit) {
    auto v = io::tensor_as_i32(tensor(role, io::DType::I32, std::move(shape)));
    check_range(role, v, limit);
    return v;
  }
  std::vector<int64_t> i64(const std::string &role, int64_t n, int64_t limit) {
    auto v = io::tensor_as_i64(tensor(role, io::DType::I64, {n}));
    check_range(role, v, limit);
    return v;
  }

private:
  template <typename T>
  void check_range(const std::string &role, const std::vector<T> &v, int64_t limit) {
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] < -limit || v[i] > limit)
        throw InputError({m_tensors.file()}, m_op.name + "." + role,
                         "element " + std::to_string(i) + " is " + std::to_string(v[i]) +
                             ", outside [-" + std::to_string(limit) + ", " +
                             std::to_string(limit) + "]");
  }

public:

private:
  config::YamlMap &m_map;
  const io::SafetensorsFile &m_tensors;
  std::set<std::string> &m_used;
  Op &m_op;
};

} // namespace granita::model::detail
