// SPDX-License-Identifier: MIT
// Tests for xtnn/detail/file.hpp. read_file: paths that are not regular files are refused
// with what they are, before they are opened (a FIFO would block, /dev/zero never ends).
// write_file_atomically: a save keeps the file's mode and symlinks, takes long names, fails
// cleanly (old file intact, no temporary left) on a directory in the way, a missing
// directory and a full disk, and a save killed at any moment leaves the old or the new file.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xtnn/detail/file.hpp>
#include <xtnn/io/npy.hpp>

#include "temp_files.hpp"

using Catch::Matchers::Contains;

TEST_CASE("file: read_file reads a regular file, also through a symlink", "[file]")
{
    xtnn_test::temp_dir dir;
    xtnn_test::write_raw(dir.file("a.bin"), {1, 2, 3});
    std::filesystem::create_symlink(dir.file("a.bin"), dir.file("link.bin"));
    REQUIRE(xtnn::detail::read_file(dir.file("a.bin"), "test") == std::vector<std::uint8_t>{1, 2, 3});
    REQUIRE(xtnn::detail::read_file(dir.file("link.bin"), "test") ==
            std::vector<std::uint8_t>{1, 2, 3});
}

TEST_CASE("file: directories, FIFOs and devices are refused, naming what they are", "[file]")
{
    xtnn_test::temp_dir dir;
    const auto read = [](const std::string& path) { return xtnn::detail::read_file(path, "where"); };
    REQUIRE_THROWS_AS(read(dir.path()), xtnn::io_error);
    REQUIRE_THROWS_WITH(read(dir.path()), "where: \"" + dir.path() +
                                              "\" is a directory; expected a regular file");

    REQUIRE(::mkfifo(dir.file("pipe").c_str(), 0600) == 0);
    REQUIRE_THROWS_WITH(read(dir.file("pipe")), Contains("is a FIFO (named pipe)"));

    if (std::filesystem::exists("/dev/zero"))
    {
        REQUIRE_THROWS_WITH(read("/dev/zero"), "where: \"/dev/zero\" is a character device; "
                                               "expected a regular file");
        // Through a reader, as `--weights /dev/zero` would.
        REQUIRE_THROWS_AS(xtnn::io::read_npy("/dev/zero"), xtnn::io_error);
    }
    // A missing file still gets fopen's reason.
    REQUIRE_THROWS_WITH(read(dir.file("missing")), Contains("cannot open: No such file"));
}

namespace
{
void save(const std::string& path, const std::string& text)
{
    xtnn::detail::write_file_atomically(path, text, "save");
}

std::string read_text(const std::string& path)
{
    const auto bytes = xtnn::detail::read_file(path, "test");
    return std::string(bytes.begin(), bytes.end());
}

/// The names in `dir` other than `keep`: what a save left behind.
std::vector<std::string> others_in(const std::string& dir, const std::string& keep)
{
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
    {
        if (entry.path().filename() != keep)
        {
            names.push_back(entry.path().filename().string());
        }
    }
    return names;
}

mode_t mode_of(const std::string& path)
{
    struct stat st;
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}
}  // namespace

TEST_CASE("file: a save keeps the file's permission bits and its symlink", "[file]")
{
    xtnn_test::temp_dir dir;
    const std::string path = dir.file("private.npz");
    save(path, "old");
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    save(path, "new");
    REQUIRE(read_text(path) == "new");
    REQUIRE(mode_of(path) == 0600);
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    save(path, "newer");
    REQUIRE(mode_of(path) == 0640);

    // Through a symlink: the link stays a link, and the file it points to is replaced.
    std::filesystem::create_directory(dir.file("real"));
    save(dir.file("real/model.npz"), "v1");
    std::filesystem::create_symlink("real/model.npz", dir.file("model.npz"));  // relative
    save(dir.file("model.npz"), "v2");
    REQUIRE(std::filesystem::is_symlink(dir.file("model.npz")));
    REQUIRE(read_text(dir.file("real/model.npz")) == "v2");
    REQUIRE(others_in(dir.file("real"), "model.npz").empty());
    // A dangling link: the file it names is created.
    std::filesystem::create_symlink("real/later.npz", dir.file("later.npz"));
    save(dir.file("later.npz"), "v1");
    REQUIRE(read_text(dir.file("real/later.npz")) == "v1");
    REQUIRE(std::filesystem::is_symlink(dir.file("later.npz")));
    // A loop of links is refused, not followed forever.
    std::filesystem::create_symlink("loop_b", dir.file("loop_a"));
    std::filesystem::create_symlink("loop_a", dir.file("loop_b"));
    REQUIRE_THROWS_WITH(save(dir.file("loop_a"), "x"),
                        Contains("cannot follow the symlink: too many levels of links"));
}

TEST_CASE("file: a save takes a 249-character name, and its temporaries fit NAME_MAX", "[file]")
{
    xtnn_test::temp_dir dir;
    const std::string name = std::string(245, 'w') + ".npz";
    save(dir.file(name), "long");
    REQUIRE(read_text(dir.file(name)) == "long");
    REQUIRE(others_in(dir.path(), name).empty());
    const std::string prefix = xtnn::detail::temporary_prefix(name);
    REQUIRE(prefix.size() + 30 <= 255);  // room for "<pid>-<random>"
    // A temporary of a killed save is still found and removed by the next save.
    const std::string stale = dir.file(prefix + "2147483600-1");
    xtnn_test::write_raw(stale, {1});
    save(dir.file(name), "again");
    REQUIRE_FALSE(std::filesystem::exists(stale));
    // Names that fit keep the plain form.
    REQUIRE(xtnn::detail::temporary_prefix("w.npz") == "w.npz.tmp-xtnn-");
}

TEST_CASE("file: a failed save says why, keeps the old file and leaves no temporary", "[file]")
{
    xtnn_test::temp_dir dir;
    // A directory where the file should go.
    std::filesystem::create_directory(dir.file("taken"));
    REQUIRE_THROWS_WITH(save(dir.file("taken"), "x"),
                        "save: \"" + dir.file("taken") + "\" is a directory; cannot save over it");
    REQUIRE(std::filesystem::is_directory(dir.file("taken")));
    // A directory that does not exist.
    REQUIRE_THROWS_WITH(save(dir.file("missing/w.npz"), "x"),
                        Contains("\"" + dir.file("missing/w.npz") + "\": cannot create") &&
                            Contains("No such file or directory"));
    // A read-only directory (root writes anyway, so only for other users).
    std::filesystem::create_directory(dir.file("locked"));
    save(dir.file("locked/w.npz"), "old");
    REQUIRE(::chmod(dir.file("locked").c_str(), 0555) == 0);
    if (::geteuid() != 0)
    {
        REQUIRE_THROWS_WITH(save(dir.file("locked/w.npz"), "new"),
                            Contains("cannot create") && Contains("Permission denied"));
        REQUIRE(read_text(dir.file("locked/w.npz")) == "old");
    }
    else
    {
        WARN("running as root: the read-only directory case is not tested");
    }
    REQUIRE(::chmod(dir.file("locked").c_str(), 0755) == 0);
    REQUIRE(others_in(dir.file("locked"), "w.npz").empty());
}

TEST_CASE("file: a save onto a full disk fails, the old file intact", "[file]")
{
    // A 64 KiB tmpfs, where the machine lets this process mount one (root, not in a
    // container without CAP_SYS_ADMIN); else the case says so and checks nothing.
    xtnn_test::temp_dir dir;
    const std::string mount_point = dir.file("small");
    std::filesystem::create_directory(mount_point);
    if (::mount("xtnn-test", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0)
    {
        WARN("cannot mount a tmpfs here (" << std::strerror(errno)
                                           << "): the full-disk case is not tested");
        return;
    }
    const std::string path = mount_point + "/w.npz";
    std::string old_text(20000, 'o');
    save(path, old_text);
    REQUIRE_THROWS_WITH(save(path, std::string(200000, 'n')),
                        Contains("\"" + path + "\": write failed: No space left on device"));
    const bool intact = read_text(path) == old_text;
    const bool clean = others_in(mount_point, "w.npz").empty();
    ::umount(mount_point.c_str());
    REQUIRE(intact);
    REQUIRE(clean);
}

TEST_CASE("file: saves killed at random moments leave the old or the new file, whole", "[file]")
{
    // A child saves two 256 KiB files, all 'a' or all 'b', over one path in a loop; it is
    // killed with SIGKILL after a random 0-8 ms, 60 times. After each kill the file is one of
    // the two, whole; the next save removes the killed saves' temporaries.
    xtnn_test::temp_dir dir;
    const std::string path = dir.file("model.npz");
    const std::string a(256 * 1024, 'a'), b(256 * 1024, 'b');
    save(path, a);
    std::mt19937 random(12345);
    int kills = 0;
    for (int round = 0; round < 60; ++round)
    {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0)
        {
            for (unsigned i = 0;; ++i)
            {
                try
                {
                    save(path, i % 2 ? a : b);
                }
                catch (...)
                {
                    std::_Exit(3);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 8000));
        ::kill(child, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));  // killed, not failed
        kills += WTERMSIG(status) == SIGKILL;
        const std::string now = read_text(path);
        REQUIRE((now == a || now == b));
    }
    REQUIRE(kills == 60);
    save(path, a);  // removes what the killed saves left
    REQUIRE(others_in(dir.path(), "model.npz").empty());
}
