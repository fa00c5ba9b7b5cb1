// SPDX-License-Identifier: MIT
// The exceptions xtnn throws. Every message says where it came from, what was expected and
// what was found: "<where>: <what>; expected <X>, got <Y>", with the quoted path when a file
// is involved.
#pragma once

#include <stdexcept>
#include <string>

namespace xtnn
{
/// Base of every xtnn exception.
class error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Arrays whose shapes do not fit together (a layer's width, a weight file's array).
class shape_error : public error
{
public:
    using error::error;
};

/// A file that cannot be opened, read or written.
class io_error : public error
{
public:
    using error::error;
};

/// A file that was read but whose contents are wrong (bad magic, truncated, hostile).
class format_error : public error
{
public:
    using error::error;
};
}  // namespace xtnn
