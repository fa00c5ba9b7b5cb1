// SPDX-License-Identifier: MIT
// Whole-file reads and atomic, durable writes. Writes go to a temporary file beside the
// target, are flushed to the disk (fsync), renamed over the target, and the directory is
// flushed too, so neither an interrupted save nor a power cut destroys the previous file.
#pragma once

#include <algorithm>
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
#include <sys/stat.h>
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
/// that would be read forever or block, is refused before it is read. What is read is the
/// file's size when it was opened, so one growing meanwhile cannot make it read forever.
inline std::vector<std::uint8_t> read_file(const std::string& path, const char* where)
{
    const auto refuse = [&](const std::string& kind)
    {
        throw io_error(std::string(where) + ": " + quoted(path) + " is " + kind +
                       "; expected a regular file");
    };
    const std::string kind = not_regular_file_kind(path);
    if (!kind.empty())
    {
        refuse(kind);
    }
#if defined(__unix__) || defined(__APPLE__)
    // Opened without blocking (a FIFO put there since the check above would block an
    // ordinary open), then checked again on the descriptor itself.
    const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat info{};
    if (fd >= 0 && (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)))
    {
        close(fd);
        refuse("not a regular file");
    }
    std::FILE* file = fd >= 0 ? fdopen(fd, "rb") : nullptr;
    if (fd >= 0 && !file)
    {
        close(fd);
    }
    const std::size_t expected = fd >= 0 ? static_cast<std::size_t>(info.st_size) : 0;
#else
    std::FILE* file = std::fopen(path.c_str(), "rb");
    const std::size_t expected = std::size_t(-1);
#endif
    if (!file)
    {
        throw io_error(std::string(where) + ": " + quoted(path) +
                       ": cannot open: " + std::strerror(errno));
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    std::size_t got = 0;
#if defined(__unix__) || defined(__APPLE__)
    bytes.reserve(expected);
#endif
    while (bytes.size() < expected &&
           (got = std::fread(chunk, 1, std::min(sizeof chunk, expected - bytes.size()), file)) > 0)
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

/// The start of the names of `path`'s temporaries, "<name>.tmp-xtnn-": a name too long to
/// take the suffix within NAME_MAX (255 bytes, with room for "<pid>-<random>") is cut to
/// 180 bytes plus a hash of the whole name, so a long file name can still be saved and its
/// temporaries still found.
inline std::string temporary_prefix(const std::string& file_name)
{
    constexpr std::size_t longest = 200;
    if (file_name.size() <= longest)
    {
        return file_name + ".tmp-xtnn-";
    }
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
    for (const char c : file_name)
    {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return file_name.substr(0, 180) + "~" + hex + ".tmp-xtnn-";
}

/// Removes the temporaries that saves to `path` by programs no longer running left behind
/// ("<prefix><pid>-<random>" whose process has gone: killed mid-save). A temporary of a
/// program still running is left alone: it may be about to rename it. Best effort.
inline void remove_stale_temporaries(const std::string& path)
{
#if defined(__unix__) || defined(__APPLE__)
    namespace fs = std::filesystem;
    std::error_code ignored;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = temporary_prefix(target.filename().string());
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

/// Where a save to `path` writes: `path` itself, or for a symlink the file it points to
/// (the link stays a link, as an editor's save keeps it), followed through chains of links.
/// @throws io_error naming `where` for a path that is, or points to, a directory, device,
/// FIFO or socket (those are never replaced by a file).
inline std::string save_target(const std::string& path, const char* where)
{
    namespace fs = std::filesystem;
    std::error_code error;
    fs::path target(path);
    // Each link read in turn (a dangling one too: the file it names is created), at most
    // 40 deep as the kernel's own limit, relative targets taken from the link's directory.
    for (int depth = 0; fs::is_symlink(fs::symlink_status(target, error)); ++depth)
    {
        const fs::path link = fs::read_symlink(target, error);
        if (error || depth == 40)
        {
            throw io_error(std::string(where) + ": " + quoted(path) +
                           ": cannot follow the symlink: " +
                           (error ? error.message() : std::string("too many levels of links")));
        }
        target = link.is_absolute() ? link : (target.parent_path() / link).lexically_normal();
    }
    const std::string kind = not_regular_file_kind(target.string());
    if (!kind.empty())
    {
        throw io_error(std::string(where) + ": " + quoted(path) + " is " + kind +
                       "; cannot save over it");
    }
    return target.string();
}

/// Writes `size` bytes to `path` atomically and durably: to a temporary beside it
/// ("<name>.tmp-xtnn-<pid>-<random>") first, flushed to the disk, then renamed over `path`,
/// then the directory flushed. An existing file keeps its permission bits (a 0600 file stays
/// 0600); a symlink keeps pointing where it did and the file it points to is replaced. On any
/// failure — a missing or read-only directory, a full disk, a directory in the way — the
/// temporary is removed, the old file stays as it was, and the error says why; a temporary
/// left by a save that was killed is removed by the next save to the same path.
/// The random part keeps two programs saving to the same path from sharing a temporary.
/// @throws io_error naming `where` and the path.
inline void write_file_atomically(const std::string& path, const void* data, std::size_t size,
                                  const char* where)
{
    const std::string target = save_target(path, where);
    remove_stale_temporaries(target);
    const std::filesystem::path target_path(target);
    const std::string dir = target_path.has_parent_path() ? target_path.parent_path().string() + "/"
                                                          : std::string();
    const std::string temp = dir + temporary_prefix(target_path.filename().string()) +
                             std::to_string(process_id()) + "-" +
                             std::to_string(std::random_device{}());
#if defined(__unix__) || defined(__APPLE__)
    // The old file's permission bits, else a new file's usual 0666 less the umask.
    struct stat old_file;
    const bool existed = stat(target.c_str(), &old_file) == 0;
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 && existed)
    {
        (void)fchmod(fd, old_file.st_mode & 07777);
    }
    std::FILE* file = fd >= 0 ? fdopen(fd, "wb") : nullptr;
    if (fd >= 0 && !file)
    {
        close(fd);
    }
#else
    std::FILE* file = std::fopen(temp.c_str(), "wb");
#endif
    if (!file)
    {
        throw io_error(std::string(where) + ": " + quoted(path) + ": cannot create " +
                       quoted(temp) + ": " + std::strerror(errno));
    }
    bool ok = size == 0 || std::fwrite(data, 1, size, file) == size;
    ok = (std::fflush(file) == 0) && ok;
    ok = ok && sync_file(file);
    ok = (std::fclose(file) == 0) && ok;
    if (!ok || std::rename(temp.c_str(), target.c_str()) != 0)
    {
        const std::string reason = std::strerror(errno);
        std::remove(temp.c_str());
        throw io_error(std::string(where) + ": " + quoted(path) + ": write failed: " + reason);
    }
    sync_directory_of(target);
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
