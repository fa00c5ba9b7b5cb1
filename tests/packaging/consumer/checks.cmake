# SPDX-License-Identifier: MIT
# Assertions the packaging consumers make at configure time on what xtnn gave them.

# xtnn::xtnn carries include dirs, C++17 and its dependencies, never flags: warning or -march
# options on the interface target would be forced on every consumer.
function(xtnn_consumer_check_target)
    if(NOT TARGET xtnn::xtnn)
        message(FATAL_ERROR "xtnn consumer: no target xtnn::xtnn after bringing in xtnn")
    endif()
    foreach(_property INTERFACE_COMPILE_OPTIONS INTERFACE_LINK_OPTIONS)
        get_target_property(_value xtnn::xtnn ${_property})
        if(_value)
            message(FATAL_ERROR "xtnn consumer: xtnn::xtnn has ${_property} \"${_value}\"; "
                                "expected none (flags must not leak into consumers)")
        endif()
    endforeach()
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
    if(NOT _targets STREQUAL "xtnn")
        message(FATAL_ERROR "xtnn consumer: xtnn defined targets \"${_targets}\"; expected only \"xtnn\"")
    endif()
endfunction()
