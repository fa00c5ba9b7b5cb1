# SPDX-License-Identifier: MIT
# Finds what the xtnn::xtnn target carries to its users. Nothing is downloaded: the packages
# come from the system (cmake/install-deps.sh installs them on Debian).
include(GNUInstallDirs)

# xtensor-blas's config looks for BLAS and LAPACK; prefer OpenBLAS when several are present.
if(NOT DEFINED BLA_VENDOR)
    set(BLA_VENDOR OpenBLAS)
endif()

find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
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
