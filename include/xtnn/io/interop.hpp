// SPDX-License-Identifier: MIT
// Any model file in, any model file out: the one place that knows every format xtnn reads
// and writes, told by the file's first bytes (and, where they say nothing, its name).
//   import_model<T>(path, options)   the network (and what the file says about it) from an
//                                    xtnn model file, an xtnn or bare safetensors file, a
//                                    PyTorch state_dict (.pt/.pth), a weights-only W1, b1 ...
//                                    file (.npz/.pkl), a Keras .keras/.h5 (with xtnn::keras)
//                                    or an ONNX file (with xtnn::onnx); options.layers gives the layers where
//                                    the file holds none, options.prepend layers to put in
//                                    front (input scaling: "rescale:0.00392156862745098").
//   export_model(net, path, info)    by the name's ending: .safetensors, .weights.npz (W1, b1
//                                    ...), .npz (an xtnn model file), .onnx (with xtnn::onnx).
//   verify_export(net, path)         reads a written file back and compares its outputs with
//                                    net's on the golden-check rows.
// A format is added here in three places: model_format and its name, detect_model_format,
// and a case in import_model (and export_model, when xtnn writes it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/safetensors.hpp>
#include <xtnn/io/state_dict.hpp>
#include <xtnn/io/torch.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/registry.hpp>

// The optional readers and writers: linking xtnn::keras defines XTNN_HAS_KERAS, linking
// xtnn::onnx XTNN_HAS_ONNX (see CMakeLists.txt); without them those formats are refused
// with a message saying so.
#if defined(XTNN_HAS_KERAS)
#include <xtnn/io/keras.hpp>
#endif
#if defined(XTNN_HAS_ONNX)
#include <xtnn/io/onnx.hpp>
#endif

namespace xtnn::io
{
/// The model file formats, as detect_model_format tells them apart.
enum class model_format
{
    xtnn_model,        ///< save_model's .npz: model.json and arrays
    weights_npz,       ///< an .npz of W1, b1 ... WN, bN (save_weights, np.savez)
    weights_pickle,    ///< the book's pickle of W1, b1 ... (sample_weight.pkl)
    torch_state_dict,  ///< torch.save(model.state_dict(), path): .pt, .pth
    safetensors,       ///< safetensors, with or without xtnn's model.json in its metadata
    keras,             ///< Keras 3 .keras (a zip of config.json, model.weights.h5)
    hdf5,              ///< HDF5: Keras 2 / tf.keras .h5
    onnx               ///< ONNX (protobuf: told by the name alone)
};

inline const char* model_format_name(model_format format)
{
    switch (format)
    {
    case model_format::xtnn_model:
        return "xtnn model file";
    case model_format::weights_npz:
        return "weights-only .npz (W1, b1 ...)";
    case model_format::weights_pickle:
        return "weights-only pickle (W1, b1 ...)";
    case model_format::torch_state_dict:
        return "PyTorch state_dict";
    case model_format::safetensors:
        return "safetensors";
    case model_format::keras:
        return "Keras .keras";
    case model_format::hdf5:
        return "HDF5 (Keras .h5)";
    case model_format::onnx:
        return "ONNX";
    }
    return "?";
}

namespace detail
{
inline bool ends_with(const std::string& text, const std::string& suffix)
{
    if (text.size() < suffix.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < suffix.size(); ++i)
    {
        const char a = text[text.size() - suffix.size() + i];
        const char lower = (a >= 'A' && a <= 'Z') ? static_cast<char>(a - 'A' + 'a') : a;
        if (lower != suffix[i])
        {
            return false;
        }
    }
    return true;
}

/// The format of a file's bytes (and, for ONNX, whose bytes say nothing, its name).
inline model_format format_of_bytes(const std::vector<std::uint8_t>& bytes, const std::string& path)
{
    const char* where = "xtnn::io::detect_model_format";
    static const std::uint8_t hdf5_magic[] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (bytes.size() >= 8 && std::equal(hdf5_magic, hdf5_magic + 8, bytes.begin()))
    {
        return model_format::hdf5;
    }
    if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K')
    {
        const auto members =
            parse_zip_bytes(bytes.data(), bytes.size(),
                            std::string(where) + ": " + xtnn::detail::quoted(path));
        bool npy = !members.empty();
        for (const auto& member : members)
        {
            const std::string& n = member.name;
            if (n == model_json_member)
            {
                return model_format::xtnn_model;
            }
            if (n == "config.json" || n == "model.weights.h5")
            {
                return model_format::keras;
            }
            const std::size_t slash = n.find('/');
            if (slash != std::string::npos && n.compare(slash, std::string::npos, "/data.pkl") == 0)
            {
                return model_format::torch_state_dict;
            }
            npy = npy && ends_with(n, ".npy");
        }
        if (npy)
        {
            return model_format::weights_npz;
        }
        return model_format::torch_state_dict;  // its reader names what is missing
    }
    if (is_legacy_torch_file(bytes.data(), bytes.size()))
    {
        return model_format::torch_state_dict;  // refused by its reader, saying how to re-save
    }
    if (!bytes.empty() && bytes[0] == 0x80)
    {
        return model_format::weights_pickle;
    }
    if (bytes.size() >= 9 && bytes[8] == '{' &&
        xtnn::detail::load_le<std::uint64_t>(bytes.data()) <= bytes.size() - 8)
    {
        return model_format::safetensors;
    }
    if (ends_with(path, ".onnx"))
    {
        return model_format::onnx;
    }
    if (ends_with(path, ".safetensors"))
    {
        return model_format::safetensors;  // damaged: its reader says how
    }
    throw format_error(std::string(where) + ": " + xtnn::detail::quoted(path) +
                       ": not a model file xtnn reads (an xtnn model file or weights .npz, a "
                       "pickle, a PyTorch .pt/.pth, safetensors, Keras .keras/.h5 or .onnx)");
}

/// The layers of `net` as a layer list that parse_list reads back exactly: every setting
/// named, reals with 17 digits.
template <class T>
std::string exact_layer_list(const network<T>& net)
{
    std::string spec;
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        spec += (i ? "," : "") + std::string(net.layer(i).kind());
        const layer_config config = net.layer(i).config();
        for (const auto& [key, value] : config.entries())
        {
            std::string text;
            if (const double* d = std::get_if<double>(&value))
            {
                char buffer[40];
                std::snprintf(buffer, sizeof buffer, "%.17g", *d);
                text = buffer;
                if (text.find_first_of(".eEn") == std::string::npos)
                {
                    text += ".0";  // stays a real number
                }
            }
            else
            {
                text = layer_config::to_text(value);
            }
            spec += ":" + key + "=" + text;
        }
    }
    return spec;
}
}  // namespace detail

/// The format of the file at `path`, from its first bytes (ONNX, which has none, from its
/// name). @throws io_error when it cannot be read; format_error for anything else.
inline model_format detect_model_format(const std::string& path)
{
    return detail::format_of_bytes(xtnn::detail::read_file(path, "xtnn::io::detect_model_format"),
                                   path);
}

/// The format export_model writes for `path`, by its ending: .safetensors, .weights.npz,
/// .npz (an xtnn model file), and .onnx, .keras, .h5. @throws error for any other ending.
inline model_format export_format(const std::string& path)
{
    using detail::ends_with;
    if (ends_with(path, ".safetensors"))
        return model_format::safetensors;
    if (ends_with(path, ".weights.npz"))
        return model_format::weights_npz;
    if (ends_with(path, ".npz"))
        return model_format::xtnn_model;
    if (ends_with(path, ".onnx"))
        return model_format::onnx;
    if (ends_with(path, ".keras"))
        return model_format::keras;
    if (ends_with(path, ".h5"))
        return model_format::hdf5;
    if (ends_with(path, ".pt") || ends_with(path, ".pth") || ends_with(path, ".pkl"))
    {
        throw error("xtnn::io::export_model: " + xtnn::detail::quoted(path) +
                    ": xtnn reads PyTorch and pickle files but does not write them; write "
                    ".safetensors (PyTorch reads it by name) or .npz");
    }
    throw error("xtnn::io::export_model: " + xtnn::detail::quoted(path) +
                ": unknown ending; expected .npz (an xtnn model file), .weights.npz (W1, b1 ... "
                "only), .safetensors, .onnx, .keras or .h5");
}

/// How import_model builds the network.
struct import_options
{
    /// The layers, as a layer list ("dense:128,batch_norm,relu,dense:10"), for a file that
    /// holds tensors but no architecture (a state_dict, safetensors without xtnn's
    /// model.json); for a weights-only W1, b1 ... file it replaces hidden/output below.
    /// Must be empty for a file that carries its layers.
    std::string layers;
    /// Layers put in front of whatever the file describes, e.g. the input scaling a model
    /// trained elsewhere expects: "rescale:0.012728233:-0.42421292" is torchvision's MNIST
    /// (x/255 - 0.1307)/0.3081 on raw pixels. They must keep the width and hold no arrays.
    std::string prepend;
    /// The input width for `layers` (0: from the first matched tensor).
    std::size_t inputs = 0;
    /// For a weights-only W1, b1 ... file without `layers`: the activation after each hidden
    /// layer and after the last (as load_network).
    std::string hidden = "sigmoid";
    std::string output = "softmax";
    /// How xtnn model files (and xtnn safetensors) are checked.
    model_load_options checks;
};

/// What import_model read.
template <class T>
struct imported_model
{
    model<T> loaded;                    ///< the network (prepended layers included) and its info
    model_format format;                ///< the file's format
    bool carries_architecture = false;  ///< the file gave the layers (else options.layers did)
    std::size_t tensors = 0;            ///< arrays read from the file
    /// For a state_dict (PyTorch, bare safetensors): which module filled which layer, as
    /// (layer name, module name) in layer order.
    std::vector<std::pair<std::string, std::string>> modules;
};

namespace detail
{
/// `prepend` layers, then the layers of `net` (keeping their names where free).
template <class T>
network<T> prepend_layers(network<T> net, const std::string& prepend, const std::string& where)
{
    if (prepend.empty())
    {
        return net;
    }
    const auto layers = layer_registry<T>::global().parse_list(prepend);
    network<T> out(net.inputs());
    for (const auto& layer : layers)
    {
        out.add(layer);
        const auto& added = out.layer(out.size() - 1);
        if (out.outputs() != net.inputs() || added.parameter_count() + added.state_count() != 0)
        {
            throw error(where + ": prepended layer '" + std::string(added.kind()) +
                        "' must keep the width and hold no arrays (rescale, an activation)");
        }
    }
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const bool free = out.find(net.name(i)) == out.size();
        out.add(net.layer(i), free ? net.name(i) : std::string());
    }
    return out;
}

inline std::string describe_modules(const named_arrays& tensors)
{
    std::string text;
    std::size_t shown = 0;
    for (const auto& [name, array] : tensors)
    {
        if (++shown > 12)
        {
            text += ", ...";
            break;
        }
        text += (text.empty() ? "" : ", ") + name + " " + shape_string(array.shape);
    }
    return text;
}
}  // namespace detail

/// The network in a model file held in memory (`path` names it in messages), in any format
/// detect_model_format knows, with options.prepend in front. A file that carries its layers (an xtnn model file, an xtnn
/// safetensors file) is checked as load_model checks it; for one that does not (a
/// state_dict, bare safetensors, W1, b1 ...) options.layers gives them. A weights-only .npz or
/// pickle without W1 is read as a state_dict of numpy arrays (PyTorch's names and layouts).
/// @throws error when layers are missing or given where the file has its own, or a
/// prepended layer does not fit; io_error, format_error, shape_error as the format's reader.
template <class T = float>
imported_model<T> import_model_bytes(const std::vector<std::uint8_t>& bytes,
                                     const std::string& path = "<memory>",
                                     const import_options& options = {})
{
    const std::string where = "xtnn::io::import_model: " + xtnn::detail::quoted(path);
    const std::string source = xtnn::detail::quoted(path);
    imported_model<T> result;
    result.format = detail::format_of_bytes(bytes, path);
    const auto own_layers = [&]
    {
        result.carries_architecture = true;
        if (!options.layers.empty())
        {
            throw error(where + ": the file carries its own layers (" +
                        model_format_name(result.format) + "); leave out the layer list");
        }
    };
    const auto need_layers = [&](const named_arrays& tensors)
    {
        if (options.layers.empty())
        {
            throw error(where + ": a " + std::string(model_format_name(result.format)) +
                        " holds tensors but no layers (no activations): give them as a layer "
                        "list, e.g. --layers \"dense:128,relu,dense:10\". Its tensors: " +
                        detail::describe_modules(tensors));
        }
    };
    switch (result.format)
    {
    case model_format::xtnn_model:
        own_layers();
        result.loaded = parse_model<T>(bytes.data(), bytes.size(), path, options.checks);
        break;
    case model_format::safetensors:
    {
        safetensors_content content = detail::parse_safetensors_bytes(
            bytes.data(), bytes.size(), "xtnn::io::read_safetensors: " + source);
        result.tensors = content.tensors.size();
        if (is_safetensors_model(content))
        {
            own_layers();
            result.loaded = safetensors_to_model<T>(std::move(content), path, options.checks);
        }
        else
        {
            need_layers(content.tensors);
            result.loaded.net =
                state_dict_network<T>(content.tensors, options.layers, source, options.inputs);
            result.modules = state_dict_mapping(result.loaded.net, content.tensors, source);
        }
        break;
    }
    case model_format::torch_state_dict:
    {
        const named_arrays tensors = detail::parse_torch_bytes(
            bytes.data(), bytes.size(), "xtnn::io::read_torch_state_dict: " + source);
        result.tensors = tensors.size();
        need_layers(tensors);
        result.loaded.net = state_dict_network<T>(tensors, options.layers, source, options.inputs);
        result.modules = state_dict_mapping(result.loaded.net, tensors, source);
        break;
    }
    case model_format::weights_npz:
    case model_format::weights_pickle:
    {
        const named_arrays arrays = result.format == model_format::weights_npz
                                        ? parse_npz(bytes.data(), bytes.size(), path)
                                        : parse_pickle(bytes.data(), bytes.size(), path);
        result.tensors = arrays.size();
        if (options.layers.empty())
        {
            result.loaded.net = network_from_weights<T>(arrays, path, make_layer<T>(options.hidden),
                                                        make_layer<T>(options.output));
        }
        else if (!find_array(arrays, "W1"))
        {
            // Not the book's names: PyTorch's, as np.savez(**{k: v.numpy() for k, v in
            // model.state_dict().items()}) writes them.
            result.loaded.net = state_dict_network<T>(arrays, options.layers, source, options.inputs);
            result.modules = state_dict_mapping(result.loaded.net, arrays, source);
        }
        else
        {
            const ndarray* w1 = find_array(arrays, "W1");
            const std::size_t inputs =
                options.inputs ? options.inputs
                               : (w1 && w1->shape.size() == 2 ? w1->shape[0] : std::size_t(0));
            if (inputs == 0)
            {
                throw format_error(where + ": no 2-D W1 to take the input width from");
            }
            result.loaded.net =
                network<T>(inputs, layer_registry<T>::global().parse_list(options.layers));
            load_weights(result.loaded.net, arrays, source);
        }
        break;
    }
    case model_format::keras:
    case model_format::hdf5:
#if defined(XTNN_HAS_KERAS)
        if (options.layers.empty())
        {
            // model.save's files carry their layers (and a .keras file is read from memory).
            result.carries_architecture = true;
            result.loaded.net = parse_keras<T>(bytes, path);
        }
        else
        {
            // save_weights's: the layers come from the caller, the weights by position.
            if (options.inputs == 0)
            {
                throw error(where + ": a layer list for Keras weights needs the input width "
                            "(--inputs N)");
            }
            result.loaded.net =
                network<T>(options.inputs, layer_registry<T>::global().parse_list(options.layers));
            parse_keras_weights(result.loaded.net, bytes, path);
        }
        break;
#else
        throw error(where + ": a " + std::string(model_format_name(result.format)) +
                    " file; this build of xtnn has no Keras reader (build with HDF5, "
                    "libhdf5-dev, and link xtnn::keras)");
#endif
    case model_format::onnx:
#if defined(XTNN_HAS_ONNX)
        own_layers();
        result.loaded.net = parse_onnx<T>(bytes.data(), bytes.size(), path);
        break;
#else
        throw error(where + ": an ONNX file; this build of xtnn has no ONNX reader (build "
                    "with libonnx-dev and libprotobuf-dev, and link xtnn::onnx)");
#endif
    }
    result.loaded.net = detail::prepend_layers(std::move(result.loaded.net), options.prepend, where);
    return result;
}

/// import_model_bytes for the file at `path`.
/// @throws io_error when it cannot be read; as import_model_bytes.
template <class T = float>
imported_model<T> import_model(const std::string& path, const import_options& options = {})
{
    return import_model_bytes<T>(xtnn::detail::read_file(path, "xtnn::io::import_model"), path,
                                 options);
}

/// Writes `net` (and `info`) to `path` in the format its ending names (export_format),
/// atomically and durably.
/// @throws error for an ending xtnn does not write, format_error for a network the format
/// cannot hold (W1, b1 ... holds dense layers only); io_error when writing fails.
template <class T>
model_format export_model(const network<T>& net, const std::string& path, const model_info& info = {})
{
    const model_format format = export_format(path);
    switch (format)
    {
    case model_format::xtnn_model:
        save_model(net, path, info);
        break;
    case model_format::safetensors:
        save_safetensors_model(net, path, info);
        break;
    case model_format::weights_npz:
        save_weights(net, path);
        break;
#if defined(XTNN_HAS_ONNX)
    case model_format::onnx:
        save_onnx(net, path);
        break;
#endif
    default:
        // Keras files are read, not written; ONNX is written when xtnn::onnx is linked.
        throw error("xtnn::io::export_model: " + xtnn::detail::quoted(path) + ": this build of "
                    "xtnn does not write " + model_format_name(format) + " files");
    }
    return format;
}

/// What verify_export found.
struct export_check
{
    std::size_t rows = 0, columns = 0;
    double largest_difference = 0;
};

/// Reads the file export_model wrote at `path` back and checks that it computes what `net`
/// does on the golden-check rows (detail::default_check_inputs: four rows uniform in [0, 1)),
/// to |y - expected| <= atol + rtol·|expected| (float: 1e-5 and 1e-6; double: 1e-9, 1e-12).
/// A file without layers (W1, b1 ...) is read with net's layers.
/// @throws format_error naming the row, column and both values at the first difference;
/// as import_model.
template <class T>
export_check verify_export(const network<T>& net, const std::string& path)
{
    import_options options;
    if (export_format(path) == model_format::weights_npz)
    {
        options.layers = detail::exact_layer_list(net);
        options.inputs = net.inputs();
    }
    const network<T> back = import_model<T>(path, options).loaded.net;
    const auto rows = detail::default_check_inputs(net.inputs());
    matrix<T> x = xt::zeros<T>({rows.size(), net.inputs()});
    for (std::size_t r = 0; r < rows.size(); ++r)
    {
        for (std::size_t c = 0; c < net.inputs(); ++c)
        {
            x(r, c) = static_cast<T>(rows[r][c]);
        }
    }
    const matrix<T> want = net.predict(x);
    if (back.inputs() != net.inputs() || back.outputs() != net.outputs())
    {
        throw format_error("xtnn::io::verify_export: " + xtnn::detail::quoted(path) + " reads back as " +
                           back.describe() + "; written: " + net.describe());
    }
    const matrix<T> got = back.predict(x);
    const double rtol = std::is_same_v<T, float> ? 1e-5 : 1e-9;
    const double atol = std::is_same_v<T, float> ? 1e-6 : 1e-12;
    export_check check{want.shape()[0], want.shape()[1], 0};
    for (std::size_t r = 0; r < check.rows; ++r)
    {
        for (std::size_t c = 0; c < check.columns; ++c)
        {
            const double g = got(r, c), w = want(r, c);
            check.largest_difference = std::max(check.largest_difference, std::fabs(g - w));
            if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w)))
            {
                char values[96];
                std::snprintf(values, sizeof values, "%.9g; the network computes %.9g", g, w);
                throw format_error("xtnn::io::verify_export: " + xtnn::detail::quoted(path) +
                                   ": read back, it computes at row " + std::to_string(r) +
                                   ", column " + std::to_string(c) + " " + values);
            }
        }
    }
    return check;
}
}  // namespace xtnn::io
