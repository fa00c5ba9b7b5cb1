# SPDX-License-Identifier: MIT
# Install rules: the headers, the exported targets (xtnn::core, xtnn::io, xtnn::plot,
# xtnn::xtnn and, when built, xtnn::keras and xtnn::onnx; see CMakeLists.txt) and a package config, so that
# find_package(xtnn CONFIG REQUIRED) + target_link_libraries(app PRIVATE xtnn::xtnn) works.
# xtnn is header-only, so everything goes to architecture-independent places.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(XTNN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/xtnn"
    CACHE STRING "Where xtnn's CMake package files are installed, relative to the prefix")
mark_as_advanced(XTNN_INSTALL_CMAKEDIR)

# The whole tree, not a *.hpp pattern: a header that was added but not matched would only
# show up as a consumer's build error.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/xtnn"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(_xtnn_install_targets xtnn_core xtnn_io xtnn_plot xtnn)
if(TARGET xtnn_keras)
    list(APPEND _xtnn_install_targets xtnn_keras)  # the optional Keras reader
endif()
install(TARGETS ${_xtnn_install_targets} EXPORT xtnnTargets)
install(EXPORT xtnnTargets
        NAMESPACE xtnn::
        DESTINATION "${XTNN_INSTALL_CMAKEDIR}")
# xtnn::onnx in a file of its own, read only when a consumer asks for the onnx component:
# a consumer without libonnx-dev still gets the other components.
if(XTNN_WITH_ONNX)
    install(TARGETS xtnn_onnx EXPORT xtnnOnnxTargets)
    install(EXPORT xtnnOnnxTargets
            NAMESPACE xtnn::
            DESTINATION "${XTNN_INSTALL_CMAKEDIR}")
endif()
set(XTNN_INSTALLED_ONNX ${XTNN_WITH_ONNX})

# The data fetcher (docs/data.md), so that an installed xtnn can fetch its data sets too:
# cmake -P <prefix>/share/xtnn/fetch-data.cmake mnist data. A consumer finds it as
# ${XTNN_FETCH_DATA_SCRIPT}, set by the package config.
set(XTNN_INSTALL_DATAFILESDIR "${CMAKE_INSTALL_DATADIR}/xtnn")
install(FILES "${CMAKE_CURRENT_LIST_DIR}/fetch-data.cmake"
        DESTINATION "${XTNN_INSTALL_DATAFILESDIR}")

configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/xtnnConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/xtnnConfig.cmake"
    INSTALL_DESTINATION "${XTNN_INSTALL_CMAKEDIR}"
    PATH_VARS XTNN_INSTALL_DATAFILESDIR)
# 0.x: a minor release may break the API, so 0.1 accepts 0.1.z only. ARCH_INDEPENDENT lets
# a 32-bit consumer use the package built on a 64-bit machine: there is nothing compiled.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/xtnnConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/xtnnConfig.cmake"
              "${PROJECT_BINARY_DIR}/xtnnConfigVersion.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/xtnnFindHDF5.cmake"
        DESTINATION "${XTNN_INSTALL_CMAKEDIR}")

# pkg-config: share/pkgconfig/xtnn.pc, beside xtensor's (header-only, so not under lib/).
# `pkg-config --cflags --libs xtnn` gives the include path and OpenBLAS, zlib and dl.
set(XTNN_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
    CACHE STRING "Where xtnn.pc is installed, relative to the prefix")
mark_as_advanced(XTNN_INSTALL_PKGCONFIGDIR)
file(RELATIVE_PATH XTNN_PC_TO_PREFIX "/prefix/${XTNN_INSTALL_PKGCONFIGDIR}" "/prefix")
string(REGEX REPLACE "/$" "" XTNN_PC_TO_PREFIX "${XTNN_PC_TO_PREFIX}")
set(XTNN_PC_LIBS "")
foreach(_library ${CMAKE_DL_LIBS})
    string(APPEND XTNN_PC_LIBS " -l${_library}")
endforeach()
string(STRIP "${XTNN_PC_LIBS}" XTNN_PC_LIBS)
configure_file("${CMAKE_CURRENT_LIST_DIR}/xtnn.pc.in" "${PROJECT_BINARY_DIR}/xtnn.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/xtnn.pc" DESTINATION "${XTNN_INSTALL_PKGCONFIGDIR}")
