// SPDX-License-Identifier: MIT
// ONNX models in and out: load_onnx / parse_onnx read a chain of the supported ops
// (io/onnx/read.hpp), save_onnx / format_onnx write any network of the built-in layers
// (io/onnx/write.hpp). docs/onnx.md shows both with torch and ONNX Runtime.
// The xtnn::onnx component (CMake option XTNN_WITH_ONNX): these headers include ONNX's
// generated protobuf classes and need libonnx-dev and libprotobuf-dev, so neither
// xtnn/xtnn.hpp nor xtnn/io.hpp includes them; link xtnn::onnx to use them.
#pragma once

#include <xtnn/io/onnx/read.hpp>
#include <xtnn/io/onnx/write.hpp>
