// SPDX-License-Identifier: MIT
// File formats (xtnn/io/): IDX, numpy's .npy and .npz, zip archives, a restricted pickle
// reader, weight files (W1, b1 ... WN, bN), model files and the checkpoints that resume
// training, PyTorch state_dict files and their mapping onto layers, and digit images (text,
// PGM, PNG). Target xtnn::io (zlib, nlohmann-json). Safetensors and the any-format
// import_model/export_model are in safetensors.hpp and interop.hpp; Keras and ONNX are
// optional components (keras.hpp, onnx.hpp) outside this umbrella.
#pragma once

#include <xtnn/io/checkpoint.hpp>
#include <xtnn/io/idx.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/limits.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/io/state_dict.hpp>
#include <xtnn/io/tensor_data.hpp>
#include <xtnn/io/torch.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/io/zip.hpp>
