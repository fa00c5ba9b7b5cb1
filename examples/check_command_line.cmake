# SPDX-License-Identifier: MIT
# Checks an example's command line (command_line.hpp), in one of two ways:
#   cmake -DPROGRAM=<executable> -DHELP=<file> -P check_command_line.cmake
#     --help exits 0 and prints exactly the text of <file> (written by hand from the
#     declarations and the rules of help_formatter, not copied from the output);
#   cmake -DPROGRAM=<executable> -DNAME=<example> -DMESSAGE=<regex> -P check_command_line.cmake
#         -- <arguments>
#     the arguments are a usage error: exit code 2, "error: " and a message matching <regex>
#     on stderr, then the usage ("usage: NAME ..."), and nothing on stdout.
cmake_minimum_required(VERSION 3.16)

if(NOT DEFINED PROGRAM OR "${PROGRAM}" STREQUAL "")
    message(FATAL_ERROR "check_command_line.cmake: -DPROGRAM=... is required")
endif()

if(DEFINED HELP)
    file(READ "${HELP}" _expected)
    execute_process(COMMAND "${PROGRAM}" --help RESULT_VARIABLE _result
                    OUTPUT_VARIABLE _help ERROR_VARIABLE _error)
    if(NOT _result EQUAL 0 OR NOT _error STREQUAL "")
        message(FATAL_ERROR "${PROGRAM} --help exited with ${_result}:\n${_error}")
    endif()
    if(NOT _help STREQUAL _expected)
        file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/printed.help" "${_help}")
        execute_process(COMMAND diff -u "${HELP}" "${CMAKE_CURRENT_BINARY_DIR}/printed.help"
                        OUTPUT_VARIABLE _diff)
        message(FATAL_ERROR "--help is not ${HELP}:\n${_diff}")
    endif()
    message("--help is ${HELP}, line for line")
    return()
endif()

foreach(_input NAME MESSAGE)
    if(NOT DEFINED ${_input} OR "${${_input}}" STREQUAL "")
        message(FATAL_ERROR "check_command_line.cmake: -D${_input}=... is required")
    endif()
endforeach()
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
execute_process(COMMAND "${PROGRAM}" ${_arguments} RESULT_VARIABLE _result
                OUTPUT_VARIABLE _output ERROR_VARIABLE _error)
string(REPLACE ";" " " _command "${NAME};${_arguments}")
message("${_command}: exit ${_result}\n${_error}")
if(NOT _result EQUAL 2)
    message(FATAL_ERROR "expected exit code 2 (a usage error); got ${_result}")
endif()
if(NOT _error MATCHES "^error: ${MESSAGE}\n\nusage: ${NAME} ")
    message(FATAL_ERROR "expected \"error: \" and a message matching \"${MESSAGE}\", then "
                        "the usage")
endif()
if(NOT _output STREQUAL "")
    message(FATAL_ERROR "expected nothing on stdout; got:\n${_output}")
endif()
