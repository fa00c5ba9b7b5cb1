// SPDX-License-Identifier: MIT
// The libFuzzer entry points, compiled once for every fuzz_<name> binary: each binary links
// this object with fuzz_name.cpp, which holds only its target's name, so the readers are
// compiled once rather than once per binary. The reader's own errors (xtnn::error) are the
// expected answer to bad bytes; any other exception escapes, and libFuzzer reports it as a
// crash.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fuzz_targets.hpp"

extern "C" const char xtnn_fuzz_target_name[];  // fuzz_name.cpp

namespace
{
xtnn_fuzz::entry chosen = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    for (const auto& target : xtnn_fuzz::targets())
    {
        if (std::strcmp(target.name, xtnn_fuzz_target_name) == 0)
        {
            chosen = target.run;
            return 0;
        }
    }
    std::fprintf(stderr, "fuzz: no target named '%s' in this build\n", xtnn_fuzz_target_name);
    std::exit(2);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try
    {
        chosen(data, size);
    }
    catch (const xtnn::error&)
    {
    }
    return 0;
}
