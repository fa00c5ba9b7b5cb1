// SPDX-License-Identifier: MIT
// Helpers for tests on the real data files: where they are, and the "skipped" exit code.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>

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
}  // namespace xtnn_test
