// SPDX-License-Identifier: MIT
// safetensors (Hugging Face's tensor file, github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON — {"NAME": {"dtype": "F32", "shape": [2, 3],
// "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"key": "text"}} — then the tensors'
// bytes, C order, little-endian, offsets counted from the end of the header. Read: F32 F64
// F16 BF16 I8 I16 I32 I64 U8 U16 U32 U64 BOOL (F16 and BF16 widened to float32). A security
// boundary: every size and offset is checked against the bytes present before anything is
// allocated from it. Written: atomically and durably.
//
// An xtnn model saved as safetensors (save_safetensors_model) holds the model file's arrays
// under the same names ("dense_1/kernel" (in, units), "check/inputs", ...) and its model.json
// as the text of __metadata__["model.json"], so that it reloads with its layers and replays
// its golden check (load_safetensors_model); docs/model-format.md describes it. A file
// without that metadata (safetensors.torch.save_file(model.state_dict(), ...)) holds
// PyTorch's names and layouts: state_dict.hpp maps it onto layers the caller gives.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/tensor_data.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn::io
{
/// The largest header a reader accepts: the reference implementation's limit (100 MB).
inline constexpr std::size_t safetensors_max_header = 100000000;

/// The __metadata__ member holding an xtnn model's model.json.
inline constexpr const char* safetensors_model_json_key = "model.json";

/// What a safetensors file holds: the tensors in data order, and its __metadata__ (text to
/// text, in the header's order; empty when it has none).
struct safetensors_content
{
    named_arrays tensors;
    std::vector<std::pair<std::string, std::string>> metadata;

    /// The metadata value of `key`, or nullptr.
    const std::string* find_metadata(const std::string& key) const
    {
        for (const auto& [k, v] : metadata)
        {
            if (k == key)
            {
                return &v;
            }
        }
        return nullptr;
    }
};

namespace detail
{
struct safetensors_dtype
{
    const char* name;
    element_type type;
};

inline constexpr safetensors_dtype safetensors_dtypes[] = {
    {"F32", element_type::f32},  {"F64", element_type::f64},  {"F16", element_type::f16},
    {"BF16", element_type::bf16}, {"I8", element_type::i8},   {"I16", element_type::i16},
    {"I32", element_type::i32},  {"I64", element_type::i64},  {"U8", element_type::u8},
    {"U16", element_type::u16},  {"U32", element_type::u32},  {"U64", element_type::u64},
    {"BOOL", element_type::boolean}};

inline const char* safetensors_name_of(dtype type)
{
    switch (type)
    {
    case dtype::f4:
        return "F32";
    case dtype::f8:
        return "F64";
    case dtype::i1:
        return "I8";
    case dtype::i2:
        return "I16";
    case dtype::i4:
        return "I32";
    case dtype::i8:
        return "I64";
    case dtype::u1:
        return "U8";
    case dtype::u2:
        return "U16";
    case dtype::u4:
        return "U32";
    case dtype::u8:
        return "U64";
    case dtype::b1:
        return "BOOL";
    }
    return "F32";
}

/// One tensor's entry in the header, before its data is read.
struct safetensors_entry
{
    std::string name;
    element_type type;
    std::vector<std::size_t> shape;
    std::size_t begin, end, count;
};

/// Parses a whole safetensors image; `context` (`where: "file"`) starts every message.
inline safetensors_content parse_safetensors_bytes(const std::uint8_t* data, std::size_t size,
                                                   const std::string& context)
{
    using ojson = nlohmann::ordered_json;
    if (size < 8)
    {
        throw format_error(context + ": " + std::to_string(size) +
                           " bytes; a safetensors file starts with an 8-byte header length");
    }
    const auto declared = xtnn::detail::load_le<std::uint64_t>(data);
    if (declared > safetensors_max_header)
    {
        throw format_error(context + ": header length " + std::to_string(declared) +
                           " exceeds the limit of " + std::to_string(safetensors_max_header) +
                           " bytes; this is not a safetensors file, or a damaged one");
    }
    if (declared > size - 8)
    {
        throw format_error(context + ": header length " + std::to_string(declared) +
                           " is longer than the file (" + std::to_string(size - 8) +
                           " bytes after the length)");
    }
    const auto header_size = static_cast<std::size_t>(declared);
    const std::uint8_t* header = data + 8;
    if (header_size < 2 || header[0] != '{')
    {
        throw format_error(context + ": the header does not start with '{'; expected a JSON "
                                     "object");
    }
    const std::uint8_t* body = header + header_size;
    const std::size_t body_size = size - 8 - header_size;

    // Top-level names must be unique: the JSON parser would keep one of two silently.
    std::unordered_set<std::string> seen;
    std::string duplicate;
    const ojson::parser_callback_t unique_names =
        [&](int depth, ojson::parse_event_t event, ojson& parsed)
    {
        if (depth == 1 && event == ojson::parse_event_t::key && duplicate.empty() &&
            !seen.insert(parsed.get<std::string>()).second)
        {
            duplicate = parsed.get<std::string>();
        }
        return true;
    };
    ojson doc;
    try
    {
        doc = ojson::parse(header, header + header_size, unique_names);
    }
    catch (const nlohmann::json::exception& e)
    {
        throw format_error(context + ": the header is not valid JSON: " + e.what());
    }
    if (!duplicate.empty())
    {
        throw format_error(context + ": the header names \"" +
                           xtnn::detail::escape_bytes(duplicate) + "\" twice");
    }
    if (!doc.is_object())
    {
        throw format_error(context + ": the header is " + std::string(doc.type_name()) +
                           "; expected a JSON object");
    }

    safetensors_content content;
    std::vector<safetensors_entry> entries;
    for (const auto& [name, info] : doc.items())
    {
        const std::string where = context + ": tensor \"" + xtnn::detail::escape_bytes(name) + "\"";
        if (name == "__metadata__")
        {
            if (!info.is_object())
            {
                throw format_error(context + ": __metadata__ is " + std::string(info.type_name()) +
                                   "; expected an object of strings");
            }
            for (const auto& [key, value] : info.items())
            {
                if (!value.is_string())
                {
                    throw format_error(context + ": __metadata__ \"" +
                                       xtnn::detail::escape_bytes(key) + "\" is " +
                                       value.type_name() + "; expected a string");
                }
                content.metadata.emplace_back(key, value.get<std::string>());
            }
            continue;
        }
        if (name.empty())
        {
            throw format_error(context + ": a tensor has an empty name");
        }
        if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") ||
            !info.contains("data_offsets"))
        {
            throw format_error(where + ": expected an object of dtype, shape and data_offsets");
        }
        const json& type_name = info["dtype"];
        const safetensors_dtype* type = nullptr;
        for (const auto& candidate : safetensors_dtypes)
        {
            if (type_name.is_string() && type_name.get<std::string>() == candidate.name)
            {
                type = &candidate;
            }
        }
        if (!type)
        {
            throw format_error(where + ": dtype " + type_name.dump() +
                               " is not supported; expected one of F32, F64, F16, BF16, I8, I16, "
                               "I32, I64, U8, U16, U32, U64, BOOL");
        }
        safetensors_entry entry{name, type->type, {}, 0, 0, 0};
        const json& shape = info["shape"];
        if (!shape.is_array())
        {
            throw format_error(where + ": shape is not a list");
        }
        for (const auto& extent : shape)
        {
            if (!extent.is_number_unsigned())
            {
                throw format_error(where + ": shape " + shape.dump() +
                                   " is not a list of whole numbers >= 0");
            }
            entry.shape.push_back(extent.get<std::size_t>());
        }
        const json& offsets = info["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
        {
            throw format_error(where + ": data_offsets " + offsets.dump() +
                               " is not a pair of whole numbers [BEGIN, END]");
        }
        entry.begin = offsets[0].get<std::size_t>();
        entry.end = offsets[1].get<std::size_t>();
        if (entry.end < entry.begin)
        {
            throw format_error(where + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                               std::to_string(entry.end) + "] end before they begin");
        }
        if (entry.end > body_size)
        {
            throw format_error(where + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                               std::to_string(entry.end) + "] reach past the data (" +
                               std::to_string(body_size) + " bytes)");
        }
        std::size_t bytes = 0;
        const bool fits = xtnn::detail::byte_count(entry.shape, element_size(entry.type), bytes);
        if (!fits || bytes != entry.end - entry.begin)
        {
            throw format_error(where + ": " + type->name + " of shape " +
                               shape_string(entry.shape) + " needs " +
                               (fits ? std::to_string(bytes) : std::string("more than 2^63")) +
                               " bytes; data_offsets give " +
                               std::to_string(entry.end - entry.begin));
        }
        entry.count = bytes / element_size(entry.type);
        entries.push_back(std::move(entry));
    }

    // The data: the tensors one after the other, without gaps or overlaps, to its end.
    std::vector<const safetensors_entry*> by_offset;
    for (const auto& entry : entries)
    {
        by_offset.push_back(&entry);
    }
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [](const safetensors_entry* a, const safetensors_entry* b)
                     { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    std::size_t expected = 0;
    const safetensors_entry* previous = nullptr;
    for (const safetensors_entry* entry : by_offset)
    {
        if (entry->begin < expected)
        {
            throw format_error(context + ": tensor \"" + xtnn::detail::escape_bytes(entry->name) +
                               "\" (bytes " + std::to_string(entry->begin) + " to " +
                               std::to_string(entry->end) + ") overlaps \"" +
                               xtnn::detail::escape_bytes(previous->name) + "\" (bytes " +
                               std::to_string(previous->begin) + " to " +
                               std::to_string(previous->end) + ")");
        }
        if (entry->begin > expected)
        {
            throw format_error(context + ": tensor \"" + xtnn::detail::escape_bytes(entry->name) +
                               "\" begins at byte " + std::to_string(entry->begin) +
                               "; the data before it ends at " + std::to_string(expected) +
                               " (a gap: the tensors must follow one another)");
        }
        expected = entry->end;
        previous = entry;
    }
    if (expected != body_size)
    {
        throw format_error(context + ": the tensors end at byte " + std::to_string(expected) +
                           " of the data; the file holds " + std::to_string(body_size) +
                           " (bytes no tensor accounts for)");
    }
    for (const safetensors_entry* entry : by_offset)
    {
        content.tensors.emplace_back(
            entry->name, decode_elements(entry->type, entry->shape, body + entry->begin, entry->count));
    }
    return content;
}

/// The bytes of a safetensors file of `tensors` (written in order) and `metadata`.
inline std::vector<std::uint8_t>
format_safetensors_bytes(const named_arrays& tensors,
                         const std::vector<std::pair<std::string, std::string>>& metadata,
                         const char* where)
{
    using ojson = nlohmann::ordered_json;
    ojson header = ojson::object();
    if (!metadata.empty())
    {
        ojson meta = ojson::object();
        for (const auto& [key, value] : metadata)
        {
            if (meta.contains(key))
            {
                throw error(std::string(where) + ": metadata key \"" + key + "\" appears twice");
            }
            meta[key] = value;
        }
        header["__metadata__"] = std::move(meta);
    }
    std::size_t offset = 0;
    for (const auto& [name, array] : tensors)
    {
        if (name.empty() || name == "__metadata__")
        {
            throw error(std::string(where) + ": a tensor may not be named \"" + name + "\"");
        }
        if (header.contains(name))
        {
            throw error(std::string(where) + ": tensor name \"" + name + "\" appears twice");
        }
        std::size_t bytes = 0;
        if (!xtnn::detail::byte_count(array.shape, item_size(array.type), bytes) ||
            bytes != array.data.size())
        {
            throw shape_error(std::string(where) + ": tensor \"" + name + "\" holds " +
                              std::to_string(array.data.size()) + " bytes for shape " +
                              shape_string(array.shape));
        }
        header[name] = {{"dtype", safetensors_name_of(array.type)},
                        {"shape", array.shape},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-aligned, as the reference pads
    std::vector<std::uint8_t> out;
    out.reserve(8 + text.size() + offset);
    xtnn::detail::store_le<std::uint64_t>(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
    for (const auto& entry : tensors)
    {
        out.insert(out.end(), entry.second.data.begin(), entry.second.data.end());
    }
    return out;
}
}  // namespace detail

/// Parses a safetensors file held in memory; `name` names it in messages.
/// @throws format_error for a header length over 100 MB or past the end of the file, a
/// header that is not a JSON object, a name given twice, an unsupported dtype, a shape whose
/// size does not match its data_offsets, offsets that end before they begin, reach past the
/// data, overlap, leave a gap or leave bytes over, and metadata that is not text.
inline safetensors_content parse_safetensors(const std::uint8_t* data, std::size_t size,
                                             const std::string& name = "<memory>")
{
    return detail::parse_safetensors_bytes(data, size,
                                           "xtnn::io::parse_safetensors: " + xtnn::detail::quoted(name));
}

/// Reads a safetensors file (see parse_safetensors). @throws io_error when it cannot be read.
inline safetensors_content read_safetensors(const std::string& path)
{
    const char* where = "xtnn::io::read_safetensors";
    const auto bytes = xtnn::detail::read_file(path, where);
    return detail::parse_safetensors_bytes(bytes.data(), bytes.size(),
                                           std::string(where) + ": " + xtnn::detail::quoted(path));
}

/// The bytes of a safetensors file of `tensors`, in order, with `metadata` (text to text).
/// @throws error for an empty, reserved or repeated name.
inline std::vector<std::uint8_t>
format_safetensors(const named_arrays& tensors,
                   const std::vector<std::pair<std::string, std::string>>& metadata = {})
{
    return detail::format_safetensors_bytes(tensors, metadata, "xtnn::io::format_safetensors");
}

/// Writes `tensors` and `metadata` to `path` as safetensors, atomically and durably.
/// @throws as format_safetensors; io_error when writing fails.
inline void save_safetensors(const named_arrays& tensors, const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& metadata = {})
{
    const char* where = "xtnn::io::save_safetensors";
    xtnn::detail::write_file_atomically(
        path, detail::format_safetensors_bytes(tensors, metadata, where), where);
}

/// The bytes of `net` as an xtnn safetensors file: the model file's arrays (format_model)
/// under their names, and its model.json as __metadata__["model.json"].
template <class T>
std::vector<std::uint8_t> format_safetensors_model(const network<T>& net, const model_info& info = {})
{
    constexpr const char* where = "xtnn::io::save_safetensors_model";
    detail::model_document document = detail::describe_model(net, info, where);
    detail::json checksums = detail::json::object();
    named_arrays tensors;
    for (auto& [name, array] : document.arrays)
    {
        checksums[name] = {{"dtype", descr(array.type)},
                           {"shape", array.shape},
                           {"crc32", detail::crc_of(array)}};
        tensors.emplace_back(name, std::move(array));
    }
    document.doc["arrays"] = std::move(checksums);
    return detail::format_safetensors_bytes(
        tensors, {{safetensors_model_json_key, document.doc.dump()}}, where);
}

/// Saves `net` and `info` as an xtnn safetensors file, atomically and durably: PyTorch code
/// reads its tensors by name, and load_safetensors_model rebuilds the model from it.
/// @throws as format_model; io_error when writing fails.
template <class T>
void save_safetensors_model(const network<T>& net, const std::string& path,
                            const model_info& info = {})
{
    xtnn::detail::write_file_atomically(path, format_safetensors_model(net, info),
                                        "xtnn::io::save_safetensors_model");
}

/// True when `content` carries an xtnn model (a model.json in its metadata).
inline bool is_safetensors_model(const safetensors_content& content)
{
    return content.find_metadata(safetensors_model_json_key) != nullptr;
}

/// Rebuilds the model in parsed safetensors `content` that carries its model.json, as
/// parse_model does for a model file: every array checked against model.json and its
/// layer, the golden check replayed. `name` names the file in messages.
/// @throws format_error when the metadata holds no model.json (the file is a bare
/// state_dict: map it with state_dict.hpp), and as parse_model.
template <class T = float>
model<T> safetensors_to_model(safetensors_content content, const std::string& name,
                              const model_load_options& options = {})
{
    const std::string where = "xtnn::io::load_safetensors_model: " + xtnn::detail::quoted(name);
    const std::string* text = content.find_metadata(safetensors_model_json_key);
    if (!text)
    {
        throw format_error(where + ": no __metadata__[\"model.json\"]: the file holds tensors "
                                   "but no architecture; give the layers (a layer list) to map "
                                   "its tensors by name");
    }
    try
    {
        detail::model_archive archive;
        archive.where = where;
        archive.parsed = std::move(content.tensors);
        detail::check_model_document(archive, reinterpret_cast<const std::uint8_t*>(text->data()),
                                     text->size(), options);
        return detail::build_model<T>(archive, options);
    }
    catch (const nlohmann::json::exception& e)
    {
        throw format_error(where + ": model.json: " + e.what());
    }
}

/// Loads an xtnn safetensors file (save_safetensors_model) with its layers.
/// @throws io_error when it cannot be read; as parse_safetensors and safetensors_to_model.
template <class T = float>
model<T> load_safetensors_model(const std::string& path, const model_load_options& options = {})
{
    return safetensors_to_model<T>(read_safetensors(path), path, options);
}
}  // namespace xtnn::io
