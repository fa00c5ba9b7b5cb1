# SPDX-License-Identifier: MIT
# XTNN_SANITIZE: build xtnn's own tests, examples and tools with clang's or GCC's sanitizers,
# e.g. -DXTNN_SANITIZE=address,undefined (.ci/run's clang tree) or -DXTNN_SANITIZE=thread.
# Only xtnn's project gets the flags (never the xtnn::xtnn interface target, so consumers do
# not inherit them). UndefinedBehaviorSanitizer stops at its first report
# (-fno-sanitize-recover), so that a finding fails its test instead of scrolling by.
set(XTNN_SANITIZE "" CACHE STRING
    "Sanitizers for xtnn's tests, examples and tools, as -fsanitize= takes them (address,undefined or thread); empty: none")
if(XTNN_SANITIZE)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        message(FATAL_ERROR "xtnn: XTNN_SANITIZE needs GCC or clang, not ${CMAKE_CXX_COMPILER_ID}")
    endif()
    set(_xtnn_sanitize_flags "-fsanitize=${XTNN_SANITIZE}" -fno-omit-frame-pointer)
    if(XTNN_SANITIZE MATCHES "undefined")
        list(APPEND _xtnn_sanitize_flags -fno-sanitize-recover=undefined)
    endif()
    add_compile_options(${_xtnn_sanitize_flags})
    add_link_options("-fsanitize=${XTNN_SANITIZE}")
    message(STATUS "xtnn: tests, examples and tools built with -fsanitize=${XTNN_SANITIZE}")
endif()
