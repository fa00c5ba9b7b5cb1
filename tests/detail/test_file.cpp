// SPDX-License-Identifier: MIT
// Tests for xtnn/detail/file.hpp's read_file: paths that are not regular files are refused
// with what they are, before they are opened (a FIFO would block, /dev/zero never ends).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <sys/stat.h>

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
