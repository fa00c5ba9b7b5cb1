// SPDX-License-Identifier: MIT
// The Keras reader's view of a model config (config.json of a .keras, the model_config
// attribute of an .h5): its layers in order, for Sequential models and for functional ones
// whose graph is a single chain, and the small JSON helpers the layer mapping uses. Message
// helpers name the file and the layer. Part of xtnn::keras (xtnn/io/keras.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xtnn/detail/hdf5.hpp>
#include <xtnn/error.hpp>

namespace xtnn::io::detail::keras
{
using json = nlohmann::json;
using xtnn::detail::hdf5::shape_text;

/// One layer of the model's config, in model order.
struct layer_entry
{
    std::string name;
    std::string class_name;
    json config;
};

/// Keras's naming.to_snake_case, its two substitutions: "BatchNormalization" ->
/// "batch_normalization", "ReLU" -> "re_lu", "Conv2D" -> "conv2d".
inline std::string snake_case(const std::string& name)
{
    static const std::regex word_start("(.)([A-Z][a-z]+)");
    static const std::regex lower_upper("([a-z])([A-Z])");
    std::string out = std::regex_replace(name, word_start, "$1_$2");
    out = std::regex_replace(out, lower_upper, "$1_$2");
    for (char& c : out)
    {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

/// The Keras classes this reader maps, for messages.
inline const char* supported_classes()
{
    return "InputLayer, Dense, Activation, ReLU, LeakyReLU, ELU, Softmax, Dropout, "
           "BatchNormalization, LayerNormalization, Flatten, Reshape, Rescaling, Normalization";
}

/// Everything a message needs: "<where>: \"file\": ".
struct context
{
    std::string prefix;
    [[noreturn]] void fail(const std::string& what) const { throw format_error(prefix + what); }
    [[noreturn]] void fail(const layer_entry& layer, const std::string& what) const
    {
        throw format_error(prefix + "layer '" + layer.name + "' (" + layer.class_name + "): " + what);
    }
};

inline std::string text(const json& value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

/// A config entry as a number (Keras writes floats; h5-era files may write ints).
inline double number(const context& ctx, const layer_entry& layer, const std::string& key,
                     double fallback)
{
    const auto found = layer.config.find(key);
    if (found == layer.config.end() || found->is_null())
    {
        return fallback;
    }
    if (!found->is_number())
    {
        ctx.fail(layer, "'" + key + "' is " + text(*found) + "; expected a number");
    }
    return found->get<double>();
}

inline bool flag(const context& ctx, const layer_entry& layer, const std::string& key, bool fallback)
{
    const auto found = layer.config.find(key);
    if (found == layer.config.end() || found->is_null())
    {
        return fallback;
    }
    if (!found->is_boolean())
    {
        ctx.fail(layer, "'" + key + "' is " + text(*found) + "; expected true or false");
    }
    return found->get<bool>();
}

/// Whether a config `axis` (-1, [-1], or the last axis as a positive number, as tf.keras
/// writes it after build) is the last axis of a rank-`rank` input (batch included).
inline bool is_last_axis(const json& axis, std::size_t rank)
{
    const json* value = &axis;
    if (axis.is_array())
    {
        if (axis.size() != 1)
        {
            return false;
        }
        value = &axis[0];
    }
    if (!value->is_number_integer())
    {
        return false;
    }
    const auto a = value->get<std::int64_t>();
    return a == -1 || a == static_cast<std::int64_t>(rank) - 1;
}

/// The shape (without the batch) from "batch_shape" / "batch_input_shape" [null, 28, 28].
inline bool batch_shape(const json& config, std::vector<std::size_t>& shape)
{
    for (const char* key : {"batch_shape", "batch_input_shape"})
    {
        const auto found = config.find(key);
        if (found != config.end() && found->is_array() && !found->empty())
        {
            shape.clear();
            for (std::size_t i = 1; i < found->size(); ++i)
            {
                const json& d = (*found)[i];
                shape.push_back(d.is_number_unsigned() ? d.get<std::size_t>() : 0);
            }
            return true;
        }
    }
    return false;
}

inline std::size_t product(const std::vector<std::size_t>& shape)
{
    std::size_t n = 1;
    for (std::size_t d : shape)
    {
        n *= d;
    }
    return n;
}

/// The names a Keras 2 node entry or a Keras 3 __keras_tensor__ refers to:
/// [["input_1", 0, 0, {}]] or {"args": [{"class_name": "__keras_tensor__", "config":
/// {"keras_history": ["input_layer", 0, 0]}}], "kwargs": {}}.
inline void collect_sources(const context& ctx, const json& node, std::vector<std::string>& out,
                            std::size_t depth = 0)
{
    // Keras nests these 4 or 5 deep; a hostile config could nest them until the stack ends.
    if (depth > 64)
    {
        ctx.fail("a node entry nested deeper than 64 levels");
    }
    if (node.is_array())
    {
        if (node.size() >= 3 && node[0].is_string() && node[1].is_number_integer() &&
            node[2].is_number_integer())
        {
            out.push_back(node[0].get<std::string>());
            return;
        }
        for (const auto& item : node)
        {
            collect_sources(ctx, item, out, depth + 1);
        }
    }
    else if (node.is_object())
    {
        const auto history = node.find("keras_history");
        if (history != node.end())
        {
            collect_sources(ctx, *history, out, depth + 1);
            return;
        }
        for (const auto& item : node.items())
        {
            collect_sources(ctx, item.value(), out, depth + 1);
        }
    }
}

/// The layer names of "input_layers"/"output_layers": [["name", 0, 0], ...] or one ["name", 0, 0].
inline std::vector<std::string> endpoint_names(const context& ctx, const json& endpoints)
{
    std::vector<std::string> names;
    collect_sources(ctx, endpoints, names);
    return names;
}

/// The layers of a Sequential or linear functional model config, in order.
/// @throws format_error for another model class, or a graph that is not a single chain.
inline std::vector<layer_entry> model_layers(const context& ctx, const json& model)
{
    if (!model.is_object() || !model.contains("class_name") || !model.contains("config"))
    {
        ctx.fail("the model config is not a Keras model (no class_name and config)");
    }
    const std::string model_class = text(model["class_name"]);
    const json& config = model["config"];
    // Keras < 2.2.3 wrote a Sequential's config as the bare list of layers.
    const json& layer_list = config.is_array() ? config : config.value("layers", json());
    if (!layer_list.is_array())
    {
        ctx.fail("the " + model_class + " config has no list of layers");
    }
    std::vector<layer_entry> layers;
    for (const auto& item : layer_list)
    {
        if (!item.is_object() || !item.contains("class_name") || !item.contains("config") ||
            !item["config"].is_object())
        {
            ctx.fail("a layer of the " + model_class + " config has no class_name and config");
        }
        layer_entry entry;
        entry.class_name = text(item["class_name"]);
        entry.config = item["config"];
        entry.name = item.contains("name") ? text(item["name"]) : entry.config.value("name", "");
        layers.push_back(std::move(entry));
    }
    if (model_class == "Sequential")
    {
        return layers;
    }
    if (model_class != "Functional" && model_class != "Model")
    {
        ctx.fail("unsupported Keras model class '" + model_class +
                 "'; expected Sequential or a functional Model");
    }

    // A functional model maps when its graph is one chain: one input, every other layer
    // called once on the one layer before it, each feeding at most one layer, ending at the
    // one output.
    const auto inputs = endpoint_names(ctx, config.value("input_layers", json()));
    const auto outputs = endpoint_names(ctx, config.value("output_layers", json()));
    if (inputs.size() != 1 || outputs.size() != 1)
    {
        ctx.fail("the functional graph is not a chain: it has " + std::to_string(inputs.size()) +
                 " inputs and " + std::to_string(outputs.size()) + " outputs; expected one each");
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        index[layers[i].name] = i;
    }
    std::map<std::string, std::vector<std::string>> consumers;
    for (std::size_t i = 0; i < layer_list.size(); ++i)
    {
        const json nodes = layer_list[i].value("inbound_nodes", json::array());
        if (layers[i].name == inputs[0] && nodes.empty())
        {
            continue;
        }
        std::vector<std::string> sources;
        collect_sources(ctx, nodes, sources);
        if (nodes.size() != 1 || sources.size() != 1)
        {
            std::string list;
            for (const auto& s : sources)
            {
                list += (list.empty() ? "" : ", ") + s;
            }
            ctx.fail("the functional graph is not a chain: layer '" + layers[i].name + "' (" +
                     layers[i].class_name + ") is called " + std::to_string(nodes.size()) +
                     " time(s) on " + std::to_string(sources.size()) + " input(s)" +
                     (list.empty() ? "" : " (" + list + ")"));
        }
        if (!index.count(sources[0]))
        {
            ctx.fail("layer '" + layers[i].name + "' takes the output of '" + sources[0] +
                     "', which is not a layer of the model");
        }
        consumers[sources[0]].push_back(layers[i].name);
    }
    std::vector<layer_entry> chain;
    std::string at = inputs[0];
    if (!index.count(at))
    {
        ctx.fail("the functional model's input '" + at + "' is not one of its layers");
    }
    while (true)
    {
        chain.push_back(layers[index[at]]);
        const auto& next = consumers[at];
        if (next.size() > 1)
        {
            ctx.fail("the functional graph is not a chain: layer '" + at + "' feeds " +
                     std::to_string(next.size()) + " layers ('" + next[0] + "', '" + next[1] + "')");
        }
        if (next.empty())
        {
            break;
        }
        at = next[0];
        if (chain.size() > layers.size())
        {
            ctx.fail("the functional graph is not a chain: it has a cycle through '" + at + "'");
        }
    }
    if (at != outputs[0] || chain.size() != layers.size())
    {
        ctx.fail("the functional graph is not a chain: the path from input '" + inputs[0] +
                 "' ends at '" + at + "' after " + std::to_string(chain.size()) + " of " +
                 std::to_string(layers.size()) + " layers; the output is '" + outputs[0] + "'");
    }
    return chain;
}

/// The model config's own record of its input shape: Keras 3's build_config, a Sequential's
/// build_input_shape.
inline std::vector<std::size_t> recorded_input_shape(const json& model)
{
    std::vector<std::size_t> shape;
    const auto from = [&](const json& value)
    {
        if (shape.empty() && value.is_array() && !value.empty())
        {
            batch_shape(json{{"batch_shape", value}}, shape);
        }
    };
    if (model.is_object())
    {
        if (model.contains("build_config") && model["build_config"].is_object())
        {
            from(model["build_config"].value("input_shape", json()));
        }
        if (model.contains("config") && model["config"].is_object())
        {
            from(model["config"].value("build_input_shape", json()));
        }
    }
    return shape;
}

inline json parse_json(const context& ctx, const std::string& what, const std::string& text)
{
    try
    {
        return json::parse(text);
    }
    catch (const json::exception& e)
    {
        ctx.fail(what + " is not valid JSON: " + e.what());
    }
}

}  // namespace xtnn::io::detail::keras
