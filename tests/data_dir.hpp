// SPDX-License-Identifier: MIT
// Helpers for tests on the real data files: where they are, and the "skipped" exit code.
// A test_data_*.cpp defines CATCH_CONFIG_RUNNER, includes this header and ends with
//   int main(int argc, char* argv[]) { return xtnn_test::run_data_tests(argc, argv); }
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>

#include <catch2/catch.hpp>

namespace xtnn_test
{
/// ctest reports a test that exits with this code as skipped (SKIP_RETURN_CODE).
inline constexpr int skip_exit_code = 77;

/// $XTNN_DATA_DIR, or "" when it is unset.
inline std::string data_dir()
{
    const char* dir = std::getenv("XTNN_DATA_DIR");
    return dir ? std::string(dir) : std::string();
}

/// Runs the Catch2 session, or reports "skipped" (exit 77) when XTNN_DATA_DIR is unset.
inline int run_data_tests(int argc, char* argv[])
{
    if (data_dir().empty())
    {
        std::cout << "skipped: XTNN_DATA_DIR is not set\n";
        return skip_exit_code;
    }
    return Catch::Session().run(argc, argv);
}
}  // namespace xtnn_test
