# SPDX-License-Identifier: MIT
# Installs the npm package onnxruntime-node into DIR (-DDIR=..., -DNPM=...) for
# run_onnxruntime.js, unless it is there already. --ignore-scripts: its post-install script
# only fetches GPU extras; the CPU runtime is in the package. --prefer-offline uses npm's
# cache when it has the package. Without npm or the registry the test reports "skipped",
# unless the environment sets XTNN_REQUIRE_ONNXRUNTIME (CI), which makes that a failure.
cmake_minimum_required(VERSION 3.16)
if(EXISTS "${DIR}/node_modules/onnxruntime-node/package.json")
    message("onnxruntime-node already installed in ${DIR}")
    return()
endif()
if(NOT NPM)
    set(_problem "npm not found (Debian: nodejs, npm)")
else()
    file(MAKE_DIRECTORY "${DIR}")
    execute_process(COMMAND "${NPM}" install --ignore-scripts --no-audit --no-fund
                            --prefer-offline --prefix "${DIR}" onnxruntime-node
                    RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    message("${_out}")
    if(_result EQUAL 0 AND EXISTS "${DIR}/node_modules/onnxruntime-node/package.json")
        message("onnxruntime-node installed in ${DIR}")
        return()
    endif()
    set(_problem "npm install onnxruntime-node failed (${_result})")
endif()
if(DEFINED ENV{XTNN_REQUIRE_ONNXRUNTIME})
    message(FATAL_ERROR "${_problem}; XTNN_REQUIRE_ONNXRUNTIME is set")
endif()
message("skipped: ${_problem}")
