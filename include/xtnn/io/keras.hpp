// SPDX-License-Identifier: MIT
// Keras models as Keras writes them, read into an xtnn network:
//   load_keras("m.keras")      Keras 3 model.save: a zip of config.json, metadata.json and
//                              model.weights.h5 (layers/<class>[_k]/vars/<i>)
//   load_keras("m.h5")         Keras 2 / tf.keras model.save: a model_config attribute (JSON)
//                              and a model_weights group (layer_names, weight_names)
//   load_keras_weights(net, "w.h5")   save_weights files (Keras 2 .h5 and Keras 3
//                              .weights.h5), the architecture coming from the caller
// Sequential and linear functional models of InputLayer, Dense, Activation, ReLU, LeakyReLU,
// ELU, Softmax, Dropout, BatchNormalization, LayerNormalization, Flatten, Reshape (to a flat
// vector), Rescaling and Normalization; anything else is refused by name and class. Followed:
// keras-team/keras 3.x keras/src/saving/saving_lib.py (H5IOStore, _save_container_state) and
// keras/src/legacy/saving/legacy_h5_format.py, tf.keras 2.x keras/saving/hdf5_format.py
// (save_weights_to_hdf5_group, save_attributes_to_hdf5_group), and the layers'
// save_own_variables / build (Dense, BatchNormalization, Normalization).
// The model config's reading is in detail/keras_config.hpp, the weights' in
// detail/keras_weights.hpp, HDF5's in detail/hdf5.hpp; the mapping to xtnn layers is here.
// Optional component xtnn::keras: needs the HDF5 C library; not included by xtnn/io.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/hdf5.hpp>
#include <xtnn/detail/keras_config.hpp>
#include <xtnn/detail/keras_weights.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::io
{
namespace detail::keras
{
using json = nlohmann::json;
using xtnn::detail::hdf5::array;
using xtnn::detail::hdf5::shape_text;

/// The activation named by a Dense or Activation layer, as xtnn layers (none for "linear").
template <class T>
std::vector<any_layer<T>> activation(const context& ctx, const layer_entry& layer, const json& value)
{
    std::string name = "linear";
    if (value.is_string())
    {
        name = value.get<std::string>();
    }
    else if (value.is_object() && value.contains("config") && value["config"].is_string())
    {
        name = value["config"].get<std::string>();  // Keras 3's serialized function
    }
    else if (!value.is_null())
    {
        ctx.fail(layer, "activation " + value.dump() + " is not a built-in activation name");
    }
    if (name == "linear" || name == "None")
    {
        return {};
    }
    if (name == "relu")
        return {xtnn::relu<T>()};
    if (name == "sigmoid")
        return {xtnn::sigmoid<T>()};
    if (name == "tanh")
        return {xtnn::tanh<T>()};
    if (name == "softmax")
        return {xtnn::softmax<T>()};
    if (name == "elu")
        return {xtnn::elu<T>(1.0)};
    if (name == "softplus")
        return {xtnn::softplus<T>()};
    if (name == "swish" || name == "silu")
        return {xtnn::silu<T>()};
    if (name == "gelu")
        return {xtnn::gelu<T>("none")};  // keras.activations.gelu(approximate=False)
    if (name == "leaky_relu")
        return {xtnn::leaky_relu<T>(0.2)};  // keras.activations.leaky_relu's negative_slope
    ctx.fail(layer, "activation '" + name +
                        "' is not supported (supported: linear, relu, sigmoid, tanh, softmax, "
                        "elu, softplus, swish/silu, gelu, leaky_relu)");
}

/// Keras's Normalization: (x - mean) / max(sqrt(variance), 1e-7) (backend.epsilon()), as an
/// xtnn standardize with std = max(sqrt(variance), 1e-7) and no epsilon of its own.
template <class T>
standardize<T> normalization(const context& ctx, const layer_entry& layer,
                             const std::vector<double>& mean, const std::vector<double>& variance)
{
    vector<T> m = xt::zeros<T>({mean.size()});
    vector<T> s = xt::zeros<T>({mean.size()});
    for (std::size_t i = 0; i < mean.size(); ++i)
    {
        if (!(variance[i] >= 0))
        {
            ctx.fail(layer, "variance " + std::to_string(variance[i]) + " at " + std::to_string(i) +
                                " is negative");
        }
        m(i) = static_cast<T>(mean[i]);
        s(i) = static_cast<T>(std::max(std::sqrt(variance[i]), 1e-7));
    }
    return standardize<T>(std::move(m), std::move(s), 0.0);
}

/// Builds the xtnn network of `layers`, reading each layer's weights from `store` in order.
template <class T>
network<T> build(const context& ctx, const std::vector<layer_entry>& layers, weight_store& store,
                 std::vector<std::size_t> shape)
{
    // Names: each Keras layer keeps its own; an activation folded into a Dense becomes
    // "<dense>_<kind>", made unique against every Keras name.
    std::set<std::string> taken;
    for (const auto& l : layers)
    {
        taken.insert(l.name);
    }
    struct pending
    {
        any_layer<T> layer;
        std::string name;
    };
    std::vector<pending> out;
    const auto emit = [&](any_layer<T> layer, const std::string& name)
    { out.push_back({std::move(layer), name}); };
    const auto emit_activation = [&](std::vector<any_layer<T>> acts, const std::string& base)
    {
        for (auto& a : acts)
        {
            std::string name = base + "_" + std::string(a.kind());
            while (taken.count(name))
            {
                name += "_";
            }
            taken.insert(name);
            emit(std::move(a), name);
        }
    };

    if (!layers.empty())
    {
        batch_shape(layers.front().config, shape);  // the InputLayer's, over the model's own
    }
    bool have_shape = !shape.empty();
    std::size_t inputs = 0;  // the flat input width, once the input shape is known
    for (const auto& layer : layers)
    {
        const std::string& c = layer.class_name;
        const json& config = layer.config;
        std::vector<std::size_t> declared;
        if (!have_shape && batch_shape(config, declared))
        {
            shape = declared;  // an InputLayer, or a first layer with batch_input_shape
            have_shape = true;
        }
        if (c == "InputLayer")
        {
            continue;
        }
        if (!have_shape)
        {
            ctx.fail(layer, "the model's input shape is not recorded (no InputLayer, batch_shape "
                            "or build_input_shape)");
        }
        if (inputs == 0)
        {
            for (std::size_t d : shape)
            {
                if (d == 0)
                {
                    ctx.fail(layer, "the input shape " + shape_text(shape) +
                                        " has a dimension of unknown size");
                }
            }
            inputs = product(shape);
        }
        const bool flat = shape.size() == 1;
        const std::size_t width = product(shape);
        const auto need_flat = [&]()
        {
            if (!flat)
            {
                ctx.fail(layer, "its input has shape " + shape_text(shape) +
                                    "; only flat (features,) inputs are supported (add Flatten)");
            }
        };
        const std::vector<std::string> no_weights;
        const auto weights = [&]() { return store.get(layer.name, c); };

        if (c == "Dense")
        {
            need_flat();
            const std::size_t units = static_cast<std::size_t>(number(ctx, layer, "units", 0));
            const bool use_bias = flag(ctx, layer, "use_bias", true);
            const auto w = weights();
            expect_weights(ctx, layer, w,
                           use_bias ? std::vector<std::string>{"kernel", "bias"}
                                    : std::vector<std::string>{"kernel"});
            if (units == 0)
            {
                ctx.fail(layer, "'units' is missing or 0");
            }
            // Keras's kernel is (in, units), as xtnn's: no transpose.
            matrix<T> kernel = as_matrix<T>(ctx, layer, "kernel", w.arrays[0], width, units);
            if (use_bias)
            {
                emit(xtnn::dense<T>(std::move(kernel),
                                    as_vector<T>(ctx, layer, "bias", w.arrays[1], units)),
                     layer.name);
            }
            else
            {
                xtnn::dense<T> d(width, units, xtnn::no_bias);
                d.kernel() = std::move(kernel);
                emit(std::move(d), layer.name);
            }
            emit_activation(activation<T>(ctx, layer, config.value("activation", json("linear"))),
                            layer.name);
            shape = {units};
            continue;
        }
        if (c == "BatchNormalization")
        {
            need_flat();
            if (!is_last_axis(config.value("axis", json(-1)), 2))
            {
                ctx.fail(layer, "axis " + config.value("axis", json(-1)).dump() +
                                    " is not supported; only the last axis (-1)");
            }
            if (flag(ctx, layer, "renorm", false))
            {
                ctx.fail(layer, "renorm=True is not supported");
            }
            const bool scale = flag(ctx, layer, "scale", true);
            const bool center = flag(ctx, layer, "center", true);
            std::vector<std::string> names;
            if (scale)
                names.push_back("gamma");
            if (center)
                names.push_back("beta");
            names.push_back("moving_mean");
            names.push_back("moving_variance");
            const auto w = weights();
            expect_weights(ctx, layer, w, names);
            xtnn::batch_norm<T> bn(number(ctx, layer, "momentum", 0.99),
                                   number(ctx, layer, "epsilon", 1e-3), false);
            bn.build(width);
            std::size_t i = 0;
            if (scale)
                bn.gamma() = as_vector<T>(ctx, layer, "gamma", w.arrays[i++], width);
            if (center)
                bn.beta() = as_vector<T>(ctx, layer, "beta", w.arrays[i++], width);
            bn.running_mean() = as_vector<T>(ctx, layer, "moving_mean", w.arrays[i++], width);
            bn.running_variance() =
                as_vector<T>(ctx, layer, "moving_variance", w.arrays[i++], width);
            emit(std::move(bn), layer.name);
            continue;
        }
        if (c == "LayerNormalization")
        {
            need_flat();
            if (!is_last_axis(config.value("axis", json(-1)), 2))
            {
                ctx.fail(layer, "axis " + config.value("axis", json(-1)).dump() +
                                    " is not supported; only the last axis (-1)");
            }
            if (flag(ctx, layer, "rms_scaling", false))
            {
                ctx.fail(layer, "rms_scaling=True is not supported");
            }
            const bool scale = flag(ctx, layer, "scale", true);
            const bool center = flag(ctx, layer, "center", true);
            std::vector<std::string> names;
            if (scale)
                names.push_back("gamma");
            if (center)
                names.push_back("beta");
            const auto w = weights();
            expect_weights(ctx, layer, w, names);
            xtnn::layer_norm<T> ln(number(ctx, layer, "epsilon", 1e-3));
            ln.build(width);
            std::size_t i = 0;
            if (scale)
                ln.gamma() = as_vector<T>(ctx, layer, "gamma", w.arrays[i++], width);
            if (center)
                ln.beta() = as_vector<T>(ctx, layer, "beta", w.arrays[i++], width);
            emit(std::move(ln), layer.name);
            continue;
        }
        if (c == "Normalization")
        {
            need_flat();
            if (!is_last_axis(config.value("axis", json(-1)), 2))
            {
                ctx.fail(layer, "axis " + config.value("axis", json(-1)).dump() +
                                    " is not supported; only the last axis (-1)");
            }
            if (flag(ctx, layer, "invert", false))
            {
                ctx.fail(layer, "invert=True is not supported");
            }
            const auto w = weights();
            std::vector<double> mean, variance;
            const json given_mean = config.value("mean", json());
            if (!given_mean.is_null())
            {
                // mean and variance given to the constructor: in the config, no weights
                expect_weights(ctx, layer, w, no_weights);
                const json given_variance = config.value("variance", json());
                for (const auto* pair : {&given_mean, &given_variance})
                {
                    std::vector<double>& into = pair == &given_mean ? mean : variance;
                    if (pair->is_number())
                    {
                        into.assign(width, pair->template get<double>());
                    }
                    else if (pair->is_array() && pair->size() == width &&
                             std::all_of(pair->begin(), pair->end(),
                                         [](const json& v) { return v.is_number(); }))
                    {
                        for (const auto& v : *pair)
                            into.push_back(v.template get<double>());
                    }
                    else
                    {
                        ctx.fail(layer, "mean and variance must be numbers or lists of " +
                                            std::to_string(width) + "; got " + pair->dump());
                    }
                }
            }
            else
            {
                expect_weights(ctx, layer, w, {"mean", "variance", "count"});
                as_vector<double>(ctx, layer, "mean", w.arrays[0], width);  // checks the shape
                as_vector<double>(ctx, layer, "variance", w.arrays[1], width);
                mean = w.arrays[0].values;
                variance = w.arrays[1].values;
            }
            emit(normalization<T>(ctx, layer, mean, variance), layer.name);
            continue;
        }

        // Layers without weights: a group with none (or none at all) in the file.
        if (c == "Activation" || c == "ReLU" || c == "LeakyReLU" || c == "ELU" || c == "Softmax" ||
            c == "Dropout" || c == "Flatten" || c == "Reshape" || c == "Rescaling")
        {
            expect_weights(ctx, layer, weights(), no_weights);
        }
        if (c == "Activation")
        {
            auto acts = activation<T>(ctx, layer, config.value("activation", json("linear")));
            if (!flat && !acts.empty() && acts.front().kind() == "softmax")
            {
                need_flat();
            }
            for (auto& a : acts)
            {
                emit(std::move(a), layer.name);
            }
        }
        else if (c == "ReLU")
        {
            const json max_value = config.value("max_value", json());
            if (!max_value.is_null())
            {
                ctx.fail(layer, "max_value=" + max_value.dump() + " is not supported");
            }
            if (number(ctx, layer, "threshold", 0.0) != 0.0)
            {
                ctx.fail(layer, "threshold=" + config["threshold"].dump() + " is not supported");
            }
            const double slope = number(ctx, layer, "negative_slope", 0.0);
            if (slope == 0.0)
                emit(xtnn::relu<T>(), layer.name);
            else
                emit(xtnn::leaky_relu<T>(slope), layer.name);  // x < 0: slope·x
        }
        else if (c == "LeakyReLU")
        {
            // Keras 3 calls it negative_slope, Keras 2 alpha; 0.3 by default in both.
            const double slope = config.contains("negative_slope")
                                     ? number(ctx, layer, "negative_slope", 0.3)
                                     : number(ctx, layer, "alpha", 0.3);
            emit(xtnn::leaky_relu<T>(slope), layer.name);
        }
        else if (c == "ELU")
        {
            emit(xtnn::elu<T>(number(ctx, layer, "alpha", 1.0)), layer.name);
        }
        else if (c == "Softmax")
        {
            need_flat();
            if (!is_last_axis(config.value("axis", json(-1)), 2))
            {
                ctx.fail(layer, "axis " + config.value("axis", json(-1)).dump() +
                                    " is not supported; only the last axis (-1)");
            }
            emit(xtnn::softmax<T>(), layer.name);
        }
        else if (c == "Dropout")
        {
            const double rate = number(ctx, layer, "rate", 0.0);
            if (!(rate >= 0 && rate < 1))
            {
                ctx.fail(layer, "rate " + std::to_string(rate) + " is outside [0, 1)");
            }
            emit(xtnn::dropout<T>(rate), layer.name);
        }
        else if (c == "Flatten")
        {
            shape = {width};  // row-major, as Keras's channels_last Flatten
        }
        else if (c == "Reshape")
        {
            const json target = config.value("target_shape", json());
            if (!target.is_array() || target.size() != 1 || !target[0].is_number_integer() ||
                (target[0].get<std::int64_t>() != -1 &&
                 target[0].get<std::int64_t>() != static_cast<std::int64_t>(width)))
            {
                ctx.fail(layer, "target_shape " + target.dump() + " is not supported; only a "
                                "flat vector of the " + std::to_string(width) + " inputs ([" +
                                std::to_string(width) + "] or [-1])");
            }
            shape = {width};
        }
        else if (c == "Rescaling")
        {
            const json s = config.value("scale", json(1.0));
            const json o = config.value("offset", json(0.0));
            if (!s.is_number() || !o.is_number())
            {
                ctx.fail(layer, "scale " + s.dump() + " and offset " + o.dump() +
                                    " must be single numbers");
            }
            emit(xtnn::rescale<T>(s.get<double>(), o.get<double>()), layer.name);
        }
        else if (c != "Activation")
        {
            ctx.fail("unsupported Keras layer '" + layer.name + "' (" + c + "); supported: " +
                     supported_classes());
        }
    }
    if (inputs == 0)
    {
        ctx.fail("the model has no layers after its input; nothing to map");
    }
    const auto left = store.unused();
    if (!left.empty())
    {
        ctx.fail("the weights file has weights for '" + left.front() +
                 "', which no layer of the model config uses");
    }
    network<T> net(inputs);
    for (auto& p : out)
    {
        net.add(std::move(p.layer), p.name);
    }
    return net;
}
/// The Keras class an xtnn layer with parameters or state corresponds to, or "".
template <class T>
std::string keras_class(const any_layer<T>& layer)
{
    const std::string_view kind = layer.kind();
    return kind == "dense"         ? "Dense"
           : kind == "batch_norm"  ? "BatchNormalization"
           : kind == "layer_norm"  ? "LayerNormalization"
           : kind == "standardize" ? "Normalization"
                                   : "";
}

/// Puts one Keras layer's weights into xtnn layer i of `net`, checking every shape.
template <class T>
void assign(const context& ctx, network<T>& net, std::size_t i, const layer_entry& entry,
            const layer_weights& w)
{
    const std::size_t in = net.widths()[i];
    const std::size_t out = net.width(i);
    const std::string_view kind = net.layer(i).kind();
    if (kind == "dense")
    {
        auto& d = net.template layer<xtnn::dense<T>>(i);
        expect_weights(ctx, entry, w,
                       d.use_bias() ? std::vector<std::string>{"kernel", "bias"}
                                    : std::vector<std::string>{"kernel"});
        d.kernel() = as_matrix<T>(ctx, entry, "kernel", w.arrays[0], in, out);
        if (d.use_bias())
        {
            d.bias() = as_vector<T>(ctx, entry, "bias", w.arrays[1], out);
        }
    }
    else if (kind == "batch_norm")
    {
        auto& bn = net.template layer<xtnn::batch_norm<T>>(i);
        // Which of gamma and beta are there (scale, center) is in the names, or for a file
        // that stores by index in the count: 4 is both, 2 neither.
        std::vector<std::string> names;
        for (const auto& n : w.names)
        {
            std::string base = n.substr(n.rfind('/') == std::string::npos ? 0 : n.rfind('/') + 1);
            names.push_back(base.substr(0, base.find(':')));
        }
        const bool by_index = !names.empty() && names[0] == "0";
        const bool scale = by_index ? w.arrays.size() == 4
                                    : std::find(names.begin(), names.end(), "gamma") != names.end();
        const bool center = by_index ? w.arrays.size() == 4
                                     : std::find(names.begin(), names.end(), "beta") != names.end();
        if (by_index && w.arrays.size() != 4 && w.arrays.size() != 2)
        {
            ctx.fail(entry, "has " + std::to_string(w.arrays.size()) +
                                " weights; expected 4 (gamma, beta, moving_mean, moving_variance) "
                                "or 2 (moving_mean, moving_variance)");
        }
        std::vector<std::string> expected;
        if (scale)
            expected.push_back("gamma");
        if (center)
            expected.push_back("beta");
        expected.push_back("moving_mean");
        expected.push_back("moving_variance");
        expect_weights(ctx, entry, w, expected);
        std::size_t k = 0;
        bn.gamma() = scale ? as_vector<T>(ctx, entry, "gamma", w.arrays[k++], in) : xt::ones<T>({in});
        bn.beta() = center ? as_vector<T>(ctx, entry, "beta", w.arrays[k++], in) : xt::zeros<T>({in});
        bn.running_mean() = as_vector<T>(ctx, entry, "moving_mean", w.arrays[k++], in);
        bn.running_variance() = as_vector<T>(ctx, entry, "moving_variance", w.arrays[k++], in);
    }
    else if (kind == "layer_norm")
    {
        auto& ln = net.template layer<xtnn::layer_norm<T>>(i);
        expect_weights(ctx, entry, w, {"gamma", "beta"});
        ln.gamma() = as_vector<T>(ctx, entry, "gamma", w.arrays[0], in);
        ln.beta() = as_vector<T>(ctx, entry, "beta", w.arrays[1], in);
    }
    else
    {
        expect_weights(ctx, entry, w, {"mean", "variance", "count"});
        as_vector<double>(ctx, entry, "mean", w.arrays[0], in);
        as_vector<double>(ctx, entry, "variance", w.arrays[1], in);
        net.template layer<xtnn::standardize<T>>(i) =
            normalization<T>(ctx, entry, w.arrays[0].values, w.arrays[1].values);
    }
}
}  // namespace detail::keras

namespace detail::keras
{
template <class T>
network<T> parse_keras_bytes(const context& ctx, const std::vector<std::uint8_t>& bytes,
                             const std::string& name, const std::string& where)
{
    if (is_zip(bytes))
    {
        keras3_archive archive = open_archive(ctx, bytes, name, where);
        weight_store store = weight_store::by_class(*archive.weights);
        return build<T>(ctx, model_layers(ctx, archive.config), store,
                        recorded_input_shape(archive.config));
    }
    xtnn::detail::hdf5::file file(bytes, name, where);
    if (!file.has_attribute("/", "model_config"))
    {
        if (file.has_attribute("/", "layer_names") || file.is_group("layers"))
        {
            ctx.fail("holds weights only (save_weights), no model config: load it with "
                     "load_keras_weights into a network of the same architecture");
        }
        file.fail("/", "missing attribute 'model_config': not a Keras model.save .h5 file");
    }
    const json config = parse_json(ctx, "attribute 'model_config'", file.string("/", "model_config"));
    if (!file.is_group("model_weights"))
    {
        file.fail("model_weights", "missing group");
    }
    weight_store store = weight_store::legacy(file, "model_weights");
    return build<T>(ctx, model_layers(ctx, config), store, recorded_input_shape(config));
}
}  // namespace detail::keras

/// The Keras model in a .keras (Keras 3) or .h5 (Keras 2 / tf.keras model.save) file held in
/// memory; `name` names it in messages. Layer names are Keras's; an activation given to a
/// Dense becomes a layer of its own after it ("dense_relu").
/// @throws format_error naming the file and the layer for anything that does not map, an
/// unsupported layer ("unsupported Keras layer 'conv2d' (Conv2D)"), a graph that is not a
/// chain, a weight of the wrong shape, or a damaged file.
template <class T = float>
network<T> parse_keras(const std::vector<std::uint8_t>& bytes, const std::string& name = "<memory>")
{
    using namespace detail::keras;
    const std::string where = "xtnn::io::load_keras";
    const context ctx{where + ": " + xtnn::detail::quoted(name) + ": "};
    // A config value of an unexpected JSON type, wherever nlohmann meets it, is the file's fault.
    try
    {
        return detail::keras::parse_keras_bytes<T>(ctx, bytes, name, where);
    }
    catch (const nlohmann::json::exception& e)
    {
        throw format_error(ctx.prefix + "the model config: " + e.what());
    }
}

/// The Keras model saved in `path` by model.save: "m.keras" (Keras 3) or "m.h5" (Keras 2 /
/// tf.keras), told apart by their contents. See parse_keras.
/// @throws io_error when the file cannot be read; format_error as parse_keras.
template <class T = float>
network<T> load_keras(const std::string& path)
{
    return parse_keras<T>(xtnn::detail::read_file(path, "xtnn::io::load_keras"), path);
}

/// Loads weights written by Keras's save_weights (Keras 2 .h5, Keras 3 .weights.h5; a .keras
/// or model.save .h5 also works) into `net`, whose architecture the caller gives: its dense,
/// batch_norm, layer_norm and standardize layers take the file's Dense, BatchNormalization,
/// LayerNormalization and Normalization weights in order. Settings the weights do not carry
/// (activations, epsilon: Keras's BatchNormalization default is 1e-3, xtnn's 1e-5) must be
/// in `net`. Nothing in `net` changes unless every weight fits. This one reads the file's
/// bytes held in memory, `path` naming it in messages; load_keras_weights reads a path.
/// @throws format_error naming the first layer that does not fit.
template <class T>
void parse_keras_weights(network<T>& net, const std::vector<std::uint8_t>& bytes,
                         const std::string& path = "<memory>")
{
    using namespace detail::keras;
    const std::string where = "xtnn::io::load_keras_weights";
    const context ctx{where + ": " + xtnn::detail::quoted(path) + ": "};
    std::unique_ptr<xtnn::detail::hdf5::file> file;
    if (is_zip(bytes))
    {
        file = std::move(open_archive(ctx, bytes, path, where).weights);
    }
    else
    {
        file = std::make_unique<xtnn::detail::hdf5::file>(bytes, path, where);
    }
    std::unique_ptr<weight_store> store;
    std::vector<std::string> legacy_names;  // Keras 2: the layers that have weights, in order
    for (const std::string root : {"", "model_weights"})
    {
        if (!store && file->has_attribute(root.empty() ? "/" : root, "layer_names"))
        {
            store = std::make_unique<weight_store>(weight_store::legacy(*file, root));
            for (const auto& name : store->layer_names())
            {
                const std::string group = root.empty() ? name : root + "/" + name;
                if (!file->is_group(group))
                {
                    file->fail(group, "missing group: layer '" + name + "' is in layer_names");
                }
                if (!file->strings(group, "weight_names").empty() ||
                    (file->has_attribute(group, "weight_names0")))
                {
                    legacy_names.push_back(name);
                }
            }
        }
    }
    if (!store)
    {
        if (!file->is_group("layers") && !file->is_group("_layer_checkpoint_dependencies"))
        {
            ctx.fail("no Keras weights: neither a layer_names attribute (Keras 2 save_weights) "
                     "nor a layers group (Keras 3 .weights.h5)");
        }
        store = std::make_unique<weight_store>(weight_store::by_class(*file));
    }

    network<T> loaded = net;  // all or nothing
    std::size_t next = 0;
    for (std::size_t i = 0; i < loaded.size(); ++i)
    {
        const std::string keras = keras_class(loaded.layer(i));
        if (keras.empty())
        {
            if (loaded.layer(i).parameter_count() || loaded.layer(i).state_count())
            {
                ctx.fail("layer " + std::to_string(i + 1) + " (" + loaded.name(i) + ") of kind " +
                         std::string(loaded.layer(i).kind()) + " has no Keras counterpart");
            }
            continue;
        }
        layer_entry entry;
        entry.class_name = keras;
        if (store->legacy())
        {
            if (next >= legacy_names.size())
            {
                ctx.fail("the file has weights for " + std::to_string(legacy_names.size()) +
                         " layers; the network's layer " + std::to_string(i + 1) + " (" +
                         loaded.name(i) + ") is one more");
            }
            entry.name = legacy_names[next++];
            // the file does not say the class of its layer: say which layer it was to fill
            entry.class_name = keras + " weights for the network's " + loaded.name(i);
        }
        else
        {
            entry.name = loaded.name(i);
        }
        const layer_weights w = store->get(entry.name, keras);
        if (!store->legacy())
        {
            entry.name = store->last_key();  // name the layer as the file does
        }
        if (!store->legacy() && w.arrays.empty())
        {
            ctx.fail(entry, "no weights in the file for the network's layer " +
                                std::to_string(i + 1) + " (" + loaded.name(i) + ")");
        }
        assign(ctx, loaded, i, entry, w);
    }
    if (store->legacy() && next != legacy_names.size())
    {
        ctx.fail("the file has weights for " + std::to_string(legacy_names.size()) +
                 " layers; the network has " + std::to_string(next) + " that take weights");
    }
    const auto left = store->unused();
    if (!left.empty())
    {
        ctx.fail("the file has weights for '" + left.front() + "', which no layer of the network takes");
    }
    net = std::move(loaded);
}

/// parse_keras_weights for the file at `path`.
/// @throws io_error when it cannot be read; format_error as parse_keras_weights.
template <class T>
void load_keras_weights(network<T>& net, const std::string& path)
{
    parse_keras_weights(net, xtnn::detail::read_file(path, "xtnn::io::load_keras_weights"), path);
}
}  // namespace xtnn::io
