# SPDX-License-Identifier: MIT
# Builds and runs one packaging consumer from scratch; run with cmake -P by the tests in
# CMakeLists.txt here. Inputs (-D):
#   CONSUMER      the consumer project (add_subdirectory/, fetchcontent/, find_package/)
#   WORK_DIR      scratch directory, emptied first and removed after a pass
#   XTNN_SOURCE   the xtnn checkout          EXPECT_VERSION  xtnn's version, e.g. 0.1.0
#   EXPECT_XTENSOR  the xtensor version the main build found: the consumer must use it too
#   INSTALL_FROM  an xtnn build tree to install into WORK_DIR/prefix first (find_package)
#   WITH_ONNX     ON: that build has the onnx component; the consumer asks for it and builds
#                 and runs consumer_onnx too
#   EXPECT_KERAS  1 when xtnn was built with xtnn::keras: the consumer then builds and runs
#                 consumer_keras too
#   GENERATOR, GENERATOR_PLATFORM, GENERATOR_TOOLSET, MAKE_PROGRAM, CXX_COMPILER, CONFIG:
#                 the main build's, so the consumer is built the same way
#   CALLER_SETTINGS  a file that sets CALLER_<variable> for those of the main build's
#                 CMAKE_PREFIX_PATH, CMAKE_TOOLCHAIN_FILE, CMAKE_CXX_FLAGS, CMAKE_CXX_STANDARD,
#                 CMAKE_EXE_LINKER_FLAGS, BLA_VENDOR, CMAKE_C_COMPILER and CMAKE_C_FLAGS it
#                 has; the consumer gets them too, so
#                 it finds the same xtensor and builds with the same compiler settings
cmake_minimum_required(VERSION 3.16)

foreach(_input CONSUMER WORK_DIR XTNN_SOURCE EXPECT_VERSION EXPECT_XTENSOR GENERATOR
               CXX_COMPILER)
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

# The consumer printed "xtensor X.Y.Z": the xtensor it was compiled with must be the main
# build's, or the caller's prefix path did not reach it (and another xtensor was tested).
macro(check_xtensor who)
    regex_escape(_xtensor "${EXPECT_XTENSOR}")
    if(NOT _output MATCHES "(^|\n)xtensor ${_xtensor}\n")
        message(FATAL_ERROR "${who} was not compiled with the main build's xtensor "
                            "${EXPECT_XTENSOR}:\n${_output}")
    endif()
endmacro()

# A fresh tree every run, so re-running the test never sees a previous run's cache.
file(REMOVE_RECURSE "${WORK_DIR}")
set(_build "${WORK_DIR}/build")
set(_prefix "${WORK_DIR}/prefix")
set(_config_args "")
if(NOT "${CONFIG}" STREQUAL "")
    set(_config_args --config "${CONFIG}")
endif()

# The main build's settings, as the consumer's initial cache; the find_package consumer's
# prefix path starts with the prefix xtnn is installed to.
set(_prefix_path "")
if(CALLER_SETTINGS)
    include("${CALLER_SETTINGS}")
    if(DEFINED CALLER_CMAKE_PREFIX_PATH)
        set(_prefix_path "${CALLER_CMAKE_PREFIX_PATH}")
    endif()
endif()
if(INSTALL_FROM)
    list(PREPEND _prefix_path "${_prefix}")
endif()
set(_init "# The main build's settings (run_consumer.cmake)\n")
string(APPEND _init "set(CMAKE_PREFIX_PATH [==[${_prefix_path}]==] CACHE STRING \"\")\n")
foreach(_variable CMAKE_TOOLCHAIN_FILE CMAKE_CXX_FLAGS CMAKE_CXX_STANDARD CMAKE_EXE_LINKER_FLAGS
                  BLA_VENDOR CMAKE_C_COMPILER CMAKE_C_FLAGS)
    if(DEFINED CALLER_${_variable})
        string(APPEND _init "set(${_variable} [==[${CALLER_${_variable}}]==] CACHE STRING \"\")\n")
    endif()
endforeach()
file(WRITE "${WORK_DIR}/init.cmake" "${_init}")

set(_configure "${CMAKE_COMMAND}" -C "${WORK_DIR}/init.cmake" -S "${CONSUMER}" -B "${_build}"
    -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DXTNN_PACKAGING_SOURCE_DIR=${XTNN_SOURCE}" "-DXTNN_PACKAGING_EXPECT_KERAS=${EXPECT_KERAS}"
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
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
    list(APPEND _configure "-DXTNN_PACKAGING_PREFIX=${_prefix}"
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

# The installed xtnn.pc gives a plain compiler line that builds the whole-library consumer too
# (GCC- and Clang-style compilers with a pkg-config; the prefixes of the main build's
# dependencies are searched for theirs, as CMake searched them).
find_program(_pkg_config NAMES pkg-config pkgconf)
if(INSTALL_FROM AND _pkg_config AND CXX_COMPILER MATCHES "(g\\+\\+|clang\\+\\+|c\\+\\+)[^/]*$")
    file(GLOB_RECURSE _pc "${_prefix}/*/xtnn.pc")
    if(NOT _pc)
        message(FATAL_ERROR "install: no xtnn.pc under ${_prefix}")
    endif()
    get_filename_component(_pc_dir "${_pc}" DIRECTORY)
    set(_pc_path "${_pc_dir}")
    foreach(_dependency_prefix ${CALLER_CMAKE_PREFIX_PATH})
        file(GLOB _dirs "${_dependency_prefix}/share/pkgconfig" "${_dependency_prefix}/lib*/pkgconfig"
             "${_dependency_prefix}/lib/*/pkgconfig")
        list(APPEND _pc_path ${_dirs})
    endforeach()
    string(REPLACE ";" ":" _pc_path "${_pc_path}")
    set(ENV{PKG_CONFIG_PATH} "${_pc_path}")
    run("pkg-config xtnn" "${_pkg_config}" --cflags --libs xtnn)
    string(STRIP "${_output}" _pc_flags)
    separate_arguments(_pc_flags UNIX_COMMAND "${_pc_flags}")
    set(_standard 17)
    if(CALLER_CMAKE_CXX_STANDARD)
        set(_standard ${CALLER_CMAKE_CXX_STANDARD})
    endif()
    separate_arguments(_cxx_flags UNIX_COMMAND "${CALLER_CMAKE_CXX_FLAGS}")
    set(_plain "${_build}/consumer_pkg_config")
    run("compiling the consumer with pkg-config's flags" "${CXX_COMPILER}" -std=c++${_standard}
        -O1 ${_cxx_flags} "${CONSUMER}/../consumer/main.cpp" -o "${_plain}" ${_pc_flags})
    run("running the consumer built with pkg-config's flags" "${_plain}")
    if(NOT _output MATCHES "(^|\n)xtnn ")
        message(FATAL_ERROR "the pkg-config consumer printed no \"xtnn\" line:\n${_output}")
    endif()
    check_xtensor("the pkg-config consumer")
    message("pkg-config: ${_pc_flags}")
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
check_xtensor("the consumer")

file(REMOVE_RECURSE "${WORK_DIR}")
