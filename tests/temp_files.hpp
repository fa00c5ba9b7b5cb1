// SPDX-License-Identifier: MIT
// Scratch files for tests that write their own fixtures: a fresh directory per test,
// removed with everything in it at scope exit, so cases can run in parallel (ctest -j).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>

namespace xtnn_test
{
/// A fresh directory under the system temp dir, removed at scope exit.
class temp_dir
{
public:
    temp_dir()
    {
        static std::atomic<int> counter{0};
        std::random_device random;
        m_path = std::filesystem::temp_directory_path() /
                 ("xtnn-test-" + std::to_string(random()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(m_path);
    }
    ~temp_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string path() const { return m_path.string(); }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

/// A path called `name` in a directory private to this test process, removed at exit.
inline std::string temp_path(const std::string& name)
{
    static const temp_dir directory;
    return directory.file(name);
}

/// True when a save's temporary ("<path>.tmp-xtnn-...") is still beside `path`.
inline bool temporary_left_beside(const std::string& path)
{
    const std::filesystem::path target(path);
    const std::string prefix = target.filename().string() + ".tmp-xtnn";
    for (const auto& entry : std::filesystem::directory_iterator(target.parent_path()))
    {
        if (entry.path().filename().string().rfind(prefix, 0) == 0)
        {
            return true;
        }
    }
    return false;
}

/// Writes `content` to `path` as it is.
inline void write_raw(const std::string& path, const std::vector<std::uint8_t>& content)
{
    xtnn::detail::write_file_atomically(path, content, "test");
}
/// Writes `text` to `path` as it is.
inline void write_text(const std::string& path, const std::string& content)
{
    xtnn::detail::write_file_atomically(path, content, "test");
}

/// Writes `content` gzip-compressed to `path`.
inline void write_gz(const std::string& path, const std::vector<std::uint8_t>& content)
{
    write_raw(path, xtnn::detail::deflate_all(content.data(), content.size(),
                                              xtnn::detail::zformat::gzip));
}
/// Writes `text` gzip-compressed to `path`.
inline void write_text_gz(const std::string& path, const std::string& content)
{
    write_gz(path, std::vector<std::uint8_t>(content.begin(), content.end()));
}
}  // namespace xtnn_test
