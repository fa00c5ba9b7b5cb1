// SPDX-License-Identifier: MIT
// The ceiling on decompressed data. xtnn's readers inflate gzip files (IDX, digits) and
// deflated zip members (npz, model files, PyTorch files) into memory; a few kilobytes of
// deflate can claim gigabytes (a "zip bomb"), so every inflation stops at this ceiling with
// a format_error naming the file. Each container's own claim bounds it first (a zip member
// its declared size, an IDX file its header's shape); the ceiling bounds what the claims
// may add up to. The default, 2 GiB, is four times the largest EMNIST split; raise it for
// larger data sets, for the whole process (it is read atomically, so any thread may set it).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

namespace xtnn::io
{
/// The default ceiling on the bytes one file may inflate to: 2 GiB.
inline constexpr std::size_t default_max_inflated_bytes = std::size_t(1) << 31;

namespace detail
{
inline std::atomic<std::size_t>& max_inflated_bytes_setting()
{
    static std::atomic<std::size_t> setting{default_max_inflated_bytes};
    return setting;
}
}  // namespace detail

/// The most bytes one file may inflate to (all its gzip members, or all its zip members
/// together) before a reader refuses it.
inline std::size_t max_inflated_bytes()
{
    return detail::max_inflated_bytes_setting().load(std::memory_order_relaxed);
}

/// Sets the ceiling max_inflated_bytes() for the whole process; returns the previous one.
inline std::size_t set_max_inflated_bytes(std::size_t bytes)
{
    return detail::max_inflated_bytes_setting().exchange(bytes, std::memory_order_relaxed);
}

namespace detail
{
/// ": decompressed data exceeds N bytes, the ceiling ..." — the message tail for a file
/// that would inflate past the ceiling.
inline std::string inflated_ceiling_message(std::size_t ceiling)
{
    return "decompressed data exceeds " + std::to_string(ceiling) +
           " bytes, the ceiling on inflated data (xtnn::io::set_max_inflated_bytes raises it)";
}
}  // namespace detail
}  // namespace xtnn::io
