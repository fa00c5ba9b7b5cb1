// SPDX-License-Identifier: MIT
// A histogram as a series of bars: values counted into equal bins over [lo, hi], as numpy's
// histogram and matplotlib's hist (the last bin includes hi; values outside are not counted).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/plot/figure.hpp>

namespace xtnn::plot
{
/// The counts of `values` in `bins` equal bins over [lo, hi]: bin i holds
/// lo + i·w <= v < lo + (i+1)·w with w = (hi - lo) / bins, the last bin also v = hi.
/// NaN and values outside [lo, hi] are not counted.
/// @throws error for bins = 0 or a range that is not finite with lo < hi.
template <class Values>
std::vector<double> histogram_counts(const Values& values, std::size_t bins, double lo, double hi)
{
    if (bins == 0 || !(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
    {
        throw error("xtnn::plot::histogram: " + std::to_string(bins) + " bins over [" +
                    std::to_string(lo) + ", " + std::to_string(hi) +
                    "]; expected at least 1 bin over a finite range with lo < hi");
    }
    std::vector<double> counts(bins, 0.0);
    const double width = (hi - lo) / static_cast<double>(bins);
    for (const auto value : values)
    {
        const auto v = static_cast<double>(value);
        if (!(v >= lo && v <= hi))
        {
            continue;
        }
        // The bin from the quotient, then checked against the edges lo + i·w themselves as
        // numpy does, so a value on an edge lands in the same bin as there.
        std::size_t bin = std::min(bins - 1, static_cast<std::size_t>((v - lo) / width));
        const auto edge = [&](std::size_t i) { return lo + static_cast<double>(i) * width; };
        if (bin > 0 && v < edge(bin))
        {
            --bin;
        }
        else if (bin + 1 < bins && v >= edge(bin + 1))
        {
            ++bin;
        }
        counts[bin] += 1;
    }
    return counts;
}

/// A bars series of the histogram of `values` (any range of numbers: a vector, an xtensor
/// array): `bins` bars over [lo, hi], each at its bin's centre, its height the count.
template <class Values>
series histogram(std::string name, const Values& values, std::size_t bins, double lo, double hi)
{
    series s;
    s.name = std::move(name);
    s.style = style::bars;
    s.y = histogram_counts(values, bins, lo, hi);
    s.bar_width = (hi - lo) / static_cast<double>(bins);
    for (std::size_t i = 0; i < bins; ++i)
    {
        s.x.push_back(lo + (static_cast<double>(i) + 0.5) * s.bar_width);
    }
    return s;
}
}  // namespace xtnn::plot
