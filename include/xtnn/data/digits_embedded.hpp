// SPDX-License-Identifier: MIT
// The 8x8 digits built into xtnn: scikit-learn's digits.csv.gz (BSD-3-Clause, 57 KB) is
// compiled in (data/embedded/), so a program can train on real data with no data directory
// at all. Include this header only where it is wanted: it adds the file's 57,512 bytes.
#pragma once

#include <string>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/digits.hpp>
#include <xtnn/data/embedded/digits_csv_gz.hpp>
#include <xtnn/detail/zlib.hpp>

namespace xtnn::data
{
/// What load_embedded_digits reads, for programs to print.
inline const char* embedded_digits_source()
{
    return "the copy built into xtnn (scikit-learn's digits.csv.gz, BSD-3-Clause)";
}

/// The 1797 digits of scikit-learn's load_digits(): images (1797, 64) of pixels 0..16,
/// labels (1797,) in 0..9, as load_digits gives them from the file.
template <class T = float>
digits_set<T> load_embedded_digits()
{
    const std::string context = "xtnn::data::load_embedded_digits: <embedded digits.csv.gz>";
    const auto text = xtnn::detail::inflate_all(xtnn::detail::embedded_digits_csv_gz,
                                                xtnn::detail::embedded_digits_csv_gz_size,
                                                xtnn::detail::zformat::gzip, context,
                                                std::size_t(1) << 20);
    return xtnn::detail::digits_parse<T>(reinterpret_cast<const char*>(text.data()), text.size(),
                                         context);
}

/// The digits from `dir` (as load_digits finds them) when the file is there, else the copy
/// built into xtnn. `source`, when given, is set to where they came from.
/// @throws as load_digits for a file that is there but broken.
template <class T = float>
digits_set<T> load_digits_or_embedded(const std::string& dir, std::string* source = nullptr)
{
    constexpr const char* where = "xtnn::data::load_digits";
    std::string path;
    try
    {
        path = xtnn::detail::digits_locate(dir, where);
    }
    catch (const data_not_found&)
    {
        if (source)
        {
            *source = embedded_digits_source();
        }
        return load_embedded_digits<T>();
    }
    if (source)
    {
        *source = xtnn::detail::quoted(path);
    }
    return xtnn::detail::digits_read<T>(path, where);  // the file found above, not searched again
}
}  // namespace xtnn::data
