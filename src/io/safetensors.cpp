// SPDX-License-Identifier: Apache-2.0
#include "src/io/safetensors.h"

#include "src/model/package_limits.h" // generated from src/model/package_limits.json
#include "src/util/error.h"
#include "src/util/file_io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

namespace granita::io {

namespace {

// Header size and JSON depth limits live in src/model/package_limits.json.
constexpr uint64_t kMaxHeaderBytes = uint64_t(model::limits::kMaxSafetensorsHeaderBytes);
constexpr uint64_t kMaxFileBytes = SafetensorsFile::kMaxFileBytes;
constexpr int kMaxJsonDepth = int(model::limits::kMaxJsonDepth);

bool parse_dtype(const std::string &s, DType *out) {
  static const std::pair<const char *, DType> kNames[] = {
      {"I8", DType::I8}, {"U8", DType::U8}, {"I16", DType::I16}, {"I32", DType::I32}, {"I64", DType::I64}};
  for (const auto &[name, t] : kNames)
    if (s == name) {
      *out = t;
      return true;
    }
  return false;
}

} // namespace

size_t dtype_size(DType t) {
  switch (t) {
  case DType::I8:
  case DType::U8:
    return 1;
  case DType::I16:
    return 2;
  case DType::I32:
    return 4;
  case DType::I64:
    return 8;
  }
  return 1;
}

const char *dtype_name(DType t) {
  switch (t) {
  case DType::I8:
    return "I8";
  case DType::U8:
    return "U8";
  case DType::I16:
    return "I16";
  case DType::I32:
    return "I32";
  case DType::I64:
    return "I64";
  }
  return "?";
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

SafetensorsFile SafetensorsFile::load(const std::filesystem::path &path) {
  return parse(read_file(path, kMaxFileBytes), path.string());
}

SafetensorsFile SafetensorsFile::parse(const std::string &bytes, const std::string &file_name) {
  auto fail = [&](const std::string &field, const std::string &msg) -> InputError {
    return InputError({file_name}, field, msg);
  };
  if (bytes.size() < 8)
    throw fail("", "truncated safetensors file: " + std::to_string(bytes.size()) +
                       " bytes, need at least 8 for the header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | uint8_t(bytes[size_t(i)]);
  if (header_len > kMaxHeaderBytes)
    throw fail("", "header length " + std::to_string(header_len) + " exceeds the limit of " +
                       std::to_string(kMaxHeaderBytes) + " bytes");
  if (header_len > bytes.size() - 8)
    throw fail("", "header length " + std::to_string(header_len) + " is larger than the file (" +
                       std::to_string(bytes.size()) + " bytes): truncated or corrupt");
  // nlohmann::json keeps the last of two equal keys; a duplicate tensor name would silently
  // drop one definition, so the parser callback rejects duplicates in every object. It also
  // bounds the nesting depth.
  std::vector<std::set<std::string>> open_objects;
  auto reject_duplicates = [&](int depth, nlohmann::json::parse_event_t event,
                               nlohmann::json &parsed) {
    using Event = nlohmann::json::parse_event_t;
    // A header is 3 levels deep; deep nesting would only make the parser build a huge tree.
    if (depth > kMaxJsonDepth)
      throw fail("header", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end) {
      open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty()) {
      const std::string &k = parsed.get_ref<const std::string &>();
      if (!open_objects.back().insert(k).second)
        throw fail(open_objects.size() == 1 ? k : "header",
                   "duplicate key '" + k + "' in the JSON header");
    }
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + int64_t(header_len),
                                   reject_duplicates);
  } catch (const nlohmann::json::exception &e) {
    throw fail("header", std::string("invalid JSON: ") + e.what());
  }
  if (!header.is_object())
    throw fail("header", "expected a JSON object");
  const uint64_t data_size = bytes.size() - 8 - header_len;
  const size_t data_begin = 8 + size_t(header_len);

  SafetensorsFile out;
  out.m_file = file_name;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const auto &v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object())
        throw fail(name, "expected an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          throw fail(name + "." + m.key(), "expected a string");
        out.m_metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object())
      throw fail(name, "expected an object with dtype, shape, data_offsets");
    for (auto k = v.begin(); k != v.end(); ++k)
      if (k.key() != "dtype" && k.key() != "shape" && k.key() != "data_offsets")
        throw fail(name + "." + k.key(), "unknown key");
    if (!v.contains("dtype") || !v["dtype"].is_string())
      throw fail(name + ".dtype", "missing or not a string");
    Tensor t;
    if (!parse_dtype(v["dtype"].get<std::string>(), &t.dtype))
      throw fail(name + ".dtype", "unsupported dtype '" + v["dtype"].get<std::string>() +
                                      "' (expected I8, U8, I16, I32 or I64)");
    if (!v.contains("shape") || !v["shape"].is_array())
      throw fail(name + ".shape", "missing or not an array");
    uint64_t numel = 1;
    for (const auto &d : v["shape"]) {
      if (!d.is_number_unsigned())
        throw fail(name + ".shape", "dimensions must be non-negative integers");
      uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && numel > (uint64_t(1) << 40) / dim)
        throw fail(name + ".shape", "tensor too large");
      numel *= dim;
      t.shape.push_back(int64_t(dim));
    }
    const auto &offs = v.contains("data_offsets") ? v["data_offsets"] : nlohmann::json();
    if (!offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() ||
        !offs[1].is_number_unsigned())
      throw fail(name + ".data_offsets", "expected [begin, end] non-negative integers");
    uint64_t b = offs[0].get<uint64_t>(), e = offs[1].get<uint64_t>();
    if (b > e || e > data_size)
      throw fail(name + ".data_offsets",
                 "range [" + std::to_string(b) + ", " + std::to_string(e) +
                     ") lies outside the data section of " + std::to_string(data_size) +
                     " bytes: truncated or corrupt file");
    uint64_t expect = numel * dtype_size(t.dtype);
    if (e - b != expect)
      throw fail(name + ".data_offsets", "holds " + std::to_string(e - b) + " bytes, but " +
                                             dtype_name(t.dtype) + " of this shape needs " +
                                             std::to_string(expect));
    ranges.emplace_back(b, e);
    t.bytes = bytes.substr(data_begin + size_t(b), size_t(e - b));
    out.m_tensors.emplace(name, std::move(t));
  }
  // As the reference implementation: the tensors tile the data section, without overlaps, gaps
  // or trailing bytes (which would mean a corrupt header or two files pasted together).
  std::sort(ranges.begin(), ranges.end());
  uint64_t covered = 0;
  for (const auto &[b, e] : ranges) {
    if (b < covered)
      throw fail("header", "tensor data ranges overlap");
    if (b > covered)
      throw fail("header", "data bytes [" + std::to_string(covered) + ", " + std::to_string(b) +
                               ") belong to no tensor: corrupt file");
    covered = e;
  }
  if (covered != data_size)
    throw fail("header", std::to_string(data_size - covered) +
                             " bytes after the last tensor belong to no tensor: corrupt or "
                             "concatenated file");
  return out;
}

const Tensor &SafetensorsFile::get(const std::string &name) const {
  auto it = m_tensors.find(name);
  if (it == m_tensors.end())
    throw InputError({m_file}, name, "tensor missing");
  return it->second;
}

std::string serialize_safetensors(const std::map<std::string, Tensor> &tensors,
                                  const std::map<std::string, std::string> &metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  uint64_t off = 0;
  for (const auto &[name, t] : tensors) {
    header[name] = {{"dtype", dtype_name(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {off, off + t.bytes.size()}}};
    off += t.bytes.size();
  }
  std::string h = header.dump();
  // Pad the header with spaces so that the data starts 8-byte aligned (as the reference writer).
  while ((h.size() + 8) % 8 != 0)
    h += ' ';
  std::string out;
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i)
    out += char((n >> (8 * i)) & 0xff);
  out += h;
  for (const auto &[name, t] : tensors)
    out += t.bytes;
  return out;
}

template <typename T>
Tensor make_tensor(DType dt, std::vector<int64_t> shape, const std::vector<T> &v) {
  GRANITA_ASSERT(sizeof(T) == dtype_size(dt), "element size mismatch for " << dtype_name(dt));
  Tensor t;
  t.dtype = dt;
  t.shape = std::move(shape);
  GRANITA_ASSERT(t.numel() == int64_t(v.size()), "shape does not match value count");
  t.bytes.resize(v.size() * sizeof(T));
  for (size_t i = 0; i < v.size(); ++i) {
    auto u = static_cast<std::make_unsigned_t<T>>(v[i]);
    for (size_t b = 0; b < sizeof(T); ++b)
      t.bytes[i * sizeof(T) + b] = char((uint64_t(u) >> (8 * b)) & 0xff);
  }
  return t;
}

template Tensor make_tensor<int8_t>(DType, std::vector<int64_t>, const std::vector<int8_t> &);
template Tensor make_tensor<uint8_t>(DType, std::vector<int64_t>, const std::vector<uint8_t> &);
template Tensor make_tensor<int32_t>(DType, std::vector<int64_t>, const std::vector<int32_t> &);
template Tensor make_tensor<int64_t>(DType, std::vector<int64_t>, const std::vector<int64_t> &);

std::vector<int8_t> tensor_as_i8(const Tensor &t) {
  GRANITA_ASSERT(t.dtype == DType::I8 || t.dtype == DType::U8, "not an 8-bit tensor");
  std::vector<int8_t> out(t.bytes.size());
  std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

std::vector<int32_t> tensor_as_i32(const Tensor &t) {
  GRANITA_ASSERT(t.dtype == DType::I32, "not an I32 tensor");
  std::vector<int32_t> out(t.bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t u = 0;
    for (int b = 3; b >= 0; --b)
      u = (u << 8) | uint8_t(t.bytes[4 * i + size_t(b)]);
    out[i] = int32_t(u);
  }
  return out;
}

std::vector<int64_t> tensor_as_i64(const Tensor &t) {
  GRANITA_ASSERT(t.dtype == DType::I64, "not an I64 tensor");
  std::vector<int64_t> out(t.bytes.size() / 8);
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t u = 0;
    for (int b = 7; b >= 0; --b)
      u = (u << 8) | uint8_t(t.bytes[8 * i + size_t(b)]);
    out[i] = int64_t(u);
  }
  return out;
}

} // namespace granita::io
