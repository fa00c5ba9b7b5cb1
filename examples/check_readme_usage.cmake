# SPDX-License-Identifier: MIT
# Checks that README.md's synopsis of an example is the one its --help prints, flag for flag:
#   cmake -DPROGRAM=<executable> -DNAME=<example> -DREADME=<README.md> -P check_readme_usage.cmake
# README's is the code span that starts "- `NAME [" in a list; the program's is its "usage:"
# line and the indented "[..." lines after it. Whitespace and line breaks do not count.
cmake_minimum_required(VERSION 3.16)

foreach(_input PROGRAM NAME README)
    if(NOT DEFINED ${_input} OR "${${_input}}" STREQUAL "")
        message(FATAL_ERROR "check_readme_usage.cmake: -D${_input}=... is required")
    endif()
endforeach()

function(squeeze out text)
    string(REGEX REPLACE "[ \t\r\n]+" " " _text "${text}")
    string(STRIP "${_text}" _text)
    set(${out} "${_text}" PARENT_SCOPE)
endfunction()

file(READ "${README}" _readme)
string(FIND "${_readme}" "- `${NAME} " _start)
if(_start EQUAL -1)
    message(FATAL_ERROR "README.md has no synopsis \"- `${NAME} [...]`\" in its list of examples")
endif()
math(EXPR _start "${_start} + 3")
string(SUBSTRING "${_readme}" ${_start} -1 _rest)
string(FIND "${_rest}" "`" _end)
string(SUBSTRING "${_rest}" 0 ${_end} _documented)
squeeze(_documented "${_documented}")

execute_process(COMMAND "${PROGRAM}" --help RESULT_VARIABLE _result OUTPUT_VARIABLE _help
                ERROR_VARIABLE _help)
if(NOT _result EQUAL 0)
    message(FATAL_ERROR "${NAME} --help exited with ${_result}:\n${_help}")
endif()
string(REPLACE ";" "\\;" _help "${_help}")
string(REPLACE "\n" ";" _lines "${_help}")
set(_printed "")
set(_in_usage FALSE)
foreach(_line IN LISTS _lines)
    if(_line MATCHES "^usage: (.*)$")
        set(_printed "${CMAKE_MATCH_1}")
        set(_in_usage TRUE)
    elseif(_in_usage AND _line MATCHES "^[ \t]+\\[")
        string(APPEND _printed " ${_line}")
    elseif(_in_usage)
        break()
    endif()
endforeach()
squeeze(_printed "${_printed}")
if(_printed STREQUAL "")
    message(FATAL_ERROR "${NAME} --help printed no \"usage:\" line:\n${_help}")
endif()

if(NOT _documented STREQUAL _printed)
    message(FATAL_ERROR "README.md's synopsis of ${NAME} is not its --help's:\n"
                        "  README.md: ${_documented}\n  --help:    ${_printed}")
endif()
message("${NAME}: README.md's synopsis is --help's: ${_printed}")
