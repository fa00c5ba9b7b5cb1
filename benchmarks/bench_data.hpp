// SPDX-License-Identifier: MIT
// Loads the real data once for the benchmarks, from $XTNN_DATA_DIR (the same folders the
// examples use). Benchmarks that need it report an error and skip when it is absent.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include <xtnn/io/data_dir.hpp>

namespace xtnn_bench
{
/// $XTNN_DATA_DIR or ./data.
inline std::string data_dir()
{
    return xtnn::io::resolve_data_dir("");
}
}  // namespace xtnn_bench
