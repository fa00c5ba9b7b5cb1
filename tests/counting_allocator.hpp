// SPDX-License-Identifier: MIT
// Counts heap allocations, so a test can show that a loop allocates nothing per step.
// Replaces the global operator new and delete: include it in one translation unit of a test
// executable, never in two.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace xtnn_test
{
inline std::atomic<std::size_t> allocations{0};
}  // namespace xtnn_test

// GCC 12 sees malloc'd memory reach free() through the replaced operators and warns of a
// new/delete mismatch; the pair below is consistent (malloc in new, free in delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size)
{
    ++xtnn_test::allocations;
    if (void* p = std::malloc(size ? size : 1))
    {
        return p;
    }
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}
// The nothrow forms too: the library (Catch2, for one) uses them, and their memory is freed
// by the replaced operator delete above, so they must come from the same malloc.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    ++xtnn_test::allocations;
    return std::malloc(size ? size : 1);
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
