// SPDX-License-Identifier: MIT
// Model files that carry the whole model: a .npz that np.load opens, with one array per
// parameter and per state array ("dense_1/kernel", "batch_norm_1/moving_mean") and a member
// "model.json" holding the layer sequence with each layer's configuration, the input the model
// expects, class names, a CRC-32 of every array, and a golden check (input rows and the
// outputs the saving program computed), which loading replays. docs/model-format.md writes
// the format down; tools/xtnn_model.py reads it with numpy alone.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/registry.hpp>
#include <xtnn/version.hpp>

namespace xtnn::io
{
/// The format version this xtnn writes, and the newest it reads.
inline constexpr int model_format_version = 1;

/// The member of a model file that describes it.
inline constexpr const char* model_json_member = "model.json";

/// What a model file carries besides the network's layers and arrays.
struct model_info
{
    /// One name per output, e.g. "0".."9", or "T-shirt/top", "Trouser", ...
    std::vector<std::string> classes;
    /// What one input sample is: its shape (default {inputs}) and a description of its
    /// values for people ("raw pixels 0..255, 28x28 row-major").
    std::vector<std::size_t> input_shape;
    std::string input_description;
    /// Free text about the model.
    std::string description;
    /// Optional training metadata (optimizer, epochs, final metrics), kept as given.
    nlohmann::ordered_json training = nlohmann::ordered_json::object();
    /// The golden check's input rows (rows, inputs). Empty: save_model draws four rows
    /// uniform in [0, 1) from a fixed seed.
    std::vector<std::vector<double>> check_inputs;
};

/// A loaded model: the network and what its file said about it.
template <class T = float>
struct model
{
    network<T> net;
    model_info info;
    int format_version = model_format_version;
    std::string written_by;  ///< the xtnn version that wrote the file
};

/// How load_model checks a file.
struct model_load_options
{
    bool verify_checksums = true;  ///< compare every array's CRC-32 with model.json's
    bool verify_outputs = true;    ///< replay the golden check
    /// |y - expected| <= atol + rtol·|expected| for every output; negative: the value type's
    /// default (float: rtol 1e-5, atol 1e-6; double: rtol 1e-9, atol 1e-12; a double model
    /// loaded as float gets float's).
    double rtol = -1;
    double atol = -1;
};

namespace detail
{
using json = nlohmann::ordered_json;

inline std::string dtype_name(dtype type)
{
    switch (type)
    {
    case dtype::f4:
        return "float32";
    case dtype::f8:
        return "float64";
    default:
        return descr(type);
    }
}

inline json config_to_json(const layer_config& config)
{
    json out = json::object();
    for (const auto& [key, value] : config.entries())
    {
        std::visit([&, k = key](const auto& v) { out[k] = v; }, value);
    }
    return out;
}

inline layer_config config_from_json(const json& object, const std::string& where)
{
    if (!object.is_object())
    {
        throw format_error(where + ": config is " + std::string(object.type_name()) +
                           "; expected an object");
    }
    layer_config config;
    for (const auto& [key, value] : object.items())
    {
        if (value.is_boolean())
        {
            config.set(key, value.get<bool>());
        }
        else if (value.is_number_integer())
        {
            config.set(key, value.get<std::int64_t>());
        }
        else if (value.is_number_float())
        {
            config.set(key, value.get<double>());
        }
        else if (value.is_string())
        {
            config.set(key, value.get<std::string>());
        }
        else
        {
            throw format_error(where + ": config " + key + " is " + value.type_name() +
                               "; expected a flag, a number or a string");
        }
    }
    return config;
}

/// An array's values as an ndarray of T's dtype, C order.
template <class T>
ndarray to_stored(const T* data, const array_shape& shape)
{
    ndarray array;
    array.type = dtype_of<T>();
    array.shape = shape.to_vector();
    array.data.resize(shape.elements() * sizeof(T));
    if (!array.data.empty())
    {
        std::memcpy(array.data.data(), data, array.data.size());
    }
    return array;
}

inline std::uint32_t crc_of(const ndarray& array)
{
    return xtnn::detail::crc32_of(array.data.data(), array.data.size());
}

/// A field of `object`, or a format_error naming it.
inline const json& field(const json& object, const char* key, const std::string& where)
{
    if (!object.is_object() || !object.contains(key))
    {
        throw format_error(where + ": model.json has no \"" + key + "\"");
    }
    return object.at(key);
}

/// object[key] as a V. An integer V takes only a whole number in its range (nlohmann's own
/// conversion would cast 4e47 or -1 to unsigned, which is undefined or wrong); a floating V
/// takes any number.
template <class V>
V get(const json& object, const char* key, const std::string& where)
{
    const json& value = field(object, key, where);
    const auto refuse = [&](const std::string& expected) -> V
    {
        throw format_error(where + ": model.json's \"" + key + "\" is " +
                           (value.is_number() ? value.dump() : std::string(value.type_name())) +
                           "; expected " + expected);
    };
    if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>)
    {
        const std::string whole = std::string("a whole number from ") +
                                  std::to_string(std::numeric_limits<V>::min()) + " to " +
                                  std::to_string(std::numeric_limits<V>::max());
        if (value.is_number_unsigned())
        {
            const auto n = value.get<std::uint64_t>();
            return n <= static_cast<std::uint64_t>(std::numeric_limits<V>::max()) ? static_cast<V>(n)
                                                                                  : refuse(whole);
        }
        if (value.is_number_integer())
        {
            const auto n = value.get<std::int64_t>();
            const bool fits = std::is_signed_v<V>
                                  ? n >= static_cast<std::int64_t>(std::numeric_limits<V>::min()) &&
                                        n <= static_cast<std::int64_t>(std::numeric_limits<V>::max())
                                  : false;  // negative: is_number_unsigned was false
            return fits ? static_cast<V>(n) : refuse(whole);
        }
        return refuse(whole);
    }
    else if constexpr (std::is_floating_point_v<V>)
    {
        return value.is_number() ? value.get<V>() : refuse("a number");
    }
    else
    {
        try
        {
            return value.get<V>();
        }
        catch (const nlohmann::json::exception&)
        {
            return refuse(std::is_same_v<V, std::string> ? "a string" : "a value of another type");
        }
    }
}

/// The default check rows: `rows` x `inputs` uniform in [0, 1), seed 12345 (documented).
inline std::vector<std::vector<double>> default_check_inputs(std::size_t inputs,
                                                             std::size_t rows = 4)
{
    std::mt19937_64 engine(12345);
    std::vector<std::vector<double>> x(rows, std::vector<double>(inputs));
    for (auto& row : x)
    {
        for (auto& v : row)
        {
            v = static_cast<double>(engine() >> 11) * (1.0 / 9007199254740992.0);  // 53 bits
        }
    }
    return x;
}

/// f(), with the JSON library's errors (a value of an unexpected type, say) turned into
/// format_errors naming the file: model.json is read from outside and must not escape as
/// another exception type.
template <class F>
auto json_errors_as_format_errors(const std::string& name, F&& f)
{
    try
    {
        return f();
    }
    catch (const nlohmann::json::exception& e)
    {
        throw format_error("xtnn::io::load_model: " + xtnn::detail::quoted(name) +
                           ": model.json: " + e.what());
    }
}

/// The array named `name` in `arrays`, with the shape model.json gives for it.
inline const ndarray& stored_array(const std::unordered_map<std::string, const ndarray*>& arrays,
                                   const std::string& name, const std::vector<std::size_t>& shape,
                                   const std::string& where)
{
    const auto found = arrays.find(name);
    if (found == arrays.end())
    {
        throw format_error(where + ": no array \"" + name + "\" in the archive; model.json lists it");
    }
    if (found->second->shape != shape)
    {
        throw shape_error(where + ": array \"" + name + "\" has shape " +
                          shape_string(found->second->shape) + "; the layer expects " +
                          shape_string(shape));
    }
    return *found->second;
}
/// A model file before it is packed: model.json's document and the arrays beside it.
/// Checkpoints (checkpoint.hpp) add to both.
struct model_document
{
    json doc;
    std::vector<std::pair<std::string, ndarray>> arrays;
};

/// model.json and the arrays of `net` and `info`, checksums not yet computed.
template <class T>
model_document describe_model(const network<T>& net, const model_info& info, const char* where)
{
    if (net.empty())
    {
        throw error(std::string(where) + ": the network has no layers");
    }
    json doc;
    doc["format"] = "xtnn-model";
    doc["format_version"] = model_format_version;
    doc["xtnn_version"] = xtnn::version_string;
    doc["dtype"] = detail::dtype_name(dtype_of<T>());
    const std::vector<std::size_t> input_shape =
        info.input_shape.empty() ? std::vector<std::size_t>{net.inputs()} : info.input_shape;
    doc["input"] = {{"shape", input_shape},
                    {"width", net.inputs()},
                    {"dtype", detail::dtype_name(dtype_of<T>())},
                    {"description", info.input_description}};
    doc["output"] = {{"width", net.outputs()}, {"classes", info.classes}};
    if (!info.classes.empty() && info.classes.size() != net.outputs())
    {
        throw shape_error(std::string(where) + ": " + std::to_string(info.classes.size()) +
                          " class names for a network of " + std::to_string(net.outputs()) +
                          " outputs");
    }

    std::vector<std::pair<std::string, ndarray>> arrays;
    json layers = json::array();
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const auto& layer = net.layer(i);
        json entry;
        entry["name"] = net.name(i);
        entry["kind"] = std::string(layer.kind());
        entry["config"] = detail::config_to_json(layer.config());
        entry["input_width"] = net.widths()[i];
        entry["output_width"] = net.width(i);
        json parameters = json::array();
        for (std::size_t p = 0; p < layer.parameter_count(); ++p)
        {
            const auto ref = layer.parameter(p);
            const std::string array_name = net.name(i) + "/" + std::string(ref.name);
            parameters.push_back({{"name", std::string(ref.name)},
                                  {"array", array_name},
                                  {"shape", ref.shape.to_vector()},
                                  {"trainable", ref.options->trainable},
                                  {"weight_decay", ref.options->weight_decay},
                                  {"learning_rate", ref.options->learning_rate}});
            arrays.emplace_back(array_name, detail::to_stored(ref.data, ref.shape));
        }
        json state = json::array();
        for (std::size_t s = 0; s < layer.state_count(); ++s)
        {
            const auto ref = layer.state(s);
            const std::string array_name = net.name(i) + "/" + std::string(ref.name);
            state.push_back({{"name", std::string(ref.name)},
                             {"array", array_name},
                             {"shape", ref.shape.to_vector()}});
            arrays.emplace_back(array_name, detail::to_stored(ref.data, ref.shape));
        }
        entry["parameters"] = std::move(parameters);
        entry["state"] = std::move(state);
        layers.push_back(std::move(entry));
    }
    doc["layers"] = std::move(layers);

    // The golden check: these rows through this network, as the saving program computes them.
    const auto check_rows = info.check_inputs.empty() ? detail::default_check_inputs(net.inputs())
                                                      : info.check_inputs;
    matrix<T> x = xt::zeros<T>({check_rows.size(), net.inputs()});
    for (std::size_t r = 0; r < check_rows.size(); ++r)
    {
        if (check_rows[r].size() != net.inputs())
        {
            throw shape_error(std::string(where) + ": check input row " + std::to_string(r) +
                              " has " + std::to_string(check_rows[r].size()) +
                              " values; expected " + std::to_string(net.inputs()));
        }
        for (std::size_t c = 0; c < net.inputs(); ++c)
        {
            x(r, c) = static_cast<T>(check_rows[r][c]);
        }
    }
    const matrix<T> y = net.predict(x);
    arrays.emplace_back("check/inputs", detail::to_stored(x.data(), array_shape::of(x.shape())));
    arrays.emplace_back("check/outputs", detail::to_stored(y.data(), array_shape::of(y.shape())));
    doc["check"] = {{"inputs", "check/inputs"}, {"outputs", "check/outputs"}};

    if (!info.description.empty())
    {
        doc["description"] = info.description;
    }
    if (!info.training.empty())
    {
        doc["training"] = info.training;
    }
    return {std::move(doc), std::move(arrays)};
}

/// The archive: model.json (with every array's checksum added) first, then the arrays as
/// deflated .npy members, in order.
inline std::vector<std::uint8_t> pack(model_document document, const char* where)
{
    json checksums = json::object();
    for (const auto& [name, array] : document.arrays)
    {
        checksums[name] = {{"dtype", descr(array.type)},
                           {"shape", array.shape},
                           {"crc32", crc_of(array)}};
    }
    document.doc["arrays"] = std::move(checksums);
    std::vector<zip_member> members;
    const std::string text = document.doc.dump(1) + "\n";
    members.push_back({model_json_member, std::vector<std::uint8_t>(text.begin(), text.end())});
    for (const auto& [name, array] : document.arrays)
    {
        members.push_back({name + ".npy", format_npy(array)});
    }
    return format_zip(members, true, where);
}
}  // namespace detail

/// The bytes of a model file for `net`: model.json first, then every parameter and state
/// array and the golden check's inputs and outputs, as .npy members (deflated).
/// @throws shape_error when the check inputs do not have net.inputs() columns; error for a
/// network without layers.
template <class T>
std::vector<std::uint8_t> format_model(const network<T>& net, const model_info& info = {})
{
    constexpr const char* where = "xtnn::io::save_model";
    return detail::pack(detail::describe_model(net, info, where), where);
}

/// Saves `net` (every layer, its configuration and arrays) and `info` to `path` as a model
/// file, atomically and durably: the previous file survives any failure.
/// @throws as format_model; io_error naming the path when writing fails.
template <class T>
void save_model(const network<T>& net, const std::string& path, const model_info& info = {})
{
    xtnn::detail::write_file_atomically(path, format_model(net, info), "xtnn::io::save_model");
}

/// True when `members` hold a model.json: a model file, rather than a weights-only .npz.
inline bool is_model_archive(const std::vector<zip_member>& members)
{
    for (const auto& member : members)
    {
        if (member.name == model_json_member)
        {
            return true;
        }
    }
    return false;
}

/// True when the file at `path` is a model file (a zip holding model.json), not a
/// weights-only .npz or a pickle. @throws io_error when it cannot be read.
inline bool is_model_file(const std::string& path)
{
    const auto bytes = xtnn::detail::read_file(path, "xtnn::io::is_model_file");
    if (bytes.size() < 4 || bytes[0] != 'P' || bytes[1] != 'K')
    {
        return false;
    }
    try
    {
        return is_model_archive(detail::parse_zip_bytes(bytes.data(), bytes.size(), path));
    }
    catch (const format_error&)
    {
        return false;
    }
}

namespace detail
{
/// A model file read and checked (format, version, every array present, listed and, unless
/// switched off, unchanged), before its network is rebuilt.
struct model_archive
{
    std::string where;  ///< "xtnn::io::load_model: \"path\"", for messages
    json doc;
    std::vector<std::pair<std::string, ndarray>> parsed;
    std::unordered_map<std::string, const ndarray*> arrays;  // O(1) look-up by name

    model_archive() = default;
    model_archive(const model_archive&) = delete;  // arrays points into parsed
    model_archive& operator=(const model_archive&) = delete;
};

inline void check_model_document(model_archive& archive, const std::uint8_t* text,
                                 std::size_t size, const model_load_options& options);

inline void read_model_archive(model_archive& archive, const std::uint8_t* data, std::size_t size,
                               const std::string& name, const model_load_options& options)
{
    archive.where = "xtnn::io::load_model: " + xtnn::detail::quoted(name);
    const std::string& where = archive.where;
    const std::vector<zip_member> members = parse_zip_bytes(data, size, where);

    const zip_member* description = nullptr;
    auto& parsed = archive.parsed;
    parsed.reserve(members.size());
    for (const auto& member : members)
    {
        if (member.name == model_json_member)
        {
            description = &member;
            continue;
        }
        const std::string& n = member.name;
        if (n.size() < 5 || n.compare(n.size() - 4, 4, ".npy") != 0)
        {
            throw format_error(where + ": member \"" + xtnn::detail::escape_bytes(n) +
                               "\" is neither model.json nor a .npy array");
        }
        parsed.emplace_back(n.substr(0, n.size() - 4),
                            detail::parse_npy_bytes(member.data.data(), member.data.size(),
                                            where + ": member \"" + n + "\""));
    }
    if (!description)
    {
        throw format_error(where + ": no member model.json; this is not a model file (a "
                                   "weights-only .npz loads with load_network)");
    }
    check_model_document(archive, description->data.data(), description->data.size(), options);
}

/// Reads model.json's text into archive.doc and checks it against archive.parsed (format,
/// version, every array present, listed and, unless switched off, unchanged). Model files
/// and xtnn's safetensors files (safetensors.hpp) share it.
inline void check_model_document(model_archive& archive, const std::uint8_t* text,
                                 std::size_t size, const model_load_options& options)
{
    const std::string& where = archive.where;
    auto& parsed = archive.parsed;
    auto& arrays = archive.arrays;
    auto& doc = archive.doc;
    arrays.clear();
    for (const auto& [key, array] : parsed)
    {
        arrays.emplace(key, &array);
    }
    try
    {
        doc = json::parse(text, text + size);
    }
    catch (const nlohmann::json::parse_error& e)
    {
        throw format_error(where + ": model.json is not valid JSON: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("format") || doc["format"] != "xtnn-model")
    {
        throw format_error(where + ": model.json's \"format\" is not \"xtnn-model\"");
    }
    const int version = detail::get<int>(doc, "format_version", where);
    if (version > model_format_version || version < 1)
    {
        throw format_error(where + ": written in model format version " + std::to_string(version) +
                           " (by xtnn " + doc.value("xtnn_version", std::string("?")) +
                           "); this xtnn (" + xtnn::version_string +
                           ") reads format versions 1 to " + std::to_string(model_format_version));
    }

    // Every array model.json lists is there, unchanged, and nothing else is.
    const json& checksums = detail::field(doc, "arrays", where);
    if (!checksums.is_object())
    {
        throw format_error(where + ": model.json's \"arrays\" is not an object");
    }
    for (const auto& [key, entry] : checksums.items())
    {
        const auto found = arrays.find(key);
        if (found == arrays.end())
        {
            throw format_error(where + ": no array \"" + key + "\" in the archive; model.json "
                                                               "lists it");
        }
        if (options.verify_checksums)
        {
            const auto expected = detail::get<std::uint32_t>(entry, "crc32", where);
            const std::uint32_t actual = detail::crc_of(*found->second);
            if (actual != expected)
            {
                throw format_error(where + ": array \"" + key + "\" has CRC-32 " +
                                   std::to_string(actual) + "; model.json says " +
                                   std::to_string(expected) + " (the array was changed)");
            }
        }
    }
    for (const auto& [key, array] : parsed)
    {
        if (!checksums.contains(key))
        {
            throw format_error(where + ": array \"" + key + "\" is not listed in model.json");
        }
    }

}

/// The network and information of a read archive; the golden check replayed unless off.
template <class T>
model<T> build_model(const model_archive& archive, const model_load_options& options)
{
    const std::string& where = archive.where;
    const json& doc = archive.doc;
    const auto& arrays = archive.arrays;
    model<T> result;
    result.format_version = detail::get<int>(doc, "format_version", where);
    result.written_by = doc.value("xtnn_version", std::string());
    const json& input = detail::field(doc, "input", where);
    const auto inputs = detail::get<std::size_t>(input, "width", where);
    result.info.input_shape = detail::get<std::vector<std::size_t>>(input, "shape", where);
    result.info.input_description = input.value("description", std::string());
    result.info.classes =
        detail::get<std::vector<std::string>>(detail::field(doc, "output", where), "classes", where);
    result.info.description = doc.value("description", std::string());
    if (doc.contains("training"))
    {
        result.info.training = doc["training"];
    }

    network<T> net(inputs);
    const auto& registry = layer_registry<T>::global();
    const json& layers = detail::field(doc, "layers", where);
    if (!layers.is_array() || layers.empty())
    {
        throw format_error(where + ": model.json's \"layers\" is not a list of layers");
    }
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const json& entry = layers[i];
        const auto layer_name = detail::get<std::string>(entry, "name", where);
        const auto kind = detail::get<std::string>(entry, "kind", where);
        const std::string at = where + ": layer " + std::to_string(i + 1) + " (" + layer_name + ")";
        if (!registry.has(kind))
        {
            std::string known;
            for (const auto& k : registry.kinds())
            {
                known += (known.empty() ? "" : ", ") + k;
            }
            throw format_error(at + ": unknown layer kind '" + kind + "'; known kinds: " + known +
                               " (a layer of your own needs xtnn::register_layer before loading)");
        }
        any_layer<T> layer = registry.make(kind, detail::config_from_json(
                                                     detail::field(entry, "config", at), at));
        // Before the layer allocates anything: the arrays it will need must be in the file.
        // What its settings need (array_values) is compared with the values the file holds
        // for it, so a lying width or setting cannot make it allocate more than that.
        std::size_t held = 0;
        for (const char* list : {"parameters", "state"})
        {
            const json& arrays_listed = detail::field(entry, list, at);
            if (!arrays_listed.is_array())
            {
                throw format_error(at + ": model.json's \"" + list + "\" is not a list");
            }
            for (const auto& listed : arrays_listed)
            {
                const auto name = detail::get<std::string>(listed, "array", at);
                const auto found = arrays.find(name);
                if (found == arrays.end())
                {
                    throw format_error(at + ": no array \"" + name +
                                       "\" in the archive; model.json lists it");
                }
                held = checked_size(held, 1, found->second->size());
            }
        }
        const std::size_t needed = layer.array_values(net.outputs());
        if (needed != unknown_size ? needed != held : net.outputs() > (std::size_t(1) << 24))
        {
            throw format_error(at + ": its settings for " + std::to_string(net.outputs()) +
                               " inputs need " +
                               (needed == unknown_size ? std::string("more") : std::to_string(needed)) +
                               " values; the file holds " + std::to_string(held) + " for it");
        }
        net.add(std::move(layer), layer_name);
        auto& built = net.mutable_layer(net.size() - 1);
        if (net.width(i) != detail::get<std::size_t>(entry, "output_width", at))
        {
            throw shape_error(at + ": outputs " + std::to_string(net.width(i)) +
                              " values; model.json says " +
                              std::to_string(detail::get<std::size_t>(entry, "output_width", at)));
        }
        const auto fill = [&](const json& list, std::size_t count, auto get_ref, const char* what)
        {
            if (!list.is_array() || list.size() != count)
            {
                throw format_error(at + ": model.json lists " +
                                   std::to_string(list.is_array() ? list.size() : 0) + " " + what +
                                   " arrays; the layer has " + std::to_string(count));
            }
            for (std::size_t p = 0; p < count; ++p)
            {
                const auto ref = get_ref(p);
                const auto array_name = detail::get<std::string>(list[p], "array", at);
                if (detail::get<std::string>(list[p], "name", at) != ref.name)
                {
                    throw format_error(at + ": " + what + " " + std::to_string(p + 1) + " is \"" +
                                       list[p]["name"].get<std::string>() + "\"; the layer's is \"" +
                                       std::string(ref.name) + "\"");
                }
                const ndarray& stored =
                    detail::stored_array(arrays, array_name, ref.shape.to_vector(), at);
                const auto values = stored.template as<T>();
                std::copy(values.begin(), values.end(), ref.data);
            }
        };
        fill(detail::field(entry, "parameters", at), built.parameter_count(),
             [&](std::size_t p) { return built.parameter(p); }, "parameter");
        fill(detail::field(entry, "state", at), built.state_count(),
             [&](std::size_t p) { return built.state(p); }, "state");
        const json& parameters = entry["parameters"];
        for (std::size_t p = 0; p < built.parameter_count(); ++p)
        {
            auto* o = built.parameter(p).options;
            o->trainable = parameters[p].value("trainable", o->trainable);
            o->weight_decay = parameters[p].value("weight_decay", o->weight_decay);
            o->learning_rate = parameters[p].value("learning_rate", o->learning_rate);
        }
    }

    if (options.verify_outputs)
    {
        const json& check = detail::field(doc, "check", where);
        const auto check_array = [&](const char* which) -> const ndarray&
        {
            const auto name = detail::get<std::string>(check, which, where);
            const auto found = arrays.find(name);
            if (found == arrays.end())
            {
                throw format_error(where + ": the check's " + which + " \"" + name +
                                   "\" is not in the archive");
            }
            return *found->second;
        };
        const ndarray& x = check_array("inputs");
        const ndarray& expected = check_array("outputs");
        if (x.shape.size() != 2 || x.shape[1] != net.inputs() || expected.shape.size() != 2 ||
            expected.shape[0] != x.shape[0] || expected.shape[1] != net.outputs())
        {
            throw shape_error(where + ": the check's inputs " + shape_string(x.shape) +
                              " and outputs " + shape_string(expected.shape) +
                              " do not fit the network (" + std::to_string(net.inputs()) +
                              " inputs, " + std::to_string(net.outputs()) + " outputs)");
        }
        const bool as_float = std::is_same_v<T, float> || expected.type == dtype::f4;
        const double rtol = options.rtol >= 0 ? options.rtol : (as_float ? 1e-5 : 1e-9);
        const double atol = options.atol >= 0 ? options.atol : (as_float ? 1e-6 : 1e-12);
        const matrix<T> check_x = x.template as<T>();
        const matrix<T> y = net.predict(check_x);
        const xt::xarray<double> e = expected.template as<double>();
        for (std::size_t r = 0; r < y.shape()[0]; ++r)
        {
            for (std::size_t c = 0; c < y.shape()[1]; ++c)
            {
                const double got = static_cast<double>(y(r, c));
                const double want = e(r, c);
                if (!(std::fabs(got - want) <= atol + rtol * std::fabs(want)))
                {
                    char values[128];
                    std::snprintf(values, sizeof values, "%.9g; the file expects %.9g", got, want);
                    throw format_error(where + ": the golden check fails at output row " +
                                       std::to_string(r) + ", column " + std::to_string(c) +
                                       ": this build computes " + values +
                                       " (rtol " + std::to_string(rtol) + ")");
                }
            }
        }
    }
    result.net = std::move(net);
    return result;
}
}  // namespace detail

/// Rebuilds the model in a model file held in memory; `name` names it in messages (a path,
/// or "<memory>"). Every layer is made by the registry from its kind and configuration (a
/// layer of your own needs register_layer first), every array's shape is checked against its
/// layer and its CRC-32 against model.json, and the golden check is replayed.
/// @throws format_error for a file that is not a model file, one from a newer format
/// version (naming both versions), a missing or extra array, a changed byte, an unknown
/// layer kind, or outputs that differ from the saved ones (naming row, column, value and
/// expected value); shape_error when an array does not fit its layer.
template <class T = float>
model<T> parse_model(const std::uint8_t* data, std::size_t size, const std::string& name = "<memory>",
                     const model_load_options& options = {})
{
    return detail::json_errors_as_format_errors(name, [&] {
        detail::model_archive archive;
        detail::read_model_archive(archive, data, size, name, options);
        return detail::build_model<T>(archive, options);
    });
}

/// Loads a model file (see parse_model).
/// @throws io_error when the file cannot be read; as parse_model.
template <class T = float>
model<T> load_model(const std::string& path, const model_load_options& options = {})
{
    const auto bytes = xtnn::detail::read_file(path, "xtnn::io::load_model");
    return parse_model<T>(bytes.data(), bytes.size(), path, options);
}
}  // namespace xtnn::io
