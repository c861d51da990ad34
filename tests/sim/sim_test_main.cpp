// SPDX-License-Identifier: Apache-2.0
// GoogleTest entry point for SystemC tests: libsystemc references sc_main, which is unused here.
#include <gtest/gtest.h>

#include <cstdlib>

extern "C" int sc_main(int, char **) { return 2; }

int main(int argc, char **argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
