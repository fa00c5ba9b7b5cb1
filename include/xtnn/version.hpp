// SPDX-License-Identifier: MIT
// xtnn's version: the single source, read by CMake at configure time.
#pragma once

#define XTNN_VERSION_MAJOR 0
#define XTNN_VERSION_MINOR 1
#define XTNN_VERSION_PATCH 0

namespace xtnn
{
/// The library version as "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";
}  // namespace xtnn
