# SPDX-License-Identifier: MIT
# Runs one example program on the real data and checks its output; the examples' ctests on
# the real data (examples/CMakeLists.txt) run it as
#   cmake -DPROGRAM=<executable> -DEXPECT=<regex> -P run_example.cmake -- <program arguments>
# Skipped when XTNN_DATA_DIR is unset: exit code 77 on CMake 3.29+, else a "skipped:" line
# that the test's SKIP_REGULAR_EXPRESSION matches (cmake -P could not exit with 77 before).
cmake_minimum_required(VERSION 3.16)

foreach(_input PROGRAM EXPECT)
    if(NOT DEFINED ${_input} OR "${${_input}}" STREQUAL "")
        message(FATAL_ERROR "run_example.cmake: -D${_input}=... is required")
    endif()
endforeach()

# The program's arguments: everything after "--" on cmake's command line.
set(_arguments "")
set(_after_separator FALSE)
math(EXPR _last "${CMAKE_ARGC} - 1")
foreach(_i RANGE ${_last})
    if(_after_separator)
        list(APPEND _arguments "${CMAKE_ARGV${_i}}")
    elseif("${CMAKE_ARGV${_i}}" STREQUAL "--")
        set(_after_separator TRUE)
    endif()
endforeach()

if("$ENV{XTNN_DATA_DIR}" STREQUAL "")
    message("run_example.cmake: skipped: XTNN_DATA_DIR is unset (set it to the folder holding "
            "mnist/ to run this test)")
    if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.29)
        cmake_language(EXIT 77)
    endif()
    return()
endif()

string(REPLACE ";" " " _command "${PROGRAM};${_arguments}")
execute_process(COMMAND "${PROGRAM}" ${_arguments} RESULT_VARIABLE _result
                OUTPUT_VARIABLE _output ERROR_VARIABLE _output)
message("${_command}\n${_output}")
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "run_example.cmake: the program failed (${_result}): ${_command}")
endif()
if(NOT _output MATCHES "${EXPECT}")
    message(FATAL_ERROR "run_example.cmake: the output has no match for \"${EXPECT}\"")
endif()
