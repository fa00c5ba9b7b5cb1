// SPDX-License-Identifier: MIT
// The umbrella header: the core of xtnn (networks, layers, activations). The file formats
// and pictures live in xtnn/io/ and are included on demand.
#pragma once

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>
#include <xtnn/version.hpp>
