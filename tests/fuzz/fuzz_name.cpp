// SPDX-License-Identifier: MIT
// The name of the one target a fuzz_<name> binary runs; fuzz_main.cpp looks it up.
extern "C" const char xtnn_fuzz_target_name[] = XTNN_FUZZ_TARGET_NAME;
