# SPDX-License-Identifier: MIT
# Warnings for xtnn's own executables (tests, examples, benchmarks). They are never put on
# the xtnn::xtnn interface target, so they do not leak into consumers.
function(xtnn_set_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
    elseif(MSVC)
        target_compile_options(${target} PRIVATE /W4)
    endif()
endfunction()
