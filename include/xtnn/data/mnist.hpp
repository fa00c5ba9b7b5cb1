// SPDX-License-Identifier: MIT
// MNIST as "Deep Learning from Scratch"'s load_mnist gives it: (N, 784) or (N, 1, 28, 28)
// images scaled to [0, 1] and (N,) or one-hot (N, 10) labels. Read from the four IDX files
// (raw or .gz, either common spelling of their names) in DIR or DIR/mnist, else from a cache
// already on disk: Keras's mnist.npz or the book's mnist.pkl in DIR or DIR/mnist, else Keras's
// own cache, $KERAS_HOME/datasets/mnist.npz (default ~/.keras/datasets/mnist.npz).
#pragma once

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/idx_dataset.hpp>
#include <xtnn/data/mnist_caches.hpp>
#include <xtnn/error.hpp>

namespace xtnn::detail
{
/// The official gz names and md5 sums (yann.lecun.com/exdb/mnist/), for the help message.
inline std::string mnist_download_help()
{
    std::string help =
        "Get the four files from the MNIST page (yann.lecun.com/exdb/mnist/), gzipped or not:\n"
        "  train-images-idx3-ubyte.gz  md5 f68b3c2dcbeaaa9fbdd348bbdeb94873\n"
        "  train-labels-idx1-ubyte.gz  md5 d53e105ee54ea40749a09fcbcd1e9432\n"
        "  t10k-images-idx3-ubyte.gz   md5 9fb629c4189551a2d022fa330f9573f3\n"
        "  t10k-labels-idx1-ubyte.gz   md5 ec29112dd5afa0611ce80d1b7f02629c\n"
        "or fetch and verify them with ";
    help += fetch_data_command("mnist");
    help += ".\nPrograms take the data directory from --data DIR, else $XTNN_DATA_DIR, else "
            "./data; the files may sit in it or in its mnist/ subdirectory.";
    return help;
}

/// Keras's cache folder for data sets: $KERAS_HOME/datasets, else ~/.keras/datasets; "" when
/// neither variable is set.
inline std::string keras_datasets_dir()
{
    const char* keras_home = std::getenv("KERAS_HOME");
    if (keras_home && *keras_home)
    {
        return (std::filesystem::path(keras_home) / "datasets").string();
    }
    const char* home = std::getenv("HOME");
    return home && *home ? (std::filesystem::path(home) / ".keras" / "datasets").string() : "";
}

/// Where MNIST was found: the IDX files, Keras's mnist.npz or the book's mnist.pkl.
struct mnist_source
{
    enum class kind
    {
        idx,
        keras_npz,
        book_pickle
    };
    kind type = kind::idx;
    std::vector<std::string> paths;  ///< idx: images, labels per part; else the one file

    /// "the IDX files in \"DIR\"" or "Keras's mnist.npz \"PATH\"", for programs to print.
    std::string describe() const
    {
        switch (type)
        {
        case kind::idx:
            return idx_set_source(paths);
        case kind::keras_npz:
            return std::string(keras_mnist_layout.what) + " " + quoted(paths.at(0));
        case kind::book_pickle:
            return std::string(book_mnist_layout.what) + " " + quoted(paths.at(0));
        }
        return "";
    }
};

/// Finds MNIST for `parts` in `dir`: the IDX files in dir or dir/mnist; when none of them is
/// there, a cache (mnist.npz, then mnist.pkl, in dir or dir/mnist; then Keras's own cache).
/// IDX files found only in part are reported as missing rather than passed over for a cache.
/// @throws data::data_not_found listing every name tried and how to get the files.
inline mnist_source mnist_locate(const std::string& dir,
                                 const std::vector<data::mnist_part>& parts, const char* where)
{
    const std::vector<std::filesystem::path> dirs = {dir, std::filesystem::path(dir) / "mnist"};
    const idx_set_paths idx = idx_set_locate(dirs, idx_set_format{}, parts);
    if (idx.complete())
    {
        return {mnist_source::kind::idx, idx.paths};
    }
    const bool some_idx = std::any_of(idx.paths.begin(), idx.paths.end(),
                                      [](const std::string& path) { return !path.empty(); });
    std::string caches;
    if (!some_idx)
    {
        const std::string keras_dir = keras_datasets_dir();
        for (const auto& [name, type] :
             {std::pair<const char*, mnist_source::kind>{"mnist.npz", mnist_source::kind::keras_npz},
              {"mnist.pkl", mnist_source::kind::book_pickle}})
        {
            std::vector<std::filesystem::path> where_to_look = dirs;
            if (type == mnist_source::kind::keras_npz && !keras_dir.empty())
            {
                where_to_look.emplace_back(keras_dir);
            }
            const std::string found = first_file(where_to_look, std::array<std::string, 1>{name});
            if (!found.empty())
            {
                return {type, {found}};
            }
            caches += std::string("\n  ") + name + " (" +
                      (type == mnist_source::kind::keras_npz ? keras_mnist_layout.what
                                                             : book_mnist_layout.what) +
                      "): tried in " + quoted_list(where_to_look);
        }
    }
    throw data::data_not_found(std::string(where) + ": MNIST files not found in " +
                                   quoted_list(dirs) + ":" + idx.missing + caches + "\n" +
                                   mnist_download_help(),
                               "mnist", dir);
}

/// Reads the parts of MNIST asked for, from wherever mnist_locate found them.
template <class T>
std::vector<data::mnist_split<T>> mnist_load_parts(const mnist_source& source,
                                                   const std::vector<data::mnist_part>& parts,
                                                   const data::mnist_options& options,
                                                   const char* where)
{
    if (source.type != mnist_source::kind::idx)
    {
        return mnist_cache_load<T>(source.paths[0], source.type == mnist_source::kind::keras_npz,
                                   parts, options, where);
    }
    return idx_set_load_parts<T>(source.paths, idx_set_format{}, parts, options, where);
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// Loads one part of MNIST from `dir` (or `dir/mnist`): train-* (60000 samples) or t10k-*
/// (10000). File names "train-images-idx3-ubyte" and "train-images.idx3-ubyte", each raw or
/// ".gz", are all accepted (likewise for the labels and t10k files). When none of the IDX
/// files is there, Keras's mnist.npz or the book's mnist.pkl is read instead (see above).
/// Returns images (N, 784) or (N, 1, 28, 28), labels (N,) or (N, 10); see mnist_options.
/// @throws data_not_found when the files are missing (the message says how to get them).
/// @throws format_error when a file is not u8 N x 28 x 28 images / u8 N labels in 0..9, or
/// the two counts differ, or a cache lacks an array; io_error when a file cannot be read.
template <class T = float>
mnist_split<T> load_mnist_part(const std::string& dir, mnist_part part,
                               const mnist_options& options = {})
{
    constexpr const char* where = "xtnn::data::load_mnist_part";
    const auto source = xtnn::detail::mnist_locate(dir, {part}, where);
    return std::move(xtnn::detail::mnist_load_parts<T>(source, {part}, options, where)[0]);
}

/// Loads both parts of MNIST from `dir` (or `dir/mnist`, or a cache), like the book's
/// load_mnist(normalize=True, flatten=True, one_hot_label=False).
/// All four files are located before any is read, so a missing one fails fast.
/// @throws as load_mnist_part.
template <class T = float>
mnist_data<T> load_mnist(const std::string& dir, const mnist_options& options = {})
{
    constexpr const char* where = "xtnn::data::load_mnist";
    const std::vector<mnist_part> parts = {mnist_part::train, mnist_part::test};
    auto loaded = xtnn::detail::mnist_load_parts<T>(xtnn::detail::mnist_locate(dir, parts, where),
                                                    parts, options, where);
    return {std::move(loaded[0]), std::move(loaded[1])};
}
}  // namespace xtnn::data
