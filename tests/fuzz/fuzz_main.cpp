// SPDX-License-Identifier: MIT
// A libFuzzer binary for one reader: XTNN_FUZZ_TARGET names the function in fuzz_targets.hpp.
// The reader's own errors (xtnn::error) are the expected answer to bad bytes; any other
// exception escapes, and libFuzzer reports it as a crash.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try
    {
        xtnn_fuzz::XTNN_FUZZ_TARGET(data, size);
    }
    catch (const xtnn::error&)
    {
    }
    return 0;
}
