# SPDX-License-Identifier: MIT
# What the packaging consumers build, and the assertions they make at configure time on what
# xtnn gave them.

# Three programs, one per way of using xtnn: the core alone, the core with the file formats,
# and everything (main.cpp, which the tests run for its version line).
function(xtnn_consumer_add_programs)
    add_executable(consumer_core "${CMAKE_CURRENT_LIST_DIR}/../consumer/core.cpp")
    target_link_libraries(consumer_core PRIVATE xtnn::core)
    add_executable(consumer_io "${CMAKE_CURRENT_LIST_DIR}/../consumer/io.cpp")
    target_link_libraries(consumer_io PRIVATE xtnn::io)
    add_executable(consumer "${CMAKE_CURRENT_LIST_DIR}/../consumer/main.cpp")
    target_link_libraries(consumer PRIVATE xtnn::xtnn)
    # The optional Keras reader, when xtnn was built with it (XTNN_PACKAGING_EXPECT_KERAS).
    if(XTNN_PACKAGING_EXPECT_KERAS)
        if(NOT TARGET xtnn::keras)
            message(FATAL_ERROR "xtnn consumer: xtnn was built with xtnn::keras, but the "
                                "consumer has no target xtnn::keras")
        endif()
        add_executable(consumer_keras "${CMAKE_CURRENT_LIST_DIR}/../consumer/keras.cpp")
        target_link_libraries(consumer_keras PRIVATE xtnn::keras)
        set(_fixture "${XTNN_PACKAGING_SOURCE_DIR}/tests/fixtures/keras/k3_sequential.keras")
        target_compile_definitions(consumer_keras PRIVATE
            "XTNN_PACKAGING_KERAS_FIXTURE=\"${_fixture}\"")
    endif()
endfunction()

# The targets carry include dirs, C++17 and their dependencies, never flags: warning or -march
# options on an interface target would be forced on every consumer. xtnn::core links neither
# zlib nor dl: an inference-only program needs neither.
function(xtnn_consumer_check_targets)
    foreach(_target xtnn::core xtnn::io xtnn::plot xtnn::xtnn)
        if(NOT TARGET ${_target})
            message(FATAL_ERROR "xtnn consumer: no target ${_target} after bringing in xtnn")
        endif()
        foreach(_property INTERFACE_COMPILE_OPTIONS INTERFACE_LINK_OPTIONS)
            get_target_property(_value ${_target} ${_property})
            if(_value)
                message(FATAL_ERROR "xtnn consumer: ${_target} has ${_property} \"${_value}\"; "
                                    "expected none (flags must not leak into consumers)")
            endif()
        endforeach()
    endforeach()
    get_target_property(_core_links xtnn::core INTERFACE_LINK_LIBRARIES)
    if(_core_links MATCHES "ZLIB|(^|;)dl(;|$)|CMAKE_DL_LIBS")
        message(FATAL_ERROR "xtnn consumer: xtnn::core links \"${_core_links}\"; expected "
                            "xtensor and xtensor-blas only")
    endif()
endfunction()

# Brought in as a subproject (add_subdirectory, FetchContent), xtnn adds its library target
# and nothing else: no tests, examples, benchmarks or install rules.
function(xtnn_consumer_check_subproject xtnn_source_dir)
    foreach(_option XTNN_BUILD_TESTS XTNN_BUILD_EXAMPLES XTNN_BUILD_BENCHMARKS XTNN_INSTALL)
        if(${_option})
            message(FATAL_ERROR "xtnn consumer: ${_option} is ON in a subproject build; expected OFF")
        endif()
    endforeach()
    get_property(_subdirs DIRECTORY "${xtnn_source_dir}" PROPERTY SUBDIRECTORIES)
    if(_subdirs)
        message(FATAL_ERROR "xtnn consumer: xtnn added subdirectories \"${_subdirs}\"; expected none")
    endif()
    get_property(_targets DIRECTORY "${xtnn_source_dir}" PROPERTY BUILDSYSTEM_TARGETS)
    # The optional parts, when built: xtnn_keras (XTNN_WITH_KERAS), xtnn_onnx (XTNN_WITH_ONNX).
    list(REMOVE_ITEM _targets xtnn_keras xtnn_onnx)
    if(NOT _targets STREQUAL "xtnn_core;xtnn_io;xtnn_plot;xtnn")
        message(FATAL_ERROR "xtnn consumer: xtnn defined targets \"${_targets}\"; expected only "
                            "the library's components xtnn_core, xtnn_io, xtnn_plot and xtnn (and "
                            "xtnn_keras, xtnn_onnx when built)")
    endif()
endfunction()
