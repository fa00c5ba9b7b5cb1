# SPDX-License-Identifier: MIT
# Finds what the xtnn::xtnn target carries to its users. Nothing is downloaded: the packages
# come from the system (cmake/install-deps.sh installs them on Debian) or from
# CMAKE_PREFIX_PATH. cmake/xtnnConfig.cmake.in finds the same for an installed xtnn.
include(GNUInstallDirs)

# xtensor-blas's config looks for BLAS and LAPACK; prefer OpenBLAS when several are present.
if(NOT DEFINED BLA_VENDOR)
    set(BLA_VENDOR OpenBLAS)
endif()

# xtensor 0.24 (Debian 12) to 0.27, each with its own xtl and xtensor-blas (0.24: xtl 0.7,
# xtensor-blas 0.20; 0.25: 0.7, 0.21; 0.26: 0.8, 0.22; 0.27: 0.8, 0.23). 0.27 needs C++20,
# which its target brings. include/xtnn/tensor.hpp makes the same checks for a build
# without CMake.
set(XTNN_XTENSOR_VERSIONS 0.24...<0.28)
find_package(xtensor ${XTNN_XTENSOR_VERSIONS} QUIET)
if(NOT xtensor_FOUND)
    set(_xtnn_considered "")
    foreach(_config _version IN ZIP_LISTS xtensor_CONSIDERED_CONFIGS xtensor_CONSIDERED_VERSIONS)
        string(APPEND _xtnn_considered "\n  ${_version} (${_config})")
    endforeach()
    if(NOT _xtnn_considered)
        set(_xtnn_considered " none")
    endif()
    message(FATAL_ERROR "xtnn needs xtensor 0.24 to 0.27 (with its xtl and xtensor-blas). "
                        "xtensor packages found:${_xtnn_considered}\n"
                        "Install one (Debian: cmake/install-deps.sh) or give its prefix in "
                        "CMAKE_PREFIX_PATH.")
endif()
find_package(xtensor-blas REQUIRED)
# xtensor-blas 0.22 and later include xtensor's headers by the folder names of 0.26 and later,
# 0.20 and 0.21 by the old ones: any other pair mixes two xtensors (e.g. Debian's
# xtensor-blas beside an xtensor 0.26 in a prefix).
set(_xtnn_blas_new OFF)
set(_xtnn_xtensor_new OFF)
if(xtensor-blas_VERSION VERSION_GREATER_EQUAL 0.22)
    set(_xtnn_blas_new ON)
endif()
if(xtensor_VERSION VERSION_GREATER_EQUAL 0.26)
    set(_xtnn_xtensor_new ON)
endif()
if(NOT _xtnn_blas_new STREQUAL _xtnn_xtensor_new)
    message(FATAL_ERROR "xtnn: xtensor-blas ${xtensor-blas_VERSION} (${xtensor-blas_DIR}) does "
                        "not go with xtensor ${xtensor_VERSION} (${xtensor_DIR}): xtensor 0.24 "
                        "and 0.25 take xtensor-blas 0.20 or 0.21, xtensor 0.26 and later 0.22 "
                        "or later. Give the prefix of the matching xtensor-blas in "
                        "CMAKE_PREFIX_PATH.")
endif()
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)  # model files (xtnn/io/model.hpp)

# ONNX import and export (xtnn/io/onnx.hpp, the xtnn::onnx component) use the official ONNX
# protobuf classes: Debian's libonnx-dev (its CMake config gives the onnx_proto target) and
# libprotobuf-dev. Optional: on by default when both are found; ON without them is an error.
find_package(Protobuf QUIET)
if(Protobuf_FOUND)
    find_package(ONNX CONFIG QUIET)
endif()
if(Protobuf_FOUND AND ONNX_FOUND AND TARGET onnx_proto)
    set(_xtnn_onnx_found ON)
else()
    set(_xtnn_onnx_found OFF)
endif()
option(XTNN_WITH_ONNX "Build the xtnn::onnx component (needs libonnx-dev and libprotobuf-dev)"
       ${_xtnn_onnx_found})
if(XTNN_WITH_ONNX AND NOT _xtnn_onnx_found)
    message(FATAL_ERROR "xtnn: XTNN_WITH_ONNX is ON but the ONNX protobuf library was not found "
                        "(Protobuf found: ${Protobuf_FOUND}, ONNX found: ${ONNX_FOUND}); install "
                        "libonnx-dev and libprotobuf-dev (cmake/install-deps.sh), or configure "
                        "with -DXTNN_WITH_ONNX=OFF")
elseif(XTNN_WITH_ONNX)
    message(STATUS "xtnn: ONNX import/export on (xtnn::onnx, ONNX ${ONNX_VERSION}, "
                   "protobuf ${Protobuf_VERSION})")
elseif(_xtnn_onnx_found)
    message(STATUS "xtnn: ONNX import/export off (XTNN_WITH_ONNX=OFF): no xtnn::onnx target")
else()
    message(STATUS "xtnn: ONNX import/export off: libonnx-dev and libprotobuf-dev not found "
                   "(cmake/install-deps.sh installs them); no xtnn::onnx target")
endif()
