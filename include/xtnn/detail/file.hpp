// SPDX-License-Identifier: MIT
// Whole-file reads and atomic, durable writes. Writes go to a temporary file beside the
// target, are flushed to the disk (fsync), renamed over the target, and the directory is
// flushed too, so neither an interrupted save nor a power cut destroys the previous file.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <filesystem>
#include <system_error>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#endif

#include <xtnn/error.hpp>

namespace xtnn::detail
{
/// Flushes an open file to the disk; true on success (or where there is no fsync).
inline bool sync_file(std::FILE* file)
{
#if defined(__unix__) || defined(__APPLE__)
    return fsync(fileno(file)) == 0;
#else
    (void)file;
    return true;
#endif
}

/// Flushes the directory holding `path`, so that a rename into it survives a power cut.
/// Best effort: some file systems cannot sync a directory, and that is not an error.
inline void sync_directory_of(const std::string& path)
{
#if defined(__unix__) || defined(__APPLE__)
    const std::size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0)
    {
        (void)fsync(fd);
        close(fd);
    }
#else
    (void)path;
#endif
}

/// "\"path\"" — how messages quote a path.
inline std::string quoted(const std::string& path)
{
    return "\"" + path + "\"";
}

/// "a directory", "a FIFO (named pipe)", ... for a path that exists but is not a regular
/// file; "" for a regular file or one that does not exist (fopen then says why).
inline std::string not_regular_file_kind(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ignored;
    switch (fs::status(path, ignored).type())  // follows symlinks: a link to a file is a file
    {
    case fs::file_type::directory:
        return "a directory";
    case fs::file_type::fifo:
        return "a FIFO (named pipe)";
    case fs::file_type::character:
        return "a character device";
    case fs::file_type::block:
        return "a block device";
    case fs::file_type::socket:
        return "a socket";
    case fs::file_type::regular:
    case fs::file_type::not_found:
    case fs::file_type::none:
        return "";
    default:
        return "not a regular file";
    }
}

/// Reads a whole file into memory.
/// @throws io_error naming `where` and the path when it cannot be opened or read, and for a
/// path that is not a regular file: a directory, or a device or FIFO (/dev/zero, a pipe)
/// that would be read forever or block, is refused before it is opened.
inline std::vector<std::uint8_t> read_file(const std::string& path, const char* where)
{
    const std::string kind = not_regular_file_kind(path);
    if (!kind.empty())
    {
        throw io_error(std::string(where) + ": " + quoted(path) + " is " + kind +
                       "; expected a regular file");
    }
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

/// The process id of this program, for the names of temporaries (0 where there is none).
inline long process_id()
{
#if defined(__unix__) || defined(__APPLE__)
    return static_cast<long>(getpid());
#else
    return 0;
#endif
}

/// Removes the temporaries that saves to `path` by programs no longer running left behind
/// ("path.tmp-xtnn-<pid>-<random>" whose process has gone: killed mid-save). A temporary of a
/// program still running is left alone: it may be about to rename it. Best effort.
inline void remove_stale_temporaries(const std::string& path)
{
#if defined(__unix__) || defined(__APPLE__)
    namespace fs = std::filesystem;
    std::error_code ignored;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp-xtnn-";
    for (fs::directory_iterator it(dir, ignored), end; !ignored && it != end; it.increment(ignored))
    {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0)
        {
            continue;
        }
        const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
        if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        {
            fs::remove(it->path(), ignored);
        }
    }
#else
    (void)path;
#endif
}

/// Writes `size` bytes to `path` atomically and durably: to "path.tmp-xtnn-<pid>-<random>"
/// first, flushed to the disk, then renamed over `path`, then the directory flushed. On any
/// failure the temporary is removed and the old file stays as it was; a temporary left by a
/// save that was killed is removed by the next save to the same path.
/// The random part keeps two programs saving to the same path from sharing a temporary.
/// @throws io_error naming `where` and the path.
inline void write_file_atomically(const std::string& path, const void* data, std::size_t size,
                                  const char* where)
{
    remove_stale_temporaries(path);
    const std::string temp = path + ".tmp-xtnn-" + std::to_string(process_id()) + "-" +
                             std::to_string(std::random_device{}());
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    if (!file)
    {
        throw io_error(std::string(where) + ": " + quoted(path) + ": cannot create " +
                       quoted(temp) + ": " + std::strerror(errno));
    }
    bool ok = size == 0 || std::fwrite(data, 1, size, file) == size;
    ok = (std::fflush(file) == 0) && ok;
    ok = ok && sync_file(file);
    ok = (std::fclose(file) == 0) && ok;
    if (!ok || std::rename(temp.c_str(), path.c_str()) != 0)
    {
        const std::string reason = std::strerror(errno);
        std::remove(temp.c_str());
        throw io_error(std::string(where) + ": " + quoted(path) + ": write failed: " + reason);
    }
    sync_directory_of(path);
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
