// SPDX-License-Identifier: MIT
// Contour lines of a function sampled on a grid, by marching squares: where z crosses a level
// inside a grid cell, a segment between the crossing points on the cell's edges (each found
// by linear interpolation); the segments are then joined into polylines. As matplotlib's
// contour, without filled regions.
#pragma once

#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/plot/figure.hpp>

namespace xtnn::plot
{
namespace detail
{
/// A point on a cell edge, identified exactly by the edge (grid point i to grid point j,
/// i < j, as flat indices) so that neighbouring cells' segments meet in the same key.
using edge_key = std::pair<std::size_t, std::size_t>;

/// Joins segments (pairs of edge keys) into chains of keys: each chain starts at an end
/// met once (or anywhere on a closed loop) and follows the shared keys.
inline std::vector<std::vector<edge_key>> chain_segments(
    const std::vector<std::pair<edge_key, edge_key>>& segments)
{
    std::map<edge_key, std::vector<std::size_t>> at;  // key -> segments touching it
    for (std::size_t s = 0; s < segments.size(); ++s)
    {
        at[segments[s].first].push_back(s);
        at[segments[s].second].push_back(s);
    }
    std::vector<bool> used(segments.size(), false);
    std::vector<std::vector<edge_key>> chains;
    const auto walk = [&](std::size_t s, edge_key from)
    {
        std::vector<edge_key> chain{from};
        for (;;)
        {
            used[s] = true;
            const edge_key next =
                segments[s].first == from ? segments[s].second : segments[s].first;
            chain.push_back(next);
            std::size_t following = segments.size();
            for (const std::size_t t : at[next])
            {
                if (!used[t])
                {
                    following = t;
                    break;
                }
            }
            if (following == segments.size())
            {
                return chain;
            }
            s = following, from = next;
        }
    };
    for (int pass = 0; pass < 2; ++pass)  // open chains from their ends first, then loops
    {
        for (const auto& [key, touching] : at)
        {
            for (const std::size_t s : touching)
            {
                if (!used[s] && (pass == 1 || touching.size() == 1))
                {
                    chains.push_back(walk(s, key));
                }
            }
        }
    }
    return chains;
}
}  // namespace detail

/// The contour lines of z at each of `levels`, one series per level (unnamed, 1 pixel, in
/// the level's colour of the sequential map by its place among the levels, as matplotlib's
/// viridis; NaN points separate its lines). z holds ys.size() rows
/// of xs.size() values: z[r · xs.size() + c] is the value at (xs[c], ys[r]).
/// @throws shape_error when z's size is not xs.size() · ys.size() or either axis has fewer
///         than 2 points.
inline std::vector<series> contour_lines(const std::vector<double>& xs,
                                         const std::vector<double>& ys,
                                         const std::vector<double>& z,
                                         const std::vector<double>& levels)
{
    const std::size_t nx = xs.size(), ny = ys.size();
    if (nx < 2 || ny < 2 || z.size() != nx * ny)
    {
        throw shape_error("xtnn::plot::contour_lines: a grid of " + std::to_string(nx) + " x " +
                          std::to_string(ny) + " points and " + std::to_string(z.size()) +
                          " values; expected at least 2 x 2 points and one value per point");
    }
    std::vector<series> out;
    for (std::size_t k = 0; k < levels.size(); ++k)
    {
        const double level = levels[k];
        // Where z crosses the level on the edge from grid point a to b: a + t (b - a) with
        // t = (level - z_a) / (z_b - z_a).
        const auto crossing = [&](detail::edge_key e)
        {
            const double za = z[e.first], zb = z[e.second];
            const double t = za == zb ? 0.5 : (level - za) / (zb - za);
            const double xa = xs[e.first % nx], ya = ys[e.first / nx];
            const double xb = xs[e.second % nx], yb = ys[e.second / nx];
            return std::pair{xa + t * (xb - xa), ya + t * (yb - ya)};
        };
        std::vector<std::pair<detail::edge_key, detail::edge_key>> segments;
        for (std::size_t r = 0; r + 1 < ny; ++r)
        {
            for (std::size_t c = 0; c + 1 < nx; ++c)
            {
                // the cell's corners counter-clockwise, and its edges between them
                const std::size_t p[4] = {r * nx + c, r * nx + c + 1, (r + 1) * nx + c + 1,
                                          (r + 1) * nx + c};
                std::vector<detail::edge_key> cut;  // edges the level crosses
                bool finite = true;
                for (int e = 0; e < 4; ++e)
                {
                    const std::size_t a = p[e], b = p[(e + 1) % 4];
                    finite = finite && std::isfinite(z[a]);
                    if ((z[a] >= level) != (z[b] >= level))
                    {
                        cut.push_back({std::min(a, b), std::max(a, b)});
                    }
                }
                if (!finite || cut.empty())
                {
                    continue;
                }
                if (cut.size() == 2)
                {
                    segments.push_back({cut[0], cut[1]});
                    continue;
                }
                // A saddle (four crossings, corners 0 and 2 on one side): the cell's mean
                // decides which pair of corners the region through the centre joins. On
                // corner 0's side, the lines cut off corners 1 and 3; else corners 0 and 2.
                const double centre = (z[p[0]] + z[p[1]] + z[p[2]] + z[p[3]]) / 4;
                const bool same = (centre >= level) == (z[p[0]] >= level);
                if (same)
                {
                    segments.push_back({cut[0], cut[1]});
                    segments.push_back({cut[2], cut[3]});
                }
                else
                {
                    segments.push_back({cut[3], cut[0]});
                    segments.push_back({cut[1], cut[2]});
                }
            }
        }
        series s;
        s.line_width = 1;
        s.color = detail::sequential_color(
            levels.size() < 2 ? 0.0
                              : static_cast<double>(k) / static_cast<double>(levels.size() - 1));
        for (const auto& chain : detail::chain_segments(segments))
        {
            if (!s.x.empty())
            {
                s.x.push_back(std::nan(""));  // a gap between lines
                s.y.push_back(std::nan(""));
            }
            for (const auto& key : chain)
            {
                const auto [x, y] = crossing(key);
                s.x.push_back(x);
                s.y.push_back(y);
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}
}  // namespace xtnn::plot
