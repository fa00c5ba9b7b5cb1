// SPDX-License-Identifier: MIT
// A network's parameters in files, under the book's names W1, b1 ... WN, bN: W_i (in, out)
// and b_i (out,) for layer i. Reads .npz and the book's pickle (the format is told by the
// file's first bytes, not its name); writes .npz atomically, which numpy's np.load reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtnn/activation.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/network.hpp>

namespace xtnn::io
{
/// The named arrays in a weight file: a zip archive of .npy members (.npz) or a pickle of a
/// dict of numpy arrays (.pkl), whatever its name says.
/// @throws io_error when it cannot be read, format_error when it is neither or is corrupt.
inline named_arrays read_weight_file(const std::string& path)
{
    const std::vector<std::uint8_t> bytes =
        xtnn::detail::read_file(path, "xtnn::io::read_weight_file");
    const std::string name = xtnn::detail::quoted(path);
    if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K')
    {
        return parse_npz(bytes.data(), bytes.size(), path);
    }
    if (!bytes.empty() && bytes[0] == 0x80)  // pickle PROTO opcode, protocols 2 and later
    {
        return parse_pickle(bytes.data(), bytes.size(), path);
    }
    throw format_error("xtnn::io::read_weight_file: " + name +
                       ": not a weight file; expected an .npz archive (starts with \"PK\") or a "
                       "pickle of protocol 2 or later (starts with 0x80)");
}

namespace detail
{
inline std::string parameter_name(char kind, std::size_t layer_index)
{
    return std::string(1, kind) + std::to_string(layer_index + 1);
}

/// How many consecutive W1, W2, ... the arrays hold.
inline std::size_t count_layers(const named_arrays& arrays)
{
    std::size_t count = 0;
    while (find_array(arrays, parameter_name('W', count)))
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

inline const ndarray& require_array(const named_arrays& arrays, const std::string& name,
                                    const std::string& source, const char* where)
{
    const ndarray* array = find_array(arrays, name);
    if (!array)
    {
        throw format_error(std::string(where) + ": " + source + ": no array named " + name +
                           "; the file holds " + names_of(arrays));
    }
    return *array;
}
}  // namespace detail

/// Copies W1, b1 ... WN, bN from `arrays` into the N layers of `net`, converting to T.
/// `source` names the arrays' origin in messages (a quoted path).
/// @throws shape_error naming the layer and both shapes when an array does not fit, and
/// format_error when an array is missing or the file has more layers than the network.
template <class T>
void load_weights(network<T>& net, const named_arrays& arrays, const std::string& source)
{
    constexpr const char* where = "xtnn::io::load_weights";
    const std::size_t file_layers = detail::count_layers(arrays);
    if (file_layers != net.depth())
    {
        throw shape_error(std::string(where) + ": " + source + " holds " +
                          std::to_string(file_layers) + " layers (W1..W" +
                          std::to_string(file_layers) + ") but the network has " +
                          std::to_string(net.depth()));
    }
    // Check every array before changing any layer, so a bad file leaves the network as it was.
    std::vector<std::pair<const ndarray*, const ndarray*>> parameters;
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        const auto w_name = detail::parameter_name('W', i);
        const auto b_name = detail::parameter_name('b', i);
        const ndarray& w = detail::require_array(arrays, w_name, source, where);
        const ndarray& b = detail::require_array(arrays, b_name, source, where);
        const auto& layer = net.layer(i);
        const std::vector<std::size_t> w_expected{layer.inputs(), layer.outputs()};
        const std::vector<std::size_t> b_expected{layer.outputs()};
        if (w.shape != w_expected)
        {
            throw shape_error(std::string(where) + ": " + source + ": " + w_name + " has shape " +
                              shape_string(w.shape) + " but layer " + std::to_string(i + 1) +
                              " expects " + shape_string(w_expected));
        }
        if (b.shape != b_expected)
        {
            throw shape_error(std::string(where) + ": " + source + ": " + b_name + " has shape " +
                              shape_string(b.shape) + " but layer " + std::to_string(i + 1) +
                              " expects " + shape_string(b_expected));
        }
        parameters.emplace_back(&w, &b);
    }
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        auto& layer = net.layer(i);
        layer.weights() = parameters[i].first->template as<T>();
        layer.bias() = parameters[i].second->template as<T>();
    }
}

/// Loads the parameters of `net` from a weight file (.npz or the book's pickle).
/// @throws as read_weight_file and load_weights(net, arrays, source).
template <class T>
void load_weights(network<T>& net, const std::string& path)
{
    load_weights(net, read_weight_file(path), xtnn::detail::quoted(path));
}

/// Builds a network whose depth and widths come from a weight file's W1..WN, with `hidden`
/// after every layer but the last and `output` after the last, and loads its parameters.
/// @throws format_error when the file holds no W1, or W_i's do not chain.
template <class T = float>
network<T> load_network(const std::string& path, activation_kind hidden = activation_kind::sigmoid,
                        activation_kind output = activation_kind::softmax)
{
    const named_arrays arrays = read_weight_file(path);
    const std::string source = xtnn::detail::quoted(path);
    const std::size_t depth = detail::count_layers(arrays);
    if (depth == 0)
    {
        throw format_error("xtnn::io::load_network: " + source +
                           ": no array named W1; the file holds " + detail::names_of(arrays));
    }
    std::vector<std::size_t> widths;
    for (std::size_t i = 0; i < depth; ++i)
    {
        const auto& w = detail::require_array(arrays, detail::parameter_name('W', i), source,
                                              "xtnn::io::load_network");
        if (w.shape.size() != 2 || (i > 0 && w.shape[0] != widths.back()))
        {
            throw shape_error(
                "xtnn::io::load_network: " + source + ": " + detail::parameter_name('W', i) +
                " has shape " + shape_string(w.shape) + "; expected (" +
                (i == 0 ? std::string("in") : std::to_string(widths.back())) + ", out)");
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

/// The parameters of `net` as W1, b1 ... WN, bN.
template <class T>
named_arrays weight_arrays(const network<T>& net)
{
    named_arrays arrays;
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        arrays.emplace_back(detail::parameter_name('W', i), to_ndarray(net.layer(i).weights()));
        arrays.emplace_back(detail::parameter_name('b', i), to_ndarray(net.layer(i).bias()));
    }
    return arrays;
}

/// Saves the parameters of `net` to `path` as a compressed .npz (W1, b1 ... WN, bN), via a
/// temporary file and a rename: an interrupted save never destroys the previous file.
template <class T>
void save_weights(const network<T>& net, const std::string& path)
{
    save_npz(path, weight_arrays(net), true);
}
}  // namespace xtnn::io
