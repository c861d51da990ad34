// SPDX-License-Identifier: Apache-2.0
// safetensors reader and writer (docs/model-format.md, "tensors.safetensors").
#include "src/io/safetensors.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>

// Records the largest single allocation while `g_track` is set, to check that a huge claimed
// tensor is rejected before anything of its size is allocated.
namespace {
std::atomic<bool> g_track{false};
std::atomic<size_t> g_largest{0};
} // namespace

// noinline: keeps GCC from pairing the inlined malloc/free with new/delete (a false
// -Wmismatched-new-delete).
[[gnu::noinline]] void *operator new(size_t n) {
  if (g_track.load(std::memory_order_relaxed)) {
    size_t prev = g_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
    }
  }
  if (void *p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void *p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void *p, size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every allocation that
// the deletes above free must come from malloc, or ASan reports an alloc-dealloc mismatch.
[[gnu::noinline]] void *operator new(size_t n, const std::nothrow_t &) noexcept {
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}
[[gnu::noinline]] void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }

namespace granita::io {
namespace {

/// A file in the safetensors layout from a header text and raw data.
std::string st_file(const std::string &header, const std::string &data = "") {
  std::string out;
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out += char((n >> (8 * i)) & 0xff);
  return out + header + data;
}

/// parse() must throw an InputError whose message contains every part.
void expect_parse_error(const std::string &bytes, const std::vector<std::string> &parts) {
  try {
    SafetensorsFile::parse(bytes, "t.safetensors");
    ADD_FAILURE() << "accepted";
  } catch (const InputError &e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("t.safetensors"), std::string::npos) << msg;
    for (const auto &p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' missing from: " << msg;
  }
}

TEST(Safetensors, RoundTripAllDtypesAndMetadata) {
  std::map<std::string, Tensor> t;
  t["a.i8"] = make_tensor(DType::I8, {2, 3}, std::vector<int8_t>{-128, -1, 0, 1, 2, 127});
  t["b.u8"] = make_tensor(DType::U8, {3}, std::vector<uint8_t>{0, 128, 255});
  t["c.i32"] = make_tensor(DType::I32, {5},
                           std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -1, 0, 1,
                                                std::numeric_limits<int32_t>::max()});
  t["d.i64"] = make_tensor(DType::I64, {1, 2},
                           std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 42});
  t["e.i16"] = Tensor{DType::I16, {2}, std::string("\x01\x80\xff\x7f", 4)};
  t["f.empty"] = make_tensor(DType::I32, {0, 4}, std::vector<int32_t>{});
  const std::map<std::string, std::string> meta = {{"format", "granita-sorbet"}, {"k", "v"}};
  const std::string bytes = serialize_safetensors(t, meta);

  // Layout: 8-byte LE header length N, a JSON object, data starting 8-byte aligned.
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | uint8_t(bytes[size_t(i)]);
  ASSERT_LE(n + 8, bytes.size());
  EXPECT_EQ((n + 8) % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, size_t(n)));
  EXPECT_TRUE(header.is_object());
  EXPECT_EQ(header["c.i32"]["dtype"], "I32");
  EXPECT_EQ(header["c.i32"]["shape"], nlohmann::json::array({5}));
  // Data size: 6 + 3 + 20 + 16 + 4 + 0 bytes
  EXPECT_EQ(bytes.size() - 8 - n, 49u);

  const SafetensorsFile f = SafetensorsFile::parse(bytes, "x.safetensors");
  EXPECT_EQ(f.file(), "x.safetensors");
  EXPECT_EQ(f.metadata(), meta);
  ASSERT_EQ(f.tensors().size(), t.size());
  for (const auto &[name, want] : t) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(f.has(name));
    const Tensor &got = f.get(name);
    EXPECT_EQ(got.dtype, want.dtype);
    EXPECT_EQ(got.shape, want.shape);
    EXPECT_EQ(got.bytes, want.bytes);
  }
  EXPECT_FALSE(f.has("nope"));
  EXPECT_THROW(f.get("nope"), InputError);
  // Little-endian values.
  EXPECT_EQ(f.get("c.i32").bytes.substr(0, 4), std::string("\x00\x00\x00\x80", 4)); // INT32_MIN
  EXPECT_EQ(f.get("c.i32").bytes.substr(4, 4), std::string("\xff\xff\xff\xff", 4)); // -1
  EXPECT_EQ(tensor_as_i32(f.get("c.i32")),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -1, 0, 1,
                                  std::numeric_limits<int32_t>::max()}));
  EXPECT_EQ(tensor_as_i8(f.get("a.i8")), (std::vector<int8_t>{-128, -1, 0, 1, 2, 127}));
  EXPECT_EQ(f.get("a.i8").numel(), 6);
  EXPECT_EQ(f.get("f.empty").numel(), 0);
}

TEST(Safetensors, LoadFromDisk) {
  test::TempDir dir;
  std::map<std::string, Tensor> t;
  t["w"] = make_tensor(DType::I32, {2}, std::vector<int32_t>{7, -7});
  test::write_file(dir.path() / "m.safetensors", serialize_safetensors(t));
  const SafetensorsFile f = SafetensorsFile::load(dir.path() / "m.safetensors");
  EXPECT_EQ(tensor_as_i32(f.get("w")), (std::vector<int32_t>{7, -7}));
  EXPECT_TRUE(f.metadata().empty());
  EXPECT_THROW(SafetensorsFile::load(dir.path() / "missing.safetensors"), InputError);
}

TEST(Safetensors, HandWrittenFileParses) {
  // Two U8 tensors back to back, an I16 after them; offsets relative to the data start.
  const std::string h = R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                        R"("b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},)"
                        R"("c":{"dtype":"I16","shape":[1],"data_offsets":[4,6]}})";
  const SafetensorsFile f = SafetensorsFile::parse(st_file(h, "ABCD\x34\x12"), "t.safetensors");
  EXPECT_EQ(f.get("a").bytes, "AB");
  EXPECT_EQ(f.get("b").bytes, "CD");
  EXPECT_EQ(f.get("c").bytes, "\x34\x12");
}

TEST(Safetensors, RejectsOverlappingRanges) {
  const std::string h = R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                        R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})";
  expect_parse_error(st_file(h, "12345678"), {"overlap"});
  // The same range twice overlaps too.
  const std::string h2 = R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                         R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})";
  expect_parse_error(st_file(h2, "1234"), {"overlap"});
}

TEST(Safetensors, RejectsUnknownDtype) {
  const std::string h = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  expect_parse_error(st_file(h, "1234"), {"a.dtype", "F32"});
}

TEST(Safetensors, RejectsNonObjectHeader) {
  expect_parse_error(st_file("[1, 2, 3]"), {"header", "object"});
  expect_parse_error(st_file("\"just a string\""), {"header", "object"});
}

TEST(Safetensors, RejectsInvalidJson) {
  expect_parse_error(st_file("{\"a\": "), {"header", "JSON"});
}

TEST(Safetensors, RejectsTruncatedFiles) {
  expect_parse_error(std::string("\x10\x00\x00", 3), {"truncated"});
  // Header length 1000 in a 20-byte file.
  std::string f = st_file("{}");
  f[0] = char(0xe8);
  f[1] = char(0x03);
  expect_parse_error(f, {"header length", "1000"});
  // Header length 2^40: above the 100 MB limit.
  std::string g = st_file("{}");
  for (int i = 0; i < 8; ++i)
    g[size_t(i)] = i == 5 ? char(1) : char(0);
  expect_parse_error(g, {"header length"});
  // Data range past the end of the data section.
  const std::string h = R"({"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})";
  expect_parse_error(st_file(h, "1234"), {"a.data_offsets"});
}

TEST(Safetensors, RejectsSizeMismatchAndBadFields) {
  // 3 × I32 = 12 bytes, but the range holds 8.
  expect_parse_error(
      st_file(R"({"a":{"dtype":"I32","shape":[3],"data_offsets":[0,8]}})", "12345678"),
      {"a.data_offsets", "12"});
  // begin > end
  expect_parse_error(
      st_file(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}})", "1234"),
      {"a.data_offsets"});
  // unknown key in a tensor entry
  expect_parse_error(
      st_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}})", "1"), {"a.x"});
  // negative dimension
  expect_parse_error(
      st_file(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", "1"), {"a.shape"});
  // missing data_offsets
  expect_parse_error(st_file(R"({"a":{"dtype":"U8","shape":[1]}})", "1"), {"a.data_offsets"});
  // shape product overflows 64 bits: 2^32 × 2^32 × 2^8
  expect_parse_error(
      st_file(R"({"a":{"dtype":"I64","shape":[4294967296,4294967296,256],"data_offsets":[0,8]}})",
              "12345678"),
      {"a.shape"});
  // metadata values must be strings
  expect_parse_error(st_file(R"({"__metadata__":{"k":1}})"), {"__metadata__"});
}

TEST(Safetensors, HugeClaimedTensorIsRejectedWithoutAllocating) {
  // 1 GiB of U8 claimed by a file of a few dozen bytes.
  const std::string h =
      R"({"big":{"dtype":"U8","shape":[1073741824],"data_offsets":[0,1073741824]}})";
  const std::string bytes = st_file(h, "tiny");
  // The allocation hook is active: a 2 MiB string is seen.
  g_largest = 0;
  g_track = true;
  { std::string probe(size_t(2) << 20, 'x'); EXPECT_EQ(probe.size(), size_t(2) << 20); }
  g_track = false;
  ASSERT_GE(g_largest.load(), size_t(2) << 20);
  g_largest = 0;
  g_track = true;
  bool threw = false;
  try {
    SafetensorsFile::parse(bytes, "t.safetensors");
  } catch (const InputError &e) {
    threw = true;
    EXPECT_NE(std::string(e.what()).find("big"), std::string::npos) << e.what();
  }
  g_track = false;
  EXPECT_TRUE(threw);
  EXPECT_LT(g_largest.load(), size_t(1) << 20) << "largest allocation " << g_largest.load();

  // The same from disk: load() reads only the small file.
  test::TempDir dir;
  test::write_file(dir.path() / "big.safetensors", bytes);
  g_largest = 0;
  g_track = true;
  EXPECT_THROW(SafetensorsFile::load(dir.path() / "big.safetensors"), InputError);
  g_track = false;
  EXPECT_LT(g_largest.load(), size_t(1) << 20) << "largest allocation " << g_largest.load();

  // A claimed I64 tensor of 2^37 elements (1 TiB) with matching offsets: also rejected.
  const std::string h2 = R"({"big":{"dtype":"I64","shape":[137438953472],)"
                         R"("data_offsets":[0,1099511627776]}})";
  g_largest = 0;
  g_track = true;
  EXPECT_THROW(SafetensorsFile::parse(st_file(h2, "tiny"), "t.safetensors"), InputError);
  g_track = false;
  EXPECT_LT(g_largest.load(), size_t(1) << 20);
}

} // namespace
} // namespace granita::io
