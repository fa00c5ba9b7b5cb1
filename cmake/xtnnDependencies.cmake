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
