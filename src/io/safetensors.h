// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace granita::io {

enum class DType { I8, U8, I16, I32, I64 };

size_t dtype_size(DType t);
const char *dtype_name(DType t);

/// One tensor of a safetensors file: dtype, shape and its raw little-endian bytes.
struct Tensor {
  DType dtype = DType::U8;
  std::vector<int64_t> shape;
  std::string bytes;
  int64_t numel() const;
};

/// A safetensors file read whole and checked (header length, JSON, dtypes, offsets, sizes).
/// Errors are InputError naming the file and the tensor / field.
class SafetensorsFile {
public:
  /// Largest file load() reads (4 GiB).
  static constexpr uint64_t kMaxFileBytes = uint64_t(4) << 30;
  static SafetensorsFile load(const std::filesystem::path &path);
  static SafetensorsFile parse(const std::string &bytes, const std::string &file_name);

  bool has(const std::string &name) const { return m_tensors.count(name) != 0; }
  /// The tensor `name`; throws InputError if it is absent.
  const Tensor &get(const std::string &name) const;
  const std::map<std::string, Tensor> &tensors() const { return m_tensors; }
  const std::map<std::string, std::string> &metadata() const { return m_metadata; }
  const std::string &file() const { return m_file; }

private:
  std::string m_file;
  std::map<std::string, Tensor> m_tensors;
  std::map<std::string, std::string> m_metadata;
};

/// Serialises tensors (sorted by name, data in that order) in the safetensors layout.
std::string serialize_safetensors(const std::map<std::string, Tensor> &tensors,
                                  const std::map<std::string, std::string> &metadata = {});

/// Builds a tensor from typed values (little-endian).
template <typename T> Tensor make_tensor(DType dt, std::vector<int64_t> shape, const std::vector<T> &v);

/// Copies a tensor's values out as T (the dtype must match T's size and signedness).
std::vector<int8_t> tensor_as_i8(const Tensor &t);
std::vector<int32_t> tensor_as_i32(const Tensor &t);
std::vector<int64_t> tensor_as_i64(const Tensor &t);

} // namespace granita::io
