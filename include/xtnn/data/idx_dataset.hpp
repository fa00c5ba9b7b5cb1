// SPDX-License-Identifier: MIT
// An MNIST-format data set: two pairs of IDX files (u8 N x 28 x 28 images, u8 N labels), raw
// or .gz, read into (N, 784) or (N, 1, 28, 28) images and (N,) or one-hot labels with the
// book's options. MNIST, Fashion-MNIST, KMNIST, EMNIST and notMNIST are all stored this way;
// data/mnist.hpp and data/datasets.hpp say which files and quirks each has.
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

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/one_hot.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/idx.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// How a loader shapes and scales the data; the defaults are the book's load_mnist.
struct mnist_options
{
    bool normalize = true;       ///< pixels / 255 in [0, 1]; else 0..255
    bool flatten = true;         ///< images (N, 784); else (N, 1, 28, 28)
    bool one_hot_label = false;  ///< labels (N, classes) of 0/1; else (N,) of 0..classes-1
};

/// One part of a data set: images (N, 784) or (N, 1, 28, 28), labels (N,) or (N, classes).
template <class T = float>
struct mnist_split
{
    xt::xarray<T> images;
    xt::xarray<T> labels;

    /// N, the number of samples.
    std::size_t size() const { return images.dimension() == 0 ? 0 : images.shape()[0]; }
};

/// The training and test parts (MNIST: 60000 and 10000 samples).
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
/// How one MNIST-format data set names its files and what its labels mean.
struct idx_set_format
{
    std::string name = "MNIST";        ///< in messages
    std::string train_stem = "train";  ///< files <stem>-images-idx3-ubyte and -labels-idx1-ubyte
    std::string test_stem = "t10k";
    std::size_t classes = 10;
    unsigned label_offset = 0;  ///< EMNIST letters stores 1..26: subtract 1
    bool transposed = false;    ///< EMNIST stores each image transposed: turn it back

    const std::string& stem(data::mnist_part part) const
    {
        return part == data::mnist_part::train ? train_stem : test_stem;
    }
};

/// The four names tried for one file: "<stem>-<kind>" and "<stem>.<kind>" (both spellings
/// are common), each raw before .gz (raw needs no inflate).
inline std::array<std::string, 4> mnist_names(const std::string& stem, const std::string& kind)
{
    return {stem + "-" + kind, stem + "-" + kind + ".gz", stem + "." + kind,
            stem + "." + kind + ".gz"};
}

/// The first of `names` that is a regular file in the first of `dirs` holding one; "" when
/// none.
template <std::size_t N>
std::string first_file(const std::vector<std::filesystem::path>& dirs,
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

/// "\"a\"" or "\"a\" or \"b\"" or "\"a\", \"b\" or \"c\"".
inline std::string quoted_list(const std::vector<std::filesystem::path>& dirs)
{
    std::string out;
    for (std::size_t i = 0; i < dirs.size(); ++i)
    {
        out += (i == 0 ? "" : i + 1 == dirs.size() ? " or " : ", ") + quoted(dirs[i].string());
    }
    return out;
}

/// What idx_set_locate found: the images and labels path of each part asked for, in order
/// (images, labels, images, ...), or, when some are missing, a list of what was tried.
struct idx_set_paths
{
    std::vector<std::string> paths;
    std::string missing;  ///< "\n  train-images: tried ..." per missing file; "" when all found

    bool complete() const { return missing.empty(); }
};

/// Looks for the files of `parts` in the first of `dirs` holding each.
inline idx_set_paths idx_set_locate(const std::vector<std::filesystem::path>& dirs,
                                    const idx_set_format& format,
                                    const std::vector<data::mnist_part>& parts)
{
    idx_set_paths found;
    for (const auto part : parts)
    {
        for (const auto& [what, kind] : {std::pair<const char*, const char*>{"-images", "idx3-ubyte"},
                                         {"-labels", "idx1-ubyte"}})
        {
            const std::string stem = format.stem(part) + what;
            const auto names = mnist_names(stem, kind);
            found.paths.push_back(first_file(dirs, names));
            if (found.paths.back().empty())
            {
                found.missing += "\n  " + stem + ": tried " + names[0] + ", " + names[1] + ", " +
                                 names[2] + ", " + names[3];
            }
        }
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

/// Builds a split from n images of 28 x 28 u8 pixels (row-major, or transposed as the format
/// says) and n u8 labels (with the format's offset), checking every label's range first.
/// The contexts name the files (or arrays) in messages.
template <class T>
data::mnist_split<T> mnist_split_from(const std::uint8_t* pixels, const std::uint8_t* label,
                                      std::size_t n, const idx_set_format& format,
                                      const data::mnist_options& options,
                                      const std::string& labels_context)
{
    static_assert(std::is_floating_point_v<T>, "images load into float or double");
    const unsigned first = format.label_offset;
    const unsigned last = first + static_cast<unsigned>(format.classes) - 1;
    for (std::size_t i = 0; i < n; ++i)
    {
        if (label[i] < first || label[i] > last)
        {
            throw format_error(labels_context + ": label " + std::to_string(label[i]) +
                               " at index " + std::to_string(i) + "; expected " +
                               std::to_string(first) + ".." + std::to_string(last) +
                               (format.name == "MNIST" ? "" : " (" + format.name + ")"));
        }
    }

    data::mnist_split<T> split;
    // One flat loop each, straight into the result's buffer: per-element xtensor indexing
    // would dominate the load time.
    constexpr std::size_t side = 28;
    constexpr std::size_t area = side * side;
    using shape_type = typename xt::xarray<T>::shape_type;
    split.images =
        xt::xarray<T>(options.flatten ? shape_type{n, area} : shape_type{n, 1, side, side});
    T* dst = split.images.data();
    for (std::size_t i = 0; i < n; ++i, pixels += area, dst += area)
    {
        for (std::size_t r = 0; r < side; ++r)
        {
            for (std::size_t c = 0; c < side; ++c)
            {
                const std::uint8_t v = format.transposed ? pixels[c * side + r] : pixels[r * side + c];
                // The book: x.astype(float32) / 255.0 (a division: * (1/255) rounds otherwise).
                dst[r * side + c] = options.normalize ? static_cast<T>(v) / T(255) : static_cast<T>(v);
            }
        }
    }

    std::vector<std::size_t> classes(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        classes[i] = label[i] - first;
    }
    if (options.one_hot_label)
    {
        split.labels = data::one_hot<T>(classes, format.classes);
    }
    else
    {
        split.labels = xt::xarray<T>(shape_type{n});
        std::copy(classes.begin(), classes.end(), split.labels.data());
    }
    return split;
}

/// Reads and checks one images file and one labels file of `format`.
template <class T>
data::mnist_split<T> idx_set_load(const std::string& images_path, const std::string& labels_path,
                                  const idx_set_format& format, const data::mnist_options& options,
                                  const char* where)
{
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
                           std::to_string(labels.shape[0]) +
                           " labels; expected equal counts (are they from the same data set?)");
    }
    return mnist_split_from<T>(images.data.data(), labels.data.data(), n, format, options,
                               labels_context);
}

/// Reads the parts idx_set_locate found (`paths`: images, labels per part, in order).
template <class T>
std::vector<data::mnist_split<T>> idx_set_load_parts(const std::vector<std::string>& paths,
                                                     const idx_set_format& format,
                                                     const std::vector<data::mnist_part>& parts,
                                                     const data::mnist_options& options,
                                                     const char* where)
{
    std::vector<data::mnist_split<T>> out;
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        out.push_back(idx_set_load<T>(paths.at(2 * i), paths.at(2 * i + 1), format, options, where));
    }
    return out;
}

/// "the IDX files in \"DIR\"" (the folder of the first file), for programs to print.
inline std::string idx_set_source(const std::vector<std::string>& paths)
{
    return "the IDX files in " + quoted(std::filesystem::path(paths.at(0)).parent_path().string());
}
}  // namespace xtnn::detail
