// SPDX-License-Identifier: MIT
// MNIST from the two caches people already have on disk:
//   - Keras's mnist.npz (keras.datasets.mnist.load_data() keeps it in ~/.keras/datasets/):
//     x_train (60000, 28, 28) uint8, y_train (60000,) uint8, x_test, y_test;
//   - the book's mnist.pkl (dataset/mnist.py's init_mnist pickles it): a dict of
//     train_img (60000, 784) uint8, train_label (60000,) uint8, test_img, test_label.
// Both are read by xtnn's own npz and restricted pickle readers: nothing in them is executed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <xtnn/data/idx_dataset.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>

namespace xtnn::detail
{
/// The array names of one cache layout.
struct mnist_cache_layout
{
    const char* what;  ///< "Keras's mnist.npz", in messages
    const char* train_images;
    const char* train_labels;
    const char* test_images;
    const char* test_labels;
};

inline constexpr mnist_cache_layout keras_mnist_layout{"Keras's mnist.npz", "x_train", "y_train",
                                                       "x_test", "y_test"};
inline constexpr mnist_cache_layout book_mnist_layout{"the book's mnist.pkl", "train_img",
                                                      "train_label", "test_img", "test_label"};

/// "x_train (N, 28, 28) uint8, y_train (N,) uint8, x_test, y_test".
inline std::string mnist_cache_expected(const mnist_cache_layout& layout)
{
    return std::string(layout.train_images) + " (N, 28, 28) or (N, 784) uint8, " +
           layout.train_labels + " (N,) integers, " + layout.test_images + ", " +
           layout.test_labels;
}

/// The named array, or a format_error that lists what the file does hold.
inline const io::ndarray& mnist_cache_array(const io::named_arrays& arrays, const char* name,
                                            const mnist_cache_layout& layout,
                                            const std::string& context)
{
    if (const io::ndarray* found = io::find_array(arrays, name))
    {
        return *found;
    }
    std::string held;
    for (const auto& [key, array] : arrays)
    {
        held += (held.empty() ? "" : ", ") + key;
    }
    throw format_error(context + " (" + layout.what + ") has no array '" + name + "'; expected " +
                       mnist_cache_expected(layout) + "; it holds " +
                       (held.empty() ? "no arrays" : held));
}

/// One part of MNIST from a cache's arrays: images u8 (N, 28, 28) or (N, 784), labels (N,)
/// of any integer type holding 0..9.
template <class T>
data::mnist_split<T> mnist_cache_part(const io::named_arrays& arrays, data::mnist_part part,
                                      const mnist_cache_layout& layout,
                                      const data::mnist_options& options,
                                      const std::string& context)
{
    const bool train = part == data::mnist_part::train;
    const char* images_name = train ? layout.train_images : layout.test_images;
    const char* labels_name = train ? layout.train_labels : layout.test_labels;
    const io::ndarray& images = mnist_cache_array(arrays, images_name, layout, context);
    const io::ndarray& labels = mnist_cache_array(arrays, labels_name, layout, context);

    const auto& shape = images.shape;
    const bool square = shape.size() == 3 && shape[1] == 28 && shape[2] == 28;
    const bool flat = shape.size() == 2 && shape[1] == 784;
    if (images.type != io::dtype::u1 || !(square || flat))
    {
        throw format_error(context + " (" + layout.what + "): '" + images_name + "' is " +
                           io::descr(images.type) + " " + shape_string(shape) +
                           "; expected uint8 pixels (N, 28, 28) or (N, 784)");
    }
    const bool integers = labels.type != io::dtype::f4 && labels.type != io::dtype::f8 &&
                          labels.type != io::dtype::b1;
    if (!integers || labels.shape.size() != 1 || labels.shape[0] != shape[0])
    {
        throw format_error(context + " (" + layout.what + "): '" + labels_name + "' is " +
                           io::descr(labels.type) + " " + shape_string(labels.shape) +
                           "; expected " + std::to_string(shape[0]) + " integer labels (" +
                           std::to_string(shape[0]) + ",) to go with '" + images_name + "'");
    }
    // Labels of any integer type, narrowed to the u8 the IDX path uses once they are known
    // to be 0..9 (a larger value is reported as it is, not wrapped).
    const auto wide = labels.as<double>();
    std::vector<std::uint8_t> small(wide.size());
    const std::string labels_context = context + " (" + layout.what + "), '" + labels_name + "'";
    for (std::size_t i = 0; i < small.size(); ++i)
    {
        if (!(wide[i] >= 0 && wide[i] <= 9))
        {
            char value[64];
            std::snprintf(value, sizeof value, "%.0f", wide[i]);  // an integer, however wide
            throw format_error(labels_context + ": label " + value +
                               " at index " + std::to_string(i) + "; expected 0..9");
        }
        small[i] = static_cast<std::uint8_t>(wide[i]);
    }
    return mnist_split_from<T>(images.data.data(), small.data(), shape[0], idx_set_format{},
                               options, labels_context);
}

/// Reads the parts of MNIST asked for from a Keras mnist.npz or the book's mnist.pkl.
template <class T>
std::vector<data::mnist_split<T>> mnist_cache_load(const std::string& path, bool keras,
                                                   const std::vector<data::mnist_part>& parts,
                                                   const data::mnist_options& options,
                                                   const char* where)
{
    const io::named_arrays arrays = keras ? io::read_npz(path) : io::read_pickle(path);
    const std::string context = std::string(where) + ": " + quoted(path);
    std::vector<data::mnist_split<T>> out;
    for (const auto part : parts)
    {
        out.push_back(mnist_cache_part<T>(arrays, part, keras ? keras_mnist_layout
                                                              : book_mnist_layout,
                                          options, context));
    }
    return out;
}
}  // namespace xtnn::detail
