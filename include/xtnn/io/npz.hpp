// SPDX-License-Identifier: MIT
// numpy's .npz format: a zip archive (zip.hpp) whose members are .npy files ("W1.npy" holds
// W1), as np.savez and np.savez_compressed write it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/zip.hpp>

namespace xtnn::io
{
namespace detail
{
/// Parses a whole .npz image; `context` (`where: "file"`) starts every message.
inline named_arrays parse_npz_bytes(const std::uint8_t* data, std::size_t size,
                                    const std::string& context)
{
    if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0)
    {
        throw format_error(context + ": this is a .npy file; expected a .npz (zip) archive");
    }
    named_arrays arrays;
    for (const auto& member : parse_zip_bytes(data, size, context))
    {
        const std::string where =
            context + ": member \"" + xtnn::detail::escape_bytes(member.name) + "\"";
        const std::string& n = member.name;
        if (n.size() < 5 || n.compare(n.size() - 4, 4, ".npy") != 0)
        {
            throw format_error(where + ": not a .npy member; expected names like \"W1.npy\"");
        }
        arrays.emplace_back(n.substr(0, n.size() - 4),
                            parse_npy_bytes(member.data.data(), member.data.size(), where));
    }
    return arrays;
}

/// Builds the archive image. Members are named "<name>.npy", in the given order.
inline std::vector<std::uint8_t> format_npz(const named_arrays& arrays, bool compressed,
                                            const char* where)
{
    std::vector<zip_member> members;
    std::unordered_set<std::string_view> seen;  // names so far: O(1) each, not a scan
    for (const auto& [name, array] : arrays)
    {
        if (name.empty())
        {
            throw error(std::string(where) + ": an array has an empty name; expected 1 to 65516 "
                                             "bytes");
        }
        if (!seen.insert(name).second)
        {
            throw error(std::string(where) + ": array name \"" + name + "\" appears twice");
        }
        members.push_back({name + ".npy", format_npy(array)});
    }
    return format_zip(members, compressed, where);
}

inline void collect_named(named_arrays&) {}

template <class E, class... Rest>
void collect_named(named_arrays& out, std::string name, const xt::xexpression<E>& array,
                   const Rest&... rest);

template <class... Rest>
void collect_named(named_arrays& out, std::string name, const ndarray& array, const Rest&... rest)
{
    out.emplace_back(std::move(name), array);
    collect_named(out, rest...);
}

template <class E, class... Rest>
void collect_named(named_arrays& out, std::string name, const xt::xexpression<E>& array,
                   const Rest&... rest)
{
    out.emplace_back(std::move(name), to_ndarray(array));
    collect_named(out, rest...);
}
}  // namespace detail

/// Parses a .npz archive held in memory; `name` is the file name used in messages.
/// @returns the arrays in archive order, named after their members without ".npy".
/// @throws format_error for anything but a plain zip of stored or deflated .npy members
/// (zip64, encryption, other methods, CRC or size mismatches, offsets out of bounds), and
/// for members that are not valid .npy files.
inline named_arrays parse_npz(const std::uint8_t* data, std::size_t size,
                              const std::string& name = "<memory>")
{
    const std::string context = "xtnn::io::parse_npz: " + xtnn::detail::quoted(name);
    return detail::parse_npz_bytes(data, size, context);
}

/// Reads a .npz file written by np.savez, np.savez_compressed or save_npz.
/// @throws io_error when the file cannot be read; format_error as parse_npz.
inline named_arrays read_npz(const std::string& path)
{
    const char* where = "xtnn::io::read_npz";
    const auto bytes = xtnn::detail::read_file(path, where);
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    return detail::parse_npz_bytes(bytes.data(), bytes.size(), context);
}

/// Writes `arrays` to `path` as a .npz file atomically, each as member "<name>.npy", deflated
/// when `compressed` (like np.savez_compressed) or stored (like np.savez).
/// @throws error for empty or repeated names, or an archive over 4 GiB; io_error when the
/// file cannot be written.
inline void save_npz(const named_arrays& arrays, const std::string& path, bool compressed = true)
{
    const char* where = "xtnn::io::save_npz";
    xtnn::detail::write_file_atomically(path, detail::format_npz(arrays, compressed, where), where);
}

/// np.savez: savez("w.npz", "W1", W1, "b1", b1) with xtensor expressions or ndarrays; stored.
/// The path comes first here, as in numpy: the name, array pairs are a pack, which must end
/// the parameter list.
template <class... NamesAndArrays>
void savez(const std::string& path, const NamesAndArrays&... names_and_arrays)
{
    static_assert(sizeof...(NamesAndArrays) % 2 == 0, "savez takes name, array pairs");
    named_arrays arrays;
    detail::collect_named(arrays, names_and_arrays...);
    save_npz(arrays, path, false);
}

/// np.savez_compressed: as savez, with deflated members.
template <class... NamesAndArrays>
void savez_compressed(const std::string& path, const NamesAndArrays&... names_and_arrays)
{
    static_assert(sizeof...(NamesAndArrays) % 2 == 0, "savez_compressed takes name, array pairs");
    named_arrays arrays;
    detail::collect_named(arrays, names_and_arrays...);
    save_npz(arrays, path, true);
}
}  // namespace xtnn::io
