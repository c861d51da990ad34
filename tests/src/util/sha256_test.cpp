// SPDX-License-Identifier: Apache-2.0
// SHA-256 against the FIPS 180-2 example vectors.
#include "src/util/sha256.h"

#include "src/util/error.h"
#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace granita {
namespace {

const char *const kAbc56 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const char *const kAbc112 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                            "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448-bit message (FIPS 180-2 example 2): two blocks after padding.
  EXPECT_EQ(sha256_hex(kAbc56), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896-bit message (FIPS 180-4 / NIST example).
  EXPECT_EQ(sha256_hex(kAbc112),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, MillionAs) {
  // FIPS 180-2 example 3: one million repetitions of 'a'.
  const std::string a(1000000, 'a');
  const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(sha256_hex(a), want);
  // Incrementally in uneven pieces (crossing block boundaries at every offset).
  Sha256 h;
  size_t done = 0, step = 1;
  while (done < a.size()) {
    const size_t n = std::min(step, a.size() - done);
    h.update(a.data() + done, n);
    done += n;
    step = step % 131 + 7;
  }
  EXPECT_EQ(h.hex_digest(), want);
}

TEST(Sha256, IncrementalEqualsOneShotAtEverySplit) {
  const std::string m = kAbc112;
  const std::string want = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
  for (size_t split = 0; split <= m.size(); ++split) {
    Sha256 h;
    h.update(std::string_view(m).substr(0, split));
    h.update(std::string_view(m).substr(split));
    EXPECT_EQ(h.hex_digest(), want) << "split " << split;
  }
  // Byte by byte for the 448-bit vector, and digest() as raw bytes.
  Sha256 h;
  for (const char *p = kAbc56; *p; ++p)
    h.update(p, 1);
  const std::array<uint8_t, 32> d = h.digest();
  EXPECT_EQ(d[0], 0x24);
  EXPECT_EQ(d[1], 0x8d);
  EXPECT_EQ(d[31], 0xc1);
}

TEST(Sha256, FileHash) {
  test::TempDir dir;
  test::write_file(dir.path() / "abc.txt", "abc");
  test::write_file(dir.path() / "empty", "");
  EXPECT_EQ(sha256_file_hex(dir.path() / "abc.txt"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file_hex(dir.path() / "empty"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  try {
    sha256_file_hex(dir.path() / "missing.bin");
    FAIL() << "no error";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("missing.bin"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace granita
