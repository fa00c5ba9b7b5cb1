// SPDX-License-Identifier: MIT
// Damaged copies of a valid file, for parsers that sit on a trust boundary: every truncation
// must be refused with xtnn::format_error, and every flipped byte must give either a result
// or an xtnn::error — never another exception, a crash or a hang (the sanitizer builds catch
// the crashes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/error.hpp>

namespace xtnn_test
{
/// `parse(bytes)` on every proper prefix of `valid` throws xtnn::format_error, and on
/// `valid` with any one byte XOR-ed with any of `masks` returns or throws xtnn::error.
template <class Parse>
void require_damage_is_refused(const std::vector<std::uint8_t>& valid, Parse parse,
                               std::initializer_list<std::uint8_t> masks = {0x01, 0x80, 0xff})
{
    for (std::size_t size = 0; size < valid.size(); ++size)
    {
        CAPTURE(size);
        const std::vector<std::uint8_t> prefix(valid.begin(), valid.begin() + size);
        REQUIRE_THROWS_AS(parse(prefix), xtnn::format_error);
    }
    std::size_t foreign = 0;  // outcomes that are neither a result nor an xtnn::error
    for (std::size_t at = 0; at < valid.size(); ++at)
    {
        for (std::uint8_t mask : masks)
        {
            auto copy = valid;
            copy[at] ^= mask;
            try
            {
                parse(copy);
            }
            catch (const xtnn::error&)
            {
            }
            catch (...)
            {
                ++foreign;
            }
        }
    }
    CHECK(foreign == 0);
}
}  // namespace xtnn_test
