# SPDX-License-Identifier: MIT
# Finds the HDF5 C library for xtnn::keras (the Keras reader) and makes sure the target
# hdf5::hdf5 exists (FindHDF5 defines it from CMake 3.19 on). FindHDF5 test-compiles a C
# program, so C is enabled first when a C compiler is there. Used by the build and by the
# installed package config alike. Sets HDF5_FOUND.
include(CheckLanguage)
get_property(_xtnn_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST _xtnn_languages)
    check_language(C)  # keeps a CMAKE_C_COMPILER already in the cache
    if(CMAKE_C_COMPILER)
        enable_language(C)
    endif()
endif()
get_property(_xtnn_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if("C" IN_LIST _xtnn_languages)
    find_package(HDF5 COMPONENTS C QUIET)
else()
    set(HDF5_FOUND FALSE)
endif()
if(HDF5_FOUND AND NOT TARGET hdf5::hdf5)
    add_library(hdf5::hdf5 INTERFACE IMPORTED)
    set_target_properties(hdf5::hdf5 PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${HDF5_C_INCLUDE_DIRS}"
        INTERFACE_LINK_LIBRARIES "${HDF5_C_LIBRARIES}"
        INTERFACE_COMPILE_DEFINITIONS "${HDF5_C_DEFINITIONS}")
endif()
