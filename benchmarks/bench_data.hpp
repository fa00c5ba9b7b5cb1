// SPDX-License-Identifier: MIT
// What the benchmark programs share: where the real data is ($XTNN_DATA_DIR, the same
// folders the examples use; benchmarks that need it report an error and skip when it is
// absent), and a main that runs them on one BLAS thread unless OPENBLAS_NUM_THREADS is set.
#pragma once

#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/data_dir.hpp>

namespace xtnn_bench
{
/// $XTNN_DATA_DIR or ./data.
inline std::string data_dir()
{
    return xtnn::data::resolve_data_dir("");
}

/// Google Benchmark's main, after choosing the BLAS threads (see blas_threads.hpp).
inline int run(int argc, char** argv)
{
    xtnn::use_default_blas_threads();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
    {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
}  // namespace xtnn_bench
