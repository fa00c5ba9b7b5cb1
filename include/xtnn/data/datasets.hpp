// SPDX-License-Identifier: MIT
// The MNIST family by name: MNIST, Fashion-MNIST, KMNIST, the EMNIST splits and notMNIST are
// all stored as MNIST is (four IDX files of 28 x 28 u8 images and u8 labels), so one loader
// with the book's options reads them all, each from its own folder of the data directory,
// with its class names. cmake/fetch-data.cmake downloads and verifies them into that layout;
// docs/data.md lists their files, sources and licences.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/idx_dataset.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/error.hpp>

namespace xtnn::data
{
/// An MNIST-format data set xtnn knows by name.
struct dataset_info
{
    std::string name;         ///< "fashion-mnist", what --dataset takes
    std::string folder;       ///< its folder in the data directory: DIR/<folder>
    std::string title;        ///< "Fashion-MNIST (Zalando Research)", for people
    std::string train_stem;   ///< "train": files train-images-idx3-ubyte[.gz], ...
    std::string test_stem;    ///< "t10k"
    std::vector<std::string> class_names;  ///< one per class, in label order
    unsigned label_offset = 0;  ///< what the files' first label is (EMNIST letters: 1)
    bool transposed = false;    ///< the files store each image transposed (EMNIST)
};

/// A name that is not one of known_datasets().
class unknown_dataset : public error
{
public:
    using error::error;
};
}  // namespace xtnn::data

namespace xtnn::detail
{
inline std::vector<std::string> class_range(char first, char last)
{
    std::vector<std::string> names;
    for (char c = first; c <= last; ++c)
    {
        names.emplace_back(1, c);
    }
    return names;
}

inline std::vector<std::string> concat_names(std::vector<std::vector<std::string>> parts)
{
    std::vector<std::string> out;
    for (auto& part : parts)
    {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

/// One EMNIST split: files emnist-<split>-{train,test}-{images-idx3,labels-idx1}-ubyte.gz.
inline data::dataset_info emnist_split(const std::string& split, std::vector<std::string> classes,
                                       unsigned label_offset = 0)
{
    return {"emnist-" + split,   "emnist",
            "EMNIST " + split + " (NIST, Cohen et al. 2017)",
            "emnist-" + split + "-train", "emnist-" + split + "-test",
            std::move(classes),  label_offset,
            true};
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// Every data set load_dataset reads, in the order `--list` shows them.
inline const std::vector<dataset_info>& known_datasets()
{
    using xtnn::detail::class_range;
    using xtnn::detail::concat_names;
    using xtnn::detail::emnist_split;
    const auto digits = class_range('0', '9');
    const auto upper = class_range('A', 'Z');
    // EMNIST balanced and bymerge merge the 15 lower-case letters that look like their
    // capitals (c i j k l m o p s u v w x y z) into them; these 11 stay apart.
    const std::vector<std::string> distinct_lower = {"a", "b", "d", "e", "f", "g",
                                                     "h", "n", "q", "r", "t"};
    static const std::vector<dataset_info> sets = {
        {"mnist", "mnist", "MNIST (LeCun, Cortes, Burges)", "train", "t10k", digits},
        {"fashion-mnist", "fashion-mnist", "Fashion-MNIST (Zalando Research)", "train", "t10k",
         {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot"}},
        // Kuzushiji-MNIST's ten hiragana, romanised as torchvision and the paper name them.
        {"kmnist", "kmnist", "Kuzushiji-MNIST (ROIS-DS CODH)", "train", "t10k",
         {"o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"}},
        emnist_split("digits", digits),
        emnist_split("letters", upper, 1),  // labels 1..26 in the files: A is 1
        emnist_split("balanced", concat_names({digits, upper, distinct_lower})),
        emnist_split("mnist", digits),
        emnist_split("byclass", concat_names({digits, upper, class_range('a', 'z')})),
        emnist_split("bymerge", concat_names({digits, upper, distinct_lower})),
        {"notmnist", "notmnist", "notMNIST (Y. Bulatov), in MNIST format", "train", "t10k",
         class_range('A', 'J')},
    };
    return sets;
}

/// "mnist, fashion-mnist, kmnist, emnist-digits, ...".
inline std::string known_dataset_names()
{
    std::string names;
    for (const auto& info : known_datasets())
    {
        names += (names.empty() ? "" : ", ") + info.name;
    }
    return names;
}

/// The data set called `name`.
/// @throws unknown_dataset naming it and listing the known ones.
inline const dataset_info& find_dataset(std::string_view name)
{
    for (const auto& info : known_datasets())
    {
        if (info.name == name)
        {
            return info;
        }
    }
    throw unknown_dataset("xtnn::data::find_dataset: unknown data set \"" + std::string(name) +
                          "\"; known: " + known_dataset_names());
}

/// A data set as load_dataset returns it.
template <class T = float>
struct dataset
{
    const dataset_info* info = nullptr;  ///< which one (from known_datasets())
    mnist_split<T> train;                ///< empty when only the test part was asked for
    mnist_split<T> test;                 ///< empty when only the training part was asked for
    std::string source;                  ///< the files read, for programs to print
    std::vector<std::string> notes;      ///< what the loader changed on the way, if anything

    /// The class names in label order: "0".."9", "T-shirt/top", ..., "A".."Z".
    const std::vector<std::string>& class_names() const { return info->class_names; }
    std::size_t classes() const { return info->class_names.size(); }
};
}  // namespace xtnn::data

namespace xtnn::detail
{
inline idx_set_format idx_format_of(const data::dataset_info& info)
{
    return {info.name, info.train_stem, info.test_stem, info.class_names.size(),
            info.label_offset, info.transposed};
}

/// Reads `parts` of a named data set; see data::load_dataset.
template <class T>
data::dataset<T> load_dataset_parts(const std::string& name, const std::string& dir,
                                    const std::vector<data::mnist_part>& parts,
                                    const data::mnist_options& options, const char* where)
{
    const data::dataset_info& info = data::find_dataset(name);
    data::dataset<T> out;
    out.info = &info;
    std::vector<data::mnist_split<T>> loaded;
    if (info.name == "mnist")
    {
        const mnist_source source = mnist_locate(dir, parts, where);
        out.source = source.describe();
        loaded = mnist_load_parts<T>(source, parts, options, where);
    }
    else
    {
        // DIR/<folder>, or DIR itself when it is that folder (--data ~/data/kmnist). The
        // EMNIST files carry the split in their names, so DIR itself is safe to search too;
        // MNIST's, Fashion-MNIST's and KMNIST's share their names, so no other folder is.
        const std::filesystem::path base(dir);
        std::vector<std::filesystem::path> dirs = {base / info.folder};
        if (info.transposed || base.filename() == info.folder ||
            (base.filename().empty() && base.parent_path().filename() == info.folder))
        {
            dirs.push_back(base);
        }
        const idx_set_format format = idx_format_of(info);
        const idx_set_paths found = idx_set_locate(dirs, format, parts);
        if (!found.complete())
        {
            throw data::data_not_found(
                std::string(where) + ": " + info.title + " files not found in " +
                    quoted_list(dirs) + ":" + found.missing +
                    "\nFetch and verify them with " + fetch_data_command(info.name) +
                    " (docs/data.md lists the files, their sources and sha256).",
                info.name, dir);
        }
        loaded = idx_set_load_parts<T>(found.paths, format, parts, options, where);
        out.source = idx_set_source(found.paths);
    }
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        (parts[i] == data::mnist_part::train ? out.train : out.test) = std::move(loaded[i]);
    }
    if (info.transposed)
    {
        out.notes.push_back("EMNIST stores each image transposed: turned the right way up");
    }
    if (info.label_offset != 0)
    {
        out.notes.push_back("the files' labels " + std::to_string(info.label_offset) + ".." +
                            std::to_string(info.label_offset + info.class_names.size() - 1) +
                            " are returned as 0.." +
                            std::to_string(info.class_names.size() - 1) + " (" +
                            info.class_names.front() + ".." + info.class_names.back() + ")");
    }
    return out;
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// Loads the training and test parts of the data set called `name` (see known_datasets())
/// from its folder in `dir`, with the book's options: images (N, 784) in [0, 1] by default,
/// labels (N,) from 0 or one-hot. MNIST is looked for as load_mnist does (also in `dir`
/// itself and in the Keras and book caches); the others in DIR/<folder>, or in `dir` itself
/// when it is that folder. EMNIST images come back the right way up and EMNIST letters'
/// labels from 0 (A); `notes` says so.
/// @throws unknown_dataset for a name not in known_datasets().
/// @throws data_not_found listing the files tried and the command that fetches them.
/// @throws format_error as load_mnist, and for a label outside the data set's range (a
/// folder holding another data set's files).
template <class T = float>
dataset<T> load_dataset(const std::string& name, const std::string& dir,
                        const mnist_options& options = {})
{
    return xtnn::detail::load_dataset_parts<T>(name, dir, {mnist_part::train, mnist_part::test},
                                               options, "xtnn::data::load_dataset");
}

/// load_dataset for one part only; the other part of the result stays empty.
template <class T = float>
dataset<T> load_dataset_part(const std::string& name, const std::string& dir, mnist_part part,
                             const mnist_options& options = {})
{
    return xtnn::detail::load_dataset_parts<T>(name, dir, {part}, options,
                                               "xtnn::data::load_dataset_part");
}
}  // namespace xtnn::data
