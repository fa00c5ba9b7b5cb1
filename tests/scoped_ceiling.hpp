// SPDX-License-Identifier: MIT
// Sets xtnn::io::max_inflated_bytes for one test and puts the old ceiling back.
#pragma once

#include <cstddef>

#include <xtnn/io/limits.hpp>

namespace xtnn_test
{
struct scoped_ceiling
{
    explicit scoped_ceiling(std::size_t bytes)
      : previous(xtnn::io::set_max_inflated_bytes(bytes))
    {
    }
    scoped_ceiling(const scoped_ceiling&) = delete;
    scoped_ceiling& operator=(const scoped_ceiling&) = delete;
    ~scoped_ceiling() { xtnn::io::set_max_inflated_bytes(previous); }
    std::size_t previous;
};
}  // namespace xtnn_test
