// SPDX-License-Identifier: MIT
// The one translation unit that holds Catch2's main, shared by every unit-test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
