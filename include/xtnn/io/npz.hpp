// SPDX-License-Identifier: MIT
// numpy's .npz format: a zip archive whose members are .npy files ("W1.npy" holds W1), as
// np.savez and np.savez_compressed write it. A small zip reader (central directory, stored
// and deflated members, CRC-checked, every offset bounds-checked) and a minimal zip writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npy.hpp>

namespace xtnn::io
{
namespace detail
{
inline constexpr std::uint32_t zip_local_signature = 0x04034b50;
inline constexpr std::uint32_t zip_central_signature = 0x02014b50;
inline constexpr std::uint32_t zip_end_signature = 0x06054b50;
inline constexpr std::uint32_t zip64_locator_signature = 0x07064b50;

/// Parses a whole .npz image; `context` (`where: "file"`) starts every message.
inline named_arrays parse_npz_bytes(const std::uint8_t* data, std::size_t size,
                                    const std::string& context)
{
    using xtnn::detail::load_le;
    if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0)
    {
        throw format_error(context + ": this is a .npy file; expected a .npz (zip) archive");
    }
    // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
    std::size_t end = size;
    for (std::size_t back = 22; back <= size && back <= 22 + 0xffff; ++back)
    {
        const std::size_t at = size - back;
        if (load_le<std::uint32_t>(data + at) == zip_end_signature &&
            22 + std::size_t(load_le<std::uint16_t>(data + at + 20)) <= back)
        {
            end = at;
            break;
        }
    }
    if (end == size)
    {
        throw format_error(context + ": no zip end-of-central-directory record in " +
                           std::to_string(size) + " bytes; expected a .npz (zip) archive");
    }
    xtnn::detail::byte_reader eocd(data, size, context);
    eocd.seek(end + 4, "end record");
    const auto disk = eocd.le<std::uint16_t>("end record");
    const auto directory_disk = eocd.le<std::uint16_t>("end record");
    const auto disk_entries = eocd.le<std::uint16_t>("end record");
    const auto entries = eocd.le<std::uint16_t>("end record");
    const auto directory_size = eocd.le<std::uint32_t>("end record");
    const auto directory_offset = eocd.le<std::uint32_t>("end record");
    if (entries == 0xffff || directory_size == 0xffffffff || directory_offset == 0xffffffff ||
        (end >= 20 && load_le<std::uint32_t>(data + end - 20) == zip64_locator_signature))
    {
        throw format_error(context + ": zip64 archives are not supported; expected a plain zip "
                                     "(members and archive under 4 GiB)");
    }
    if (disk != 0 || directory_disk != 0 || disk_entries != entries)
    {
        throw format_error(context + ": multi-disk zip archives are not supported");
    }
    if (std::uint64_t(directory_offset) + directory_size > end)
    {
        throw format_error(context + ": central directory (offset " +
                           std::to_string(directory_offset) + ", " +
                           std::to_string(directory_size) +
                           " bytes) lies beyond its end record at " + std::to_string(end));
    }

    named_arrays arrays;
    // The directory alone, so no entry can read past it.
    xtnn::detail::byte_reader dir(data, std::size_t(directory_offset) + directory_size, context);
    dir.seek(directory_offset, "central directory");
    for (unsigned i = 0; i < entries; ++i)
    {
        const std::size_t entry_at = dir.offset();
        if (dir.le<std::uint32_t>("directory entry") != zip_central_signature)
        {
            throw format_error(context + ": bad central directory entry signature at offset " +
                               std::to_string(entry_at) + "; expected PK\\x01\\x02");
        }
        const std::uint8_t* fixed = dir.take(42, "directory entry");
        const auto flags = load_le<std::uint16_t>(fixed + 4);
        const auto method = load_le<std::uint16_t>(fixed + 6);
        const auto crc = load_le<std::uint32_t>(fixed + 12);
        const auto packed_size = load_le<std::uint32_t>(fixed + 16);
        const auto size_unpacked = load_le<std::uint32_t>(fixed + 20);
        const auto name_size = load_le<std::uint16_t>(fixed + 24);
        const auto extra_size = load_le<std::uint16_t>(fixed + 26);
        const auto comment_size = load_le<std::uint16_t>(fixed + 28);
        const auto local_offset = load_le<std::uint32_t>(fixed + 38);
        const auto* name_bytes = dir.take(name_size, "member name");
        dir.take(std::size_t(extra_size) + comment_size, "directory extra field");
        const std::string member(reinterpret_cast<const char*>(name_bytes), name_size);
        const std::string where =
            context + ": member \"" + xtnn::detail::escape_bytes(member) + "\"";

        if (flags & 0x41)
        {
            throw format_error(where + ": encrypted members are not supported");
        }
        if (packed_size == 0xffffffff || size_unpacked == 0xffffffff || local_offset == 0xffffffff)
        {
            throw format_error(where + ": zip64 members are not supported");
        }
        if (method != 0 && method != 8)
        {
            throw format_error(where + ": compression method " + std::to_string(method) +
                               " is not supported; expected 0 (stored) or 8 (deflate)");
        }
        if (member.size() < 5 || member.compare(member.size() - 4, 4, ".npy") != 0)
        {
            throw format_error(where + ": not a .npy member; expected names like \"W1.npy\"");
        }
        const std::string name = member.substr(0, member.size() - 4);
        if (find_array(arrays, name))
        {
            throw format_error(where + ": appears twice in the archive");
        }

        // The local header repeats the name and has its own extra field (numpy's holds a
        // zip64 record even for small members); sizes come from the central directory.
        xtnn::detail::byte_reader local(data, directory_offset, where);
        local.seek(local_offset, "local header");
        if (local.le<std::uint32_t>("local header") != zip_local_signature)
        {
            throw format_error(where + ": bad local header signature at offset " +
                               std::to_string(local_offset) + "; expected PK\\x03\\x04");
        }
        const std::uint8_t* local_fixed = local.take(26, "local header");
        const auto local_name_size = load_le<std::uint16_t>(local_fixed + 22);
        const auto local_extra_size = load_le<std::uint16_t>(local_fixed + 24);
        const auto* local_name = local.take(local_name_size, "local header name");
        if (local_name_size != name_size || std::memcmp(local_name, name_bytes, name_size) != 0)
        {
            throw format_error(where + ": local header names \"" +
                               xtnn::detail::escape_bytes(local_name, local_name_size) +
                               "\"; expected the central directory's name");
        }
        local.take(local_extra_size, "local extra field");
        const std::uint8_t* packed = local.take(packed_size, "member data");

        std::vector<std::uint8_t> inflated;
        const std::uint8_t* npy = packed;
        if (method == 8)
        {
            // Bounded by the declared size: a lying header cannot make us allocate more.
            inflated = xtnn::detail::inflate_all(packed, packed_size, xtnn::detail::zformat::raw,
                                                 where, size_unpacked);
            npy = inflated.data();
        }
        const std::size_t npy_size = method == 8 ? inflated.size() : packed_size;
        if (npy_size != size_unpacked)
        {
            throw format_error(where + ": holds " + std::to_string(npy_size) + " bytes; expected " +
                               std::to_string(size_unpacked) +
                               " (the directory's uncompressed size)");
        }
        const std::uint32_t actual_crc = xtnn::detail::crc32_of(npy, npy_size);
        if (actual_crc != crc)
        {
            throw format_error(where + ": CRC-32 mismatch: computed " + std::to_string(actual_crc) +
                               "; expected " + std::to_string(crc));
        }
        arrays.emplace_back(name, parse_npy_bytes(npy, npy_size, where));
    }
    return arrays;
}

/// Builds the archive image. Members are named "<name>.npy", in the given order.
inline std::vector<std::uint8_t> format_npz(const named_arrays& arrays, bool compressed,
                                            const char* where)
{
    using xtnn::detail::store_le;
    struct entry
    {
        std::string member;
        std::uint32_t crc, packed_size, size, offset;
        std::uint16_t flags;
    };
    if (arrays.size() >= 0xffff)
    {
        throw error(std::string(where) + ": " + std::to_string(arrays.size()) +
                    " arrays; expected fewer than 65535 (zip64 is not written)");
    }
    std::vector<entry> entries;
    std::vector<std::uint8_t> out;
    const std::uint16_t dos_time = 0, dos_date = (1 << 5) | 1;  // 1980-01-01: reproducible
    for (const auto& [name, array] : arrays)
    {
        if (name.empty() || name.size() > 0xfff0)
        {
            throw error(std::string(where) + ": array name \"" + name +
                        "\"; expected 1 to 65520 bytes");
        }
        for (const auto& previous : entries)
        {
            if (previous.member == name + ".npy")
            {
                throw error(std::string(where) + ": array name \"" + name + "\" appears twice");
            }
        }
        const std::vector<std::uint8_t> npy = format_npy(array);
        std::vector<std::uint8_t> packed;
        if (compressed)
        {
            packed = xtnn::detail::deflate_all(npy.data(), npy.size(), xtnn::detail::zformat::raw);
        }
        const std::vector<std::uint8_t>& body = compressed ? packed : npy;
        if (npy.size() >= 0xffffffff || out.size() + body.size() + 0xffff >= 0xffffffff)
        {
            throw error(std::string(where) + ": array \"" + name +
                        "\" makes the archive larger than 4 GiB; zip64 is not written");
        }
        bool ascii = true;
        for (char c : name)
        {
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        }
        entry e{name + ".npy",
                xtnn::detail::crc32_of(npy.data(), npy.size()),
                static_cast<std::uint32_t>(body.size()),
                static_cast<std::uint32_t>(npy.size()),
                static_cast<std::uint32_t>(out.size()),
                std::uint16_t(ascii ? 0 : 0x800)};
        store_le(out, zip_local_signature);
        store_le<std::uint16_t>(out, 20);  // version needed: 2.0
        store_le(out, e.flags);            // bit 11: the name is UTF-8
        store_le<std::uint16_t>(out, compressed ? 8 : 0);
        store_le(out, dos_time);
        store_le(out, dos_date);
        store_le(out, e.crc);
        store_le(out, e.packed_size);
        store_le(out, e.size);
        store_le(out, static_cast<std::uint16_t>(e.member.size()));
        store_le<std::uint16_t>(out, 0);  // no extra field
        out.insert(out.end(), e.member.begin(), e.member.end());
        out.insert(out.end(), body.begin(), body.end());
        entries.push_back(std::move(e));
    }
    const std::size_t directory_offset = out.size();
    for (const auto& e : entries)
    {
        store_le(out, zip_central_signature);
        store_le<std::uint16_t>(out, (3 << 8) | 20);  // made by: Unix, zip 2.0
        store_le<std::uint16_t>(out, 20);
        store_le(out, e.flags);
        store_le<std::uint16_t>(out, compressed ? 8 : 0);
        store_le(out, dos_time);
        store_le(out, dos_date);
        store_le(out, e.crc);
        store_le(out, e.packed_size);
        store_le(out, e.size);
        store_le(out, static_cast<std::uint16_t>(e.member.size()));
        store_le<std::uint16_t>(out, 0);               // extra field
        store_le<std::uint16_t>(out, 0);               // comment
        store_le<std::uint16_t>(out, 0);               // disk
        store_le<std::uint16_t>(out, 0);               // internal attributes
        store_le<std::uint32_t>(out, 0100644u << 16);  // external: a regular file, rw-r--r--
        store_le(out, e.offset);
        out.insert(out.end(), e.member.begin(), e.member.end());
    }
    const std::size_t directory_size = out.size() - directory_offset;
    if (out.size() >= 0xffffffff)
    {
        throw error(std::string(where) + ": archive larger than 4 GiB; zip64 is not written");
    }
    store_le(out, zip_end_signature);
    store_le<std::uint16_t>(out, 0);
    store_le<std::uint16_t>(out, 0);
    store_le(out, static_cast<std::uint16_t>(entries.size()));
    store_le(out, static_cast<std::uint16_t>(entries.size()));
    store_le(out, static_cast<std::uint32_t>(directory_size));
    store_le(out, static_cast<std::uint32_t>(directory_offset));
    store_le<std::uint16_t>(out, 0);  // no comment
    return out;
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
inline named_arrays parse_npz(const std::uint8_t* data, std::size_t size, const std::string& name)
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

/// The old (path, arrays) order, kept while code written against it moves to (arrays, path).
[[deprecated("save_npz takes the arrays first, the path second")]] inline void save_npz(
    const std::string& path, const named_arrays& arrays, bool compressed = true)
{
    save_npz(arrays, path, compressed);
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
