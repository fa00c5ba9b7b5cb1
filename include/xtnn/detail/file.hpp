// SPDX-License-Identifier: MIT
// Whole-file reads and atomic writes. Writes go to a temporary file beside the target and
// are renamed over it only once complete, so an interrupted save never destroys the
// previous file.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <xtnn/error.hpp>

namespace xtnn::detail
{
/// "\"path\"" — how messages quote a path.
inline std::string quoted(const std::string& path)
{
    return "\"" + path + "\"";
}

/// Reads a whole file into memory.
/// @throws io_error naming `where` and the path when it cannot be opened or read.
inline std::vector<std::uint8_t> read_file(const std::string& path, const char* where)
{
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
    {
        throw io_error(std::string(where) + ": " + quoted(path) +
                       ": cannot open: " + std::strerror(errno));
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0)
    {
        bytes.insert(bytes.end(), chunk, chunk + got);
    }
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed)
    {
        throw io_error(std::string(where) + ": " + quoted(path) + ": read error");
    }
    return bytes;
}

/// Writes `size` bytes to `path` atomically: to "path.tmp-xtnn-<random>" first, then renamed
/// over `path`. On any failure the temporary is removed and the old file stays as it was.
/// The random part keeps two programs saving to the same path from sharing a temporary.
/// @throws io_error naming `where` and the path.
inline void write_file_atomically(const std::string& path, const void* data, std::size_t size,
                                  const char* where)
{
    const std::string temp = path + ".tmp-xtnn-" + std::to_string(std::random_device{}());
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    if (!file)
    {
        throw io_error(std::string(where) + ": " + quoted(path) + ": cannot create " +
                       quoted(temp) + ": " + std::strerror(errno));
    }
    bool ok = size == 0 || std::fwrite(data, 1, size, file) == size;
    ok = (std::fflush(file) == 0) && ok;
    ok = (std::fclose(file) == 0) && ok;
    if (!ok || std::rename(temp.c_str(), path.c_str()) != 0)
    {
        const std::string reason = std::strerror(errno);
        std::remove(temp.c_str());
        throw io_error(std::string(where) + ": " + quoted(path) + ": write failed: " + reason);
    }
}

inline void write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes,
                                  const char* where)
{
    write_file_atomically(path, bytes.data(), bytes.size(), where);
}

inline void write_file_atomically(const std::string& path, const std::string& text,
                                  const char* where)
{
    write_file_atomically(path, text.data(), text.size(), where);
}
}  // namespace xtnn::detail
