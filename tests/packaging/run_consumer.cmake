# SPDX-License-Identifier: MIT
# Builds and runs one packaging consumer from scratch; run with cmake -P by the tests in
# CMakeLists.txt here. Inputs (-D):
#   CONSUMER      the consumer project (add_subdirectory/, fetchcontent/, find_package/)
#   WORK_DIR      scratch directory, emptied first and removed after a pass
#   XTNN_SOURCE   the xtnn checkout          EXPECT_VERSION  xtnn's version, e.g. 0.1.0
#   INSTALL_FROM  an xtnn build tree to install into WORK_DIR/prefix first (find_package)
#   WITH_ONNX     ON: that build has the onnx component; the consumer asks for it and builds
#                 and runs consumer_onnx too
#   EXPECT_KERAS  1 when xtnn was built with xtnn::keras: the consumer then builds and runs
#                 consumer_keras too
#   GENERATOR, GENERATOR_PLATFORM, GENERATOR_TOOLSET, MAKE_PROGRAM, CXX_COMPILER, CONFIG:
#                 the main build's, so the consumer is built the same way
cmake_minimum_required(VERSION 3.16)

foreach(_input CONSUMER WORK_DIR XTNN_SOURCE EXPECT_VERSION GENERATOR CXX_COMPILER)
    if(NOT DEFINED ${_input} OR "${${_input}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: -D${_input}=... is required")
    endif()
endforeach()

# Runs a command; on failure stops with its output, on success leaves it in _output.
function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result OUTPUT_VARIABLE _out
                    ERROR_VARIABLE _out)
    if(NOT _result EQUAL 0)
        string(REPLACE ";" " " _command "${ARGN}")
        message(FATAL_ERROR "${what} failed (${_result}): ${_command}\n${_out}\n"
                            "(work directory kept: ${WORK_DIR})")
    endif()
    set(_output "${_out}" PARENT_SCOPE)
endfunction()

function(regex_escape out text)
    string(REGEX REPLACE "([][.+*?^$()|\\\\])" "\\\\\\1" _escaped "${text}")
    set(${out} "${_escaped}" PARENT_SCOPE)
endfunction()

# A fresh tree every run, so re-running the test never sees a previous run's cache.
file(REMOVE_RECURSE "${WORK_DIR}")
set(_build "${WORK_DIR}/build")
set(_prefix "${WORK_DIR}/prefix")
set(_config_args "")
if(NOT "${CONFIG}" STREQUAL "")
    set(_config_args --config "${CONFIG}")
endif()

set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER}" -B "${_build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DXTNN_PACKAGING_SOURCE_DIR=${XTNN_SOURCE}"
    "-DXTNN_PACKAGING_EXPECT_KERAS=${EXPECT_KERAS}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
if(GENERATOR_PLATFORM)
    list(APPEND _configure -A "${GENERATOR_PLATFORM}")
endif()
if(GENERATOR_TOOLSET)
    list(APPEND _configure -T "${GENERATOR_TOOLSET}")
endif()
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(NOT "${CONFIG}" STREQUAL "")
    list(APPEND _configure "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()

if(INSTALL_FROM)
    run("installing xtnn" "${CMAKE_COMMAND}" --install "${INSTALL_FROM}" --prefix "${_prefix}"
        ${_config_args})
    # Every header of the source tree is installed, at the same relative path.
    file(GLOB_RECURSE _source_headers RELATIVE "${XTNN_SOURCE}/include" "${XTNN_SOURCE}/include/*")
    file(GLOB_RECURSE _installed RELATIVE "${_prefix}/include" "${_prefix}/include/*")
    list(REMOVE_ITEM _source_headers ${_installed})
    if(_source_headers)
        message(FATAL_ERROR "install is missing headers: ${_source_headers}\n${_output}")
    endif()
    file(GLOB_RECURSE _configs "${_prefix}/*/xtnnConfig.cmake" "${_prefix}/*/xtnnConfigVersion.cmake"
         "${_prefix}/*/xtnnTargets.cmake")
    list(LENGTH _configs _count)
    if(NOT _count EQUAL 3)
        message(FATAL_ERROR "install: expected xtnnConfig, xtnnConfigVersion and xtnnTargets "
                            ".cmake, got \"${_configs}\"\n${_output}")
    endif()
    string(REGEX MATCH "^[0-9]+\\.[0-9]+" _major_minor "${EXPECT_VERSION}")
    list(APPEND _configure "-DCMAKE_PREFIX_PATH=${_prefix}"
                           "-DXTNN_PACKAGING_VERSION=${_major_minor}"
                           "-DXTNN_PACKAGING_ONNX=${WITH_ONNX}")
endif()

run("configuring the consumer" ${_configure})
run("building the consumer" "${CMAKE_COMMAND}" --build "${_build}" ${_config_args})

# The installed headers, not the checkout's, are what the compiler used: the include flags
# in compile_commands.json, and (Makefile generators) the compiler's own dependency file.
if(INSTALL_FROM)
    regex_escape(_source_include "${XTNN_SOURCE}/include")
    if(NOT EXISTS "${_build}/compile_commands.json")
        message(FATAL_ERROR "no compile_commands.json for generator ${GENERATOR}")
    endif()
    file(GLOB_RECURSE _evidence "${_build}/compile_commands.json"
         "${_build}/CMakeFiles/consumer*.dir/*.d")
    foreach(_file ${_evidence})
        file(READ "${_file}" _text)
        string(FIND "${_text}" "${_prefix}/include" _at)
        if(_at EQUAL -1 OR _text MATCHES "${_source_include}([^A-Za-z0-9_.-]|$)")
            message(FATAL_ERROR "${_file} does not use the installed headers "
                                "${_prefix}/include only:\n${_text}")
        endif()
    endforeach()
endif()

# The core-only and io consumers run first; the whole-library one last, for its version line.
set(_programs consumer_core consumer_io)
if(INSTALL_FROM AND WITH_ONNX)
    list(APPEND _programs consumer_onnx)
endif()
if(EXPECT_KERAS)
    list(APPEND _programs consumer_keras)
endif()
foreach(_program ${_programs} consumer)
    set(_exe "")
    foreach(_candidate "${_build}/${_program}" "${_build}/${_program}.exe"
                       "${_build}/${CONFIG}/${_program}" "${_build}/${CONFIG}/${_program}.exe")
        if(EXISTS "${_candidate}" AND NOT IS_DIRECTORY "${_candidate}")
            set(_exe "${_candidate}")
            break()
        endif()
    endforeach()
    if(NOT _exe)
        message(FATAL_ERROR "no ${_program} executable in ${_build}")
    endif()
    run("running ${_program}" "${_exe}")
    message("${_output}")
endforeach()
regex_escape(_version "${EXPECT_VERSION}")
if(NOT _output MATCHES "(^|\n)xtnn ${_version}\n")
    message(FATAL_ERROR "the consumer printed no \"xtnn ${EXPECT_VERSION}\" line")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
