// SPDX-License-Identifier: MIT
// Saving a figure as SVG or PNG, chosen by the file name's extension.
#pragma once

#include <string>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/png.hpp>
#include <xtnn/plot/svg.hpp>

namespace xtnn::plot
{
/// Writes the figure to `path` as SVG or PNG, chosen by the extension (.svg or .png, in
/// any case), so a program can take either file name.
/// @throws error naming the path for another extension; as save_svg or save_png.
inline void save(const figure& fig, const std::string& path)
{
    const auto dot = path.find_last_of("./");
    std::string extension = dot == std::string::npos || path[dot] != '.' ? "" : path.substr(dot);
    for (char& c : extension)
    {
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (extension == ".svg")
    {
        save_svg(fig, path);
    }
    else if (extension == ".png")
    {
        save_png(fig, path);
    }
    else
    {
        throw error("xtnn::plot::save: " + xtnn::detail::quoted(path) + ": cannot tell the format" +
                    (extension.empty() ? " without an extension"
                                       : " from extension \"" + path.substr(dot) + "\"") +
                    "; expected .svg or .png");
    }
}

}  // namespace xtnn::plot
