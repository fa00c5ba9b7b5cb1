// SPDX-License-Identifier: MIT
// A network's weights in files under the book's names W1, b1 ... WN, bN: W_i (in, out) and
// b_i (out,) of the i-th layer whose parameters are a kernel and a bias (a dense layer). The
// format holds no architecture: activations come from the caller. Reads .npz and the book's
// pickle (told by the file's first bytes, not its name); writes .npz atomically, which numpy's
// np.load reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn::io
{
/// The named arrays in a weight file held in memory: a zip archive of .npy members (.npz)
/// or a pickle of a dict of numpy arrays (.pkl), told apart by their first bytes; `name`
/// names it in messages.
/// @throws format_error when it is neither or is corrupt.
inline named_arrays parse_weight_file(const std::uint8_t* data, std::size_t size,
                                      const std::string& name = "<memory>")
{
    if (size >= 4 && data[0] == 'P' && data[1] == 'K')
    {
        return parse_npz(data, size, name);
    }
    if (size > 0 && data[0] == 0x80)  // pickle PROTO opcode, protocols 2 and later
    {
        return parse_pickle(data, size, name);
    }
    throw format_error("xtnn::io::read_weight_file: " + xtnn::detail::quoted(name) +
                       ": not a weight file; expected an .npz archive (starts with \"PK\") or a "
                       "pickle of protocol 2 or later (starts with 0x80)");
}

/// The named arrays in the weight file at `path` (see parse_weight_file), whatever its
/// name says.
/// @throws io_error when it cannot be read, format_error when it is neither or is corrupt.
inline named_arrays read_weight_file(const std::string& path)
{
    const std::vector<std::uint8_t> bytes =
        xtnn::detail::read_file(path, "xtnn::io::read_weight_file");
    return parse_weight_file(bytes.data(), bytes.size(), path);
}

namespace detail
{
inline std::string parameter_name(char kind, std::size_t layer_index)
{
    std::string name(1, kind);  // appended: GCC 12's false -Wrestrict (see tensor.hpp)
    name += std::to_string(layer_index + 1);
    return name;
}

/// How many consecutive W1, W2, ... the arrays hold.
inline std::size_t count_layers(const array_index& index)
{
    std::size_t count = 0;
    while (index.find(parameter_name('W', count)))
    {
        ++count;
    }
    return count;
}

inline std::string names_of(const named_arrays& arrays)
{
    std::string names;
    for (const auto& entry : arrays)
    {
        names += (names.empty() ? "" : ", ") + entry.first;
    }
    return names.empty() ? "none" : names;
}

inline const ndarray& require_array(const named_arrays& arrays, const array_index& index,
                                    const std::string& name, const std::string& source,
                                    const char* where)
{
    const ndarray* array = index.find(name);
    if (!array)
    {
        throw format_error(std::string(where) + ": " + source + ": no array named " + name +
                           "; the file holds " + names_of(arrays));
    }
    return *array;
}

/// The layers W_i, b_i belong to: those whose parameters are a kernel and a bias, in order.
/// @throws format_error naming a layer with other parameters, which this format cannot hold.
template <class T>
std::vector<std::size_t> kernel_bias_layers(const network<T>& net, const char* where)
{
    std::vector<std::size_t> layers;
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const auto& layer = net.layer(i);
        const std::size_t count = layer.parameter_count();
        if (count == 0)
        {
            continue;
        }
        if (count != 2 || layer.parameter(0).name != "kernel" || layer.parameter(1).name != "bias")
        {
            std::string names;
            for (std::size_t p = 0; p < count; ++p)
            {
                names += (p ? ", " : "") + std::string(layer.parameter(p).name);
            }
            throw format_error(std::string(where) + ": layer " + std::to_string(i + 1) + " (" +
                               net.name(i) + ") has parameters " + names +
                               "; the W1, b1 ... format holds dense layers' kernels and biases "
                               "only (save the whole model instead)");
        }
        layers.push_back(i);
    }
    return layers;
}
}  // namespace detail

/// Copies W1, b1 ... WN, bN from `arrays` into the N dense layers of `net` (those with a
/// kernel and a bias), converting to T. `source` names the arrays' origin in messages.
/// @throws shape_error naming the layer and both shapes when an array does not fit, and
/// format_error when an array is missing or the file has another number of layers.
template <class T>
void load_weights(network<T>& net, const named_arrays& arrays, const std::string& source)
{
    constexpr const char* where = "xtnn::io::load_weights";
    const std::vector<std::size_t> layers = detail::kernel_bias_layers(net, where);
    const array_index index(arrays);
    const std::size_t file_layers = detail::count_layers(index);
    if (file_layers != layers.size())
    {
        throw shape_error(std::string(where) + ": " + source + " holds " +
                          std::to_string(file_layers) + " layers (W1..W" +
                          std::to_string(file_layers) + ") but the network has " +
                          std::to_string(layers.size()) + " dense layers");
    }
    // Check every array before changing any layer, so a bad file leaves the network as it was.
    std::vector<std::pair<const ndarray*, const ndarray*>> found;
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const auto& layer = net.layer(layers[i]);
        for (std::size_t p = 0; p < 2; ++p)
        {
            const std::string name = detail::parameter_name(p == 0 ? 'W' : 'b', i);
            const ndarray& array = detail::require_array(arrays, index, name, source, where);
            const std::vector<std::size_t> expected = layer.parameter(p).shape.to_vector();
            if (array.shape != expected)
            {
                throw shape_error(std::string(where) + ": " + source + ": " + name +
                                  " has shape " + shape_string(array.shape) + " but layer " +
                                  std::to_string(i + 1) + " expects " + shape_string(expected));
            }
            (p == 0 ? found.emplace_back(&array, nullptr).first : found.back().second) = &array;
        }
    }
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        auto& layer = net.mutable_layer(layers[i]);
        for (std::size_t p = 0; p < 2; ++p)
        {
            const auto values = (p == 0 ? found[i].first : found[i].second)->template as<T>();
            std::copy(values.begin(), values.end(), layer.parameter(p).data);
        }
    }
}

/// Loads the weights of `net` from a weight file (.npz or the book's pickle).
/// @throws as read_weight_file and load_weights(net, arrays, source).
template <class T>
void load_weights(network<T>& net, const std::string& path)
{
    load_weights(net, read_weight_file(path), xtnn::detail::quoted(path));
}

/// Builds a network of dense layers whose depth and widths come from the weight arrays'
/// (of the file `name`, for messages)
/// W1..WN, with `hidden` after every dense layer but the last and `output` after the last
/// (the file does not say which activations it was trained with), and loads its weights.
/// @throws format_error when the file holds no W1, or the W_i do not chain.
template <class T = float>
network<T> network_from_weights(const named_arrays& arrays, const std::string& name,
                                const any_layer<T>& hidden = xtnn::sigmoid<T>(),
                                const any_layer<T>& output = xtnn::softmax<T>())
{
    const array_index index(arrays);
    const std::string source = xtnn::detail::quoted(name);
    constexpr const char* where = "xtnn::io::load_network";
    const std::size_t depth = detail::count_layers(index);
    if (depth == 0)
    {
        throw format_error(std::string(where) + ": " + source +
                           ": no array named W1; the file holds " + detail::names_of(arrays));
    }
    // The widths from W_i (in, out), each checked against its b_i (out) before any layer is
    // made: a network is only ever allocated for arrays the file really holds, so a lying
    // shape such as W1 (0, 500000000) with no such b1 is refused, not allocated.
    std::vector<std::size_t> widths;
    for (std::size_t i = 0; i < depth; ++i)
    {
        const std::string w_name = detail::parameter_name('W', i);
        const std::string b_name = detail::parameter_name('b', i);
        const auto& w = detail::require_array(arrays, index, w_name, source, where);
        if (w.shape.size() != 2 || (i > 0 && w.shape[0] != widths.back()))
        {
            throw shape_error(std::string(where) + ": " + source + ": " + w_name + " has shape " +
                              shape_string(w.shape) + "; expected (" +
                              (i == 0 ? std::string("in") : std::to_string(widths.back())) +
                              ", out)");
        }
        const auto& b = detail::require_array(arrays, index, b_name, source, where);
        if (b.shape != std::vector<std::size_t>{w.shape[1]})
        {
            throw shape_error(std::string(where) + ": " + source + ": " + b_name + " has shape " +
                              shape_string(b.shape) + "; expected (" + std::to_string(w.shape[1]) +
                              ",), the " + w_name + " " + shape_string(w.shape) + " it goes with");
        }
        if (i == 0)
        {
            widths.push_back(w.shape[0]);
        }
        widths.push_back(w.shape[1]);
    }
    network<T> net(widths, hidden, output);
    load_weights(net, arrays, source);
    return net;
}

/// network_from_weights for the weight file held in memory (see parse_weight_file).
/// @throws as parse_weight_file and network_from_weights.
template <class T = float>
network<T> parse_network(const std::uint8_t* data, std::size_t size,
                         const std::string& name = "<memory>",
                         const any_layer<T>& hidden = xtnn::sigmoid<T>(),
                         const any_layer<T>& output = xtnn::softmax<T>())
{
    return network_from_weights<T>(parse_weight_file(data, size, name), name, hidden, output);
}

/// The network in the weight file at `path` (see network_from_weights): W1..WN give its
/// depth and widths, `hidden` and `output` its activations.
/// @throws io_error when the file cannot be read; as parse_network.
template <class T = float>
network<T> load_network(const std::string& path, const any_layer<T>& hidden = xtnn::sigmoid<T>(),
                        const any_layer<T>& output = xtnn::softmax<T>())
{
    return network_from_weights<T>(read_weight_file(path), path, hidden, output);
}

/// The weights of `net`'s dense layers as W1, b1 ... WN, bN.
/// @throws format_error for a layer with other parameters (e.g. batch_norm).
template <class T>
named_arrays weight_arrays(const network<T>& net)
{
    named_arrays arrays;
    const auto layers = detail::kernel_bias_layers(net, "xtnn::io::save_weights");
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const auto& layer = net.layer(layers[i]);
        for (std::size_t p = 0; p < 2; ++p)
        {
            const auto ref = layer.parameter(p);
            ndarray array;
            array.type = dtype_of<T>();
            array.shape = ref.shape.to_vector();
            array.data.resize(ref.size() * sizeof(T));
            std::memcpy(array.data.data(), ref.data, array.data.size());
            arrays.emplace_back(detail::parameter_name(p == 0 ? 'W' : 'b', i), std::move(array));
        }
    }
    return arrays;
}

/// Saves the weights of `net` to `path` as a compressed .npz (W1, b1 ... WN, bN), via a
/// temporary file and a rename: an interrupted save never destroys the previous file.
/// @throws format_error for a layer the format cannot hold; io_error when writing fails.
template <class T>
void save_weights(const network<T>& net, const std::string& path)
{
    save_npz(weight_arrays(net), path, true);
}
}  // namespace xtnn::io
