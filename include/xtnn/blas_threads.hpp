// SPDX-License-Identifier: MIT
// Setting how many threads OpenBLAS uses, without a link-time dependency on OpenBLAS itself
// (the BLAS behind libblas.so may be another implementation).
//
// Why it matters: the GEMMs of small MLPs (batches of 1..256, widths of 10..100) are too
// small to split; on a 2-core machine two OpenBLAS threads make their timings bimodal and
// often slower. xtnn's examples and benchmarks therefore use 1 thread unless the user sets
// OPENBLAS_NUM_THREADS; wide layers (512 units and up) gain from 2.
#pragma once

#include <cstdlib>

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

namespace xtnn
{
/// Asks OpenBLAS to use `threads` threads. Returns false when the loaded BLAS is not
/// OpenBLAS (nothing is changed then).
inline bool set_blas_threads(int threads)
{
#if defined(__unix__) || defined(__APPLE__)
    using setter = void (*)(int);
    if (auto set = reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    {
        set(threads);
        return true;
    }
#endif
    (void)threads;
    return false;
}

/// The examples' default: 1 BLAS thread unless OPENBLAS_NUM_THREADS says otherwise.
inline void use_default_blas_threads()
{
    const char* requested = std::getenv("OPENBLAS_NUM_THREADS");
    if (!requested || !*requested)
    {
        set_blas_threads(1);
    }
}
}  // namespace xtnn
