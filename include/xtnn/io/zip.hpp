// SPDX-License-Identifier: MIT
// The zip archive, as the formats built on it use it: numpy's .npz, xtnn's model files and
// PyTorch's .pt files. A small reader (central directory, stored and deflated members,
// CRC-checked, every offset bounds-checked, nothing allocated beyond what the archive
// declares) and a minimal writer (no zip64, reproducible timestamps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/limits.hpp>

namespace xtnn::io
{
/// One file of a zip archive: its name and its (uncompressed) bytes.
struct zip_member
{
    std::string name;
    std::vector<std::uint8_t> data;
};

namespace detail
{
inline constexpr std::uint32_t zip_local_signature = 0x04034b50;
inline constexpr std::uint32_t zip_central_signature = 0x02014b50;
inline constexpr std::uint32_t zip_end_signature = 0x06054b50;
inline constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
inline constexpr std::uint32_t zip64_end_signature = 0x06064b50;

/// The members of a whole zip image, in archive order; `context` (`where: "file"`) starts
/// every message.
inline std::vector<zip_member> parse_zip_bytes(const std::uint8_t* data, std::size_t size,
                                               const std::string& context)
{
    using xtnn::detail::load_le;
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
                           std::to_string(size) + " bytes; expected a zip archive");
    }
    xtnn::detail::byte_reader eocd(data, size, context);
    eocd.seek(end + 4, "end record");
    const auto disk = eocd.le<std::uint16_t>("end record");
    const auto directory_disk = eocd.le<std::uint16_t>("end record");
    const auto disk_entries = eocd.le<std::uint16_t>("end record");
    const auto entries = eocd.le<std::uint16_t>("end record");
    const auto directory_size = eocd.le<std::uint32_t>("end record");
    const auto directory_offset = eocd.le<std::uint32_t>("end record");
    if (entries == 0xffff || directory_size == 0xffffffff || directory_offset == 0xffffffff)
    {
        throw format_error(context + ": zip64 archives are not supported; expected a plain zip "
                                     "(members and archive under 4 GiB)");
    }
    // PyTorch's writer adds zip64 end records to every archive, small ones too. They are
    // read only to check that they say what the plain end record says.
    if (end >= 20 && load_le<std::uint32_t>(data + end - 20) == zip64_locator_signature)
    {
        const auto record_at = load_le<std::uint64_t>(data + end - 20 + 8);
        if (record_at > end - 20 || end - 20 - record_at < 56 ||
            load_le<std::uint32_t>(data + record_at) != zip64_end_signature ||
            load_le<std::uint64_t>(data + record_at + 24) != disk_entries ||
            load_le<std::uint64_t>(data + record_at + 32) != entries ||
            load_le<std::uint64_t>(data + record_at + 40) != directory_size ||
            load_le<std::uint64_t>(data + record_at + 48) != directory_offset)
        {
            throw format_error(context + ": the zip64 end record is missing or disagrees with "
                                         "the end record; zip64 archives are not supported");
        }
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

    std::vector<zip_member> members;
    std::unordered_set<std::string> names;
    std::uint64_t unpacked_total = 0;
    const std::uint64_t ceiling = io::max_inflated_bytes();
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
        if (!names.insert(member).second)
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
        if (method == 0 && packed_size != size_unpacked)
        {
            throw format_error(where + ": holds " + std::to_string(packed_size) +
                               " bytes; expected " + std::to_string(size_unpacked) +
                               " (the directory's uncompressed size)");
        }
        // Members may share their data (overlapping entries, the "better zip bomb"), so
        // it is what they add up to, not the file's size, that the ceiling bounds.
        unpacked_total += size_unpacked;
        if (unpacked_total > ceiling)
        {
            throw format_error(where + ": the members up to this one hold " +
                               std::to_string(unpacked_total) + " bytes: " +
                               io::detail::inflated_ceiling_message(ceiling));
        }

        zip_member unpacked{member, {}};
        if (method == 8)
        {
            // Bounded by the declared size: a lying header cannot make us allocate more.
            unpacked.data = xtnn::detail::inflate_all(packed, packed_size, xtnn::detail::zformat::raw,
                                                      where, size_unpacked);
        }
        else
        {
            unpacked.data.assign(packed, packed + packed_size);
        }
        const std::size_t unpacked_size = unpacked.data.size();
        if (unpacked_size != size_unpacked)
        {
            throw format_error(where + ": holds " + std::to_string(unpacked_size) +
                               " bytes; expected " + std::to_string(size_unpacked) +
                               " (the directory's uncompressed size)");
        }
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
        (void)crc;  // fuzzing: let mutated members reach the readers behind the CRC
#else
        const std::uint32_t actual_crc = xtnn::detail::crc32_of(unpacked.data.data(), unpacked_size);
        if (actual_crc != crc)
        {
            throw format_error(where + ": CRC-32 mismatch: computed " + std::to_string(actual_crc) +
                               "; expected " + std::to_string(crc));
        }
#endif
        members.push_back(std::move(unpacked));
    }
    return members;
}

/// Builds the archive image of `members`, in the given order, deflated when `compressed`.
/// @throws error for an empty, overlong or repeated name, or an archive over 4 GiB.
inline std::vector<std::uint8_t> format_zip(const std::vector<zip_member>& members,
                                            bool compressed, const char* where)
{
    using xtnn::detail::store_le;
    struct entry
    {
        std::string member;
        std::uint32_t crc, packed_size, size, offset;
        std::uint16_t flags;
    };
    if (members.size() >= 0xffff)
    {
        throw error(std::string(where) + ": " + std::to_string(members.size()) +
                    " members; expected fewer than 65535 (zip64 is not written)");
    }
    std::vector<entry> entries;
    std::vector<std::uint8_t> out;
    const std::uint16_t dos_time = 0, dos_date = (1 << 5) | 1;  // 1980-01-01: reproducible
    for (const auto& [name, npy] : members)
    {
        if (name.empty() || name.size() > 0xfff0)
        {
            throw error(std::string(where) + ": member name \"" + name +
                        "\"; expected 1 to 65520 bytes");
        }
        for (const auto& previous : entries)
        {
            if (previous.member == name)
            {
                throw error(std::string(where) + ": member name \"" + name + "\" appears twice");
            }
        }
        std::vector<std::uint8_t> packed;
        if (compressed)
        {
            packed = xtnn::detail::deflate_all(npy.data(), npy.size(), xtnn::detail::zformat::raw);
        }
        const std::vector<std::uint8_t>& body = compressed ? packed : npy;
        if (npy.size() >= 0xffffffff || out.size() + body.size() + 0xffff >= 0xffffffff)
        {
            throw error(std::string(where) + ": member \"" + name +
                        "\" makes the archive larger than 4 GiB; zip64 is not written");
        }
        bool ascii = true;
        for (char c : name)
        {
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        }
        entry e{name,
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

}  // namespace detail

/// The members of a zip archive held in memory; `name` is the file name used in messages.
/// @throws format_error for anything but a plain zip of stored or deflated members (zip64,
/// encryption, other methods, CRC or size mismatches, offsets out of bounds).
inline std::vector<zip_member> parse_zip(const std::uint8_t* data, std::size_t size,
                                         const std::string& name)
{
    return detail::parse_zip_bytes(data, size, "xtnn::io::parse_zip: " + xtnn::detail::quoted(name));
}
}  // namespace xtnn::io
