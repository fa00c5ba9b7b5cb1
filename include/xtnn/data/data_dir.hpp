// SPDX-License-Identifier: MIT
// Where programs look for data sets: the --data DIR flag, else $XTNN_DATA_DIR, else ./data.
// Also the exception a loader throws when a data set's files are not there.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>

#include <xtnn/error.hpp>

namespace xtnn::data
{
/// A data set's files are missing. The message says which directory was searched, which
/// file names were tried and where to get the files.
class data_not_found : public io_error
{
public:
    using io_error::io_error;

    /// `dataset` is the data set's name ("mnist", "fashion-mnist", ...) and `directory` the
    /// data directory searched, so that a program can print the exact command that fetches it.
    data_not_found(const std::string& message, std::string dataset, std::string directory)
        : io_error(message), m_dataset(std::move(dataset)), m_directory(std::move(directory))
    {
    }

    /// The data set's name, "" when the files are not a named data set's.
    const std::string& dataset() const noexcept { return m_dataset; }
    /// The data directory searched, "" when not known.
    const std::string& directory() const noexcept { return m_directory; }

private:
    std::string m_dataset;
    std::string m_directory;
};
}  // namespace xtnn::data

namespace xtnn::detail
{
/// "xtnn's cmake/fetch-data.cmake: cmake -P cmake/fetch-data.cmake NAME DIR", the command
/// data_not_found messages give (programs built from the source tree print its full path).
inline std::string fetch_data_command(const std::string& dataset)
{
    return "xtnn's cmake/fetch-data.cmake: cmake -P cmake/fetch-data.cmake " + dataset + " DIR";
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// The data directory, first of:
///   1. `flag_value` (a program's `--data DIR`) when it is non-empty;
///   2. the environment variable XTNN_DATA_DIR when it is set and non-empty;
///   3. "./data".
/// Data sets sit in subdirectories of it (e.g. DIR/mnist).
inline std::string resolve_data_dir(const std::string& flag_value)
{
    if (!flag_value.empty())
    {
        return flag_value;
    }
    const char* env = std::getenv("XTNN_DATA_DIR");
    if (env && *env)
    {
        return env;
    }
    return "./data";
}
}  // namespace xtnn::data
