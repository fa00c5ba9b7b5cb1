// SPDX-License-Identifier: MIT
// MNIST as "Deep Learning from Scratch"'s load_mnist gives it: the four IDX files (raw or
// .gz, either common spelling of their names) read into (N, 784) or (N, 1, 28, 28) images
// scaled to [0, 1] and (N,) or one-hot (N, 10) labels.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/one_hot.hpp>
#include <xtnn/io/idx.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// How load_mnist shapes and scales the data; the defaults are the book's.
struct mnist_options
{
    bool normalize = true;       ///< pixels / 255 in [0, 1]; else 0..255
    bool flatten = true;         ///< images (N, 784); else (N, 1, 28, 28)
    bool one_hot_label = false;  ///< labels (N, 10) of 0/1; else (N,) of 0..9
};

/// One part of MNIST: images (N, 784) or (N, 1, 28, 28), labels (N,) or (N, 10).
template <class T = float>
struct mnist_split
{
    xt::xarray<T> images;
    xt::xarray<T> labels;

    /// N, the number of samples.
    std::size_t size() const { return images.dimension() == 0 ? 0 : images.shape()[0]; }
};

/// The 60000 training and 10000 test samples.
template <class T = float>
struct mnist_data
{
    mnist_split<T> train;
    mnist_split<T> test;
};

enum class mnist_part
{
    train,
    test
};
}  // namespace xtnn::data

namespace xtnn::detail
{
/// The official gz names and md5 sums (yann.lecun.com/exdb/mnist/), for the help message.
inline std::string mnist_download_help()
{
    return "Get the four files from the MNIST page (yann.lecun.com/exdb/mnist/), gzipped or "
           "not:\n"
           "  train-images-idx3-ubyte.gz  md5 f68b3c2dcbeaaa9fbdd348bbdeb94873\n"
           "  train-labels-idx1-ubyte.gz  md5 d53e105ee54ea40749a09fcbcd1e9432\n"
           "  t10k-images-idx3-ubyte.gz   md5 9fb629c4189551a2d022fa330f9573f3\n"
           "  t10k-labels-idx1-ubyte.gz   md5 ec29112dd5afa0611ce80d1b7f02629c\n"
           "Programs take the data directory from --data DIR, else $XTNN_DATA_DIR, else "
           "./data; the files may sit in it or in its mnist/ subdirectory.";
}

/// The four names tried for one file: "<stem>-<kind>" and "<stem>.<kind>" (both spellings
/// are common), each raw before .gz (raw needs no inflate).
inline std::array<std::string, 4> mnist_names(const std::string& stem, const std::string& kind)
{
    return {stem + "-" + kind, stem + "-" + kind + ".gz", stem + "." + kind,
            stem + "." + kind + ".gz"};
}

/// The first of `names` that is a file in the first of `dirs` holding one; "" when none.
template <std::size_t D, std::size_t N>
std::string mnist_find(const std::array<std::filesystem::path, D>& dirs,
                       const std::array<std::string, N>& names)
{
    for (const auto& dir : dirs)
    {
        for (const auto& name : names)
        {
            std::error_code ignored;
            if (std::filesystem::is_regular_file(dir / name, ignored))
            {
                return (dir / name).string();
            }
        }
    }
    return "";
}

/// The images and labels paths of each part, in order (images, labels, images, ...), found
/// in `dir` or else `dir/mnist`.
/// @throws data::data_not_found listing every missing file, the names tried and how to get
/// the files.
inline std::vector<std::string> mnist_locate(const std::string& dir,
                                             const std::vector<data::mnist_part>& parts,
                                             const char* where)
{
    const std::array<std::filesystem::path, 2> dirs = {dir, std::filesystem::path(dir) / "mnist"};
    std::vector<std::string> found;
    std::string missing;
    for (const auto part : parts)
    {
        const std::string prefix = part == data::mnist_part::train ? "train" : "t10k";
        for (const auto& [stem, kind] :
             {std::pair<std::string, const char*>{"-images", "idx3-ubyte"},
              {"-labels", "idx1-ubyte"}})
        {
            const auto names = mnist_names(prefix + stem, kind);
            found.push_back(mnist_find(dirs, names));
            if (found.back().empty())
            {
                missing += "\n  " + prefix + stem + ": tried " + names[0] + ", " + names[1] + ", " +
                           names[2] + ", " + names[3];
            }
        }
    }
    if (!missing.empty())
    {
        throw data::data_not_found(std::string(where) + ": MNIST files not found in " +
                                 quoted(dirs[0].string()) + " or " + quoted(dirs[1].string()) +
                                 ":" + missing + "\n" + mnist_download_help());
    }
    return found;
}

/// "bad magic 0x00000801; expected 0x00000803" unless `array` is u8 of the given rank.
inline void mnist_check_magic(const io::ndarray& array, std::size_t rank,
                              const std::string& context, const char* what)
{
    if (array.type != io::dtype::u1 || array.shape.size() != rank)
    {
        const auto magic =
            (std::uint32_t(idx_code_of(array.type)) << 8) | std::uint32_t(array.shape.size());
        throw format_error(context + ": bad magic " + idx_hex(magic, 8) + "; expected " +
                           idx_hex(0x0800u | std::uint32_t(rank), 8) + " (" + what + ")");
    }
}

/// Reads and checks one images file and one labels file; see data::load_mnist_part.
template <class T>
data::mnist_split<T> mnist_load(const std::string& images_path, const std::string& labels_path,
                              const data::mnist_options& options, const char* where)
{
    static_assert(std::is_floating_point_v<T>, "MNIST loads into float or double");
    const std::string images_context = std::string(where) + ": " + quoted(images_path);
    const std::string labels_context = std::string(where) + ": " + quoted(labels_path);

    const io::ndarray images = io::read_idx(images_path);
    mnist_check_magic(images, 3, images_context, "u8 images, N x 28 x 28");
    if (images.shape[1] != 28 || images.shape[2] != 28)
    {
        throw format_error(images_context + ": images are " + std::to_string(images.shape[1]) +
                           " x " + std::to_string(images.shape[2]) + "; expected 28 x 28");
    }
    const io::ndarray labels = io::read_idx(labels_path);
    mnist_check_magic(labels, 1, labels_context, "u8 labels, N");
    const std::size_t n = images.shape[0];
    if (labels.shape[0] != n)
    {
        throw format_error(std::string(where) + ": " + quoted(images_path) + " holds " +
                           std::to_string(n) + " images but " + quoted(labels_path) + " holds " +
                           std::to_string(labels.shape[0]) + " labels; expected equal counts");
    }

    data::mnist_split<T> split;
    // One flat loop each, straight into the result's buffer: per-element xtensor indexing
    // would dominate the load time.
    constexpr std::size_t pixels = 28 * 28;
    using shape_type = typename xt::xarray<T>::shape_type;
    split.images =
        xt::xarray<T>(options.flatten ? shape_type{n, pixels} : shape_type{n, 1, 28, 28});
    const std::uint8_t* src = images.data.data();
    T* dst = split.images.data();
    if (options.normalize)
    {
        for (std::size_t i = 0; i < n * pixels; ++i)
        {
            dst[i] = static_cast<T>(src[i]) / T(255);  // the book: x.astype(float32) / 255.0
        }
    }
    else
    {
        for (std::size_t i = 0; i < n * pixels; ++i)
        {
            dst[i] = static_cast<T>(src[i]);
        }
    }

    const std::uint8_t* label = labels.data.data();
    for (std::size_t i = 0; i < n; ++i)
    {
        if (label[i] > 9)
        {
            throw format_error(labels_context + ": label " + std::to_string(label[i]) +
                               " at index " + std::to_string(i) + "; expected 0..9");
        }
    }
    if (options.one_hot_label)
    {
        split.labels = data::one_hot<T>(labels.data, 10);
    }
    else
    {
        split.labels = xt::xarray<T>(shape_type{n});
        T* out = split.labels.data();
        for (std::size_t i = 0; i < n; ++i)
        {
            out[i] = static_cast<T>(label[i]);
        }
    }
    return split;
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// Loads one part of MNIST from `dir` (or `dir/mnist`): train-* (60000 samples) or t10k-*
/// (10000). File names "train-images-idx3-ubyte" and "train-images.idx3-ubyte", each raw or
/// ".gz", are all accepted (likewise for the labels and t10k files).
/// Returns images (N, 784) or (N, 1, 28, 28), labels (N,) or (N, 10); see mnist_options.
/// @throws data_not_found when a file is missing (the message says how to get them).
/// @throws format_error when a file is not u8 N x 28 x 28 images / u8 N labels in 0..9, or
/// the two counts differ; io_error when a file cannot be read.
template <class T = float>
mnist_split<T> load_mnist_part(const std::string& dir, mnist_part part,
                               const mnist_options& options = {})
{
    constexpr const char* where = "xtnn::data::load_mnist_part";
    const auto paths = xtnn::detail::mnist_locate(dir, {part}, where);
    return xtnn::detail::mnist_load<T>(paths[0], paths[1], options, where);
}

/// Loads both parts of MNIST from `dir` (or `dir/mnist`), like the book's
/// load_mnist(normalize=True, flatten=True, one_hot_label=False).
/// All four files are located before any is read, so a missing one fails fast.
/// @throws as load_mnist_part.
template <class T = float>
mnist_data<T> load_mnist(const std::string& dir, const mnist_options& options = {})
{
    constexpr const char* where = "xtnn::data::load_mnist";
    const auto paths =
        xtnn::detail::mnist_locate(dir, {mnist_part::train, mnist_part::test}, where);
    mnist_data<T> data;
    data.train = xtnn::detail::mnist_load<T>(paths[0], paths[1], options, where);
    data.test = xtnn::detail::mnist_load<T>(paths[2], paths[3], options, where);
    return data;
}
}  // namespace xtnn::data
