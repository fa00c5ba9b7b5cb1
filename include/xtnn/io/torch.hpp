// SPDX-License-Identifier: MIT
// PyTorch's torch.save files (.pt, .pth) of a state_dict, as torch 1.6 and later write them
// (torch/serialization.py, _save): a zip archive of <prefix>/data.pkl, a pickle of the
// OrderedDict whose tensors are _rebuild_tensor_v2(storage, offset, size, stride, ...) with
// each storage a persistent id ('storage', torch.FloatStorage, key, location, numel), and one
// member <prefix>/data/<key> per storage holding its raw little-endian elements. Read through
// the restricted unpickler (pickle.hpp), which calls nothing: a whole pickled model
// (torch.save(model)) or any other object is refused, naming the class it would construct.
// Views are kept as torch keeps them (an offset and strides into a shared storage) and
// gathered here after their extent is checked against the storage's bytes. float16 and
// bfloat16 are widened to float32. state_dict.hpp maps the named tensors onto layers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/io/tensor_data.hpp>
#include <xtnn/io/zip.hpp>

namespace xtnn::io
{
namespace detail
{
/// The start of a file torch.save wrote in the legacy format (before 1.6, or with
/// _use_new_zipfile_serialization=False): a protocol-2 pickle of the magic number
/// 0x1950a86a20f9469cfc6c as LONG1.
inline bool is_legacy_torch_file(const std::uint8_t* data, std::size_t size)
{
    static const std::uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c,
                                         0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    return size >= sizeof magic && std::memcmp(data, magic, sizeof magic) == 0;
}

inline const char* torch_type_name(element_type type)
{
    static const char* const names[] = {"float32", "float64", "float16", "bfloat16", "int8",
                                        "int16",   "int32",   "int64",   "uint8",    "uint16",
                                        "uint32",  "uint64",  "bool"};
    return names[static_cast<int>(type)];
}

/// The state_dict in a whole torch.save image; `context` (`where: "file"`) starts messages.
inline named_arrays parse_torch_bytes(const std::uint8_t* data, std::size_t size,
                                      const std::string& context)
{
    if (is_legacy_torch_file(data, size))
    {
        throw format_error(context + ": a PyTorch file in the legacy format (not a zip), "
                                     "written by torch older than 1.6 or with "
                                     "_use_new_zipfile_serialization=False; re-save it with "
                                     "torch 1.6 or later: torch.save(torch.load(path), new_path)");
    }
    if (size < 4 || data[0] != 'P' || data[1] != 'K')
    {
        throw format_error(context + ": not a PyTorch file: expected a zip archive (starting "
                                     "with \"PK\"), as torch.save writes since torch 1.6");
    }
    const std::vector<zip_member> members = parse_zip_bytes(data, size, context);

    // <prefix>/data.pkl, the prefix one folder (torch uses the file's stem or "archive").
    const zip_member* pickle = nullptr;
    std::string prefix;
    bool torchscript = false;
    for (const auto& member : members)
    {
        const std::string& n = member.name;
        const std::size_t slash = n.find('/');
        if (slash == std::string::npos || slash == 0)
        {
            continue;
        }
        const std::string rest = n.substr(slash + 1);
        torchscript = torchscript || rest == "constants.pkl" || rest.rfind("code/", 0) == 0;
        if (rest == "data.pkl")
        {
            if (pickle)
            {
                throw format_error(context + ": two data.pkl members (\"" + pickle->name +
                                   "\" and \"" + xtnn::detail::escape_bytes(n) +
                                   "\"); expected one torch.save archive");
            }
            pickle = &member;
            prefix = n.substr(0, slash + 1);
        }
    }
    if (torchscript)
    {
        throw format_error(context + ": a TorchScript archive (torch.jit.save): it holds code, "
                                     "not a state_dict; save the weights with "
                                     "torch.save(model.state_dict(), path)");
    }
    if (!pickle)
    {
        throw format_error(context + ": no <prefix>/data.pkl member: a zip archive, but not one "
                                     "torch.save wrote");
    }
    std::unordered_map<std::string, const zip_member*> by_name;
    for (const auto& member : members)
    {
        by_name.emplace(member.name, &member);
    }
    const auto byteorder = by_name.find(prefix + "byteorder");
    if (byteorder != by_name.end())
    {
        const auto& b = byteorder->second->data;
        if (std::string(b.begin(), b.end()) != "little")
        {
            throw format_error(context + ": member \"" + prefix + "byteorder\" says \"" +
                               xtnn::detail::escape_bytes(b.data(), b.size()) +
                               "\"; only little-endian files are read");
        }
    }

    const torch_tensor_refs refs =
        pickle_machine(pickle->data.data(), pickle->data.size(),
                       context + ": member \"" + pickle->name + "\"", pickle_dialect::torch_state_dict)
            .run_torch();

    // Every storage the tensors use is there and holds what data.pkl says; the tensors are
    // gathered within a budget of a few times the file's size (views may share storages).
    std::size_t budget = 4 * size + (std::size_t(1) << 20);
    named_arrays tensors;
    for (const auto& [name, ref] : refs)
    {
        const std::string where = context + ": tensor '" + xtnn::detail::escape_bytes(name) + "'";
        const std::string member_name = prefix + "data/" + ref.storage_key;
        const auto found = by_name.find(member_name);
        if (found == by_name.end())
        {
            throw format_error(where + ": its storage \"" + xtnn::detail::escape_bytes(member_name) +
                               "\" is not in the archive");
        }
        const auto& bytes = found->second->data;
        std::size_t expected = 0;
        const bool fits = xtnn::detail::checked_multiply(ref.storage_count,
                                                         element_size(ref.type), expected);
        if (!fits || expected != bytes.size())
        {
            throw format_error(where + ": its storage \"" + xtnn::detail::escape_bytes(member_name) +
                               "\" holds " + std::to_string(bytes.size()) + " bytes; data.pkl says " +
                               std::to_string(ref.storage_count) + " elements of " +
                               torch_type_name(ref.type) + " (" +
                               (fits ? std::to_string(expected) : std::string("more than 2^64")) +
                               " bytes)");
        }
        std::size_t out_bytes = 0;
        if (!xtnn::detail::byte_count(ref.shape, item_size(ndarray_type_of(ref.type)), out_bytes) ||
            out_bytes > budget)
        {
            throw format_error(where + ": shape " + shape_string(ref.shape) +
                               " expands the file beyond " + std::to_string(4 * size) +
                               " bytes (4x its size); refusing it as hostile");
        }
        budget -= out_bytes;
        tensors.emplace_back(name, gather_strided(ref.type, bytes.data(), ref.storage_count,
                                                  ref.offset, ref.shape, ref.stride, where));
    }
    return tensors;
}
}  // namespace detail

/// The tensors of a torch.save(model.state_dict(), path) file held in memory, in the
/// state_dict's order, each in C order (views gathered), float16 and bfloat16 as float32;
/// `name` names the file in messages.
/// @throws format_error for a legacy-format file (saying how to re-save it), a TorchScript
/// archive, a zip without data.pkl, a pickle holding anything but an OrderedDict of tensors
/// (a whole model: naming the class it would construct), a storage that is missing or whose
/// size differs from data.pkl's, a view reaching past its storage, and as parse_zip.
inline named_arrays parse_torch_state_dict(const std::uint8_t* data, std::size_t size,
                                           const std::string& name = "<memory>")
{
    return detail::parse_torch_bytes(data, size,
                                     "xtnn::io::parse_torch_state_dict: " + xtnn::detail::quoted(name));
}

/// Reads a torch.save(model.state_dict(), path) file (see parse_torch_state_dict).
/// @throws io_error when it cannot be read.
inline named_arrays read_torch_state_dict(const std::string& path)
{
    const char* where = "xtnn::io::read_torch_state_dict";
    const auto bytes = xtnn::detail::read_file(path, where);
    return detail::parse_torch_bytes(bytes.data(), bytes.size(),
                                     std::string(where) + ": " + xtnn::detail::quoted(path));
}
}  // namespace xtnn::io
