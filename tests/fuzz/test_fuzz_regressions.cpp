// SPDX-License-Identifier: MIT
// Every finding of the fuzzers, replayed through the same target functions in every build:
// tests/fuzz/regressions/<target>/<case> is the minimised input, <case>.expected the error
// message (a part of it) the reader must now throw. A case that crashes, throws anything but
// xtnn::error, or throws another message fails.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "fuzz_targets.hpp"

namespace
{
std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    {
        s.pop_back();
    }
    return s;
}
}  // namespace

TEST_CASE("fuzz regressions: every committed finding is refused with its pinned message")
{
    namespace fs = std::filesystem;
    const fs::path root = XTNN_FUZZ_REGRESSIONS;
    std::size_t cases = 0;
    for (const auto& target : xtnn_fuzz::targets())
    {
        const fs::path dir = root / target.name;
        if (!fs::is_directory(dir))
        {
            continue;
        }
        for (const auto& file : fs::directory_iterator(dir))
        {
            if (file.path().extension() == ".expected")
            {
                continue;
            }
            const fs::path expected_path = file.path().string() + ".expected";
            INFO(file.path().string());
            REQUIRE(fs::exists(expected_path));
            const std::string expected = read_text(expected_path);
            std::ifstream in(file.path(), std::ios::binary);
            const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                                  std::istreambuf_iterator<char>());
            std::string message = "(no exception)";
            try
            {
                target.run(bytes.data(), bytes.size());
            }
            catch (const xtnn::error& e)
            {
                message = e.what();
            }
            INFO("message: " << message);
            CHECK(message.find(expected) != std::string::npos);
            ++cases;
        }
    }
    INFO("cases replayed: " << cases);
    CHECK(cases > 0);
}
