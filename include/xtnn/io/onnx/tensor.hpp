// SPDX-License-Identifier: MIT
// ONNX tensors (onnx.proto's TensorProto) to and from flat arrays of numbers, for the ONNX
// reader and writer. A tensor's values are in raw_data (little-endian bytes) or in the typed
// field of its data type (float_data, double_data, int32_data, int64_data); both are checked
// against the product of dims before anything is allocated, so a lying header cannot make
// the reader allocate more than the file holds. Part of the xtnn::onnx component: this header
// includes ONNX's generated protobuf classes, which only xtnn/io/onnx*.hpp may do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include <onnx/onnx_pb.h>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/error.hpp>

namespace xtnn::io::onnx_detail
{
/// A constant tensor's shape and values, as double (float, double) or int64 (integer types).
struct constant_tensor
{
    std::vector<std::int64_t> dims;
    std::vector<double> values;        // the floating-point types
    std::vector<std::int64_t> ints;    // the integer types (Reshape's shape)
    bool is_integer = false;

    std::size_t size() const { return is_integer ? ints.size() : values.size(); }
    double at(std::size_t i) const { return is_integer ? static_cast<double>(ints[i]) : values[i]; }
};

/// onnx.proto's TensorProto.DataType name, for messages.
inline std::string data_type_name(int type)
{
    switch (type)
    {
    case onnx::TensorProto_DataType_FLOAT: return "FLOAT";
    case onnx::TensorProto_DataType_DOUBLE: return "DOUBLE";
    case onnx::TensorProto_DataType_FLOAT16: return "FLOAT16";
    case onnx::TensorProto_DataType_BFLOAT16: return "BFLOAT16";
    case onnx::TensorProto_DataType_INT32: return "INT32";
    case onnx::TensorProto_DataType_INT64: return "INT64";
    case onnx::TensorProto_DataType_INT8: return "INT8";
    case onnx::TensorProto_DataType_UINT8: return "UINT8";
    case onnx::TensorProto_DataType_BOOL: return "BOOL";
    case onnx::TensorProto_DataType_STRING: return "STRING";
    default: return "data type " + std::to_string(type);
    }
}

/// The values of `tensor`. `where` starts every message ("load_onnx: \"m.onnx\": initializer
/// 'fc.weight'"). @throws format_error for external data, negative or overflowing dims,
/// values that do not match dims, or a type other than FLOAT, DOUBLE, INT32, INT64 and BOOL.
inline constant_tensor read_tensor(const onnx::TensorProto& tensor, const std::string& where)
{
    if (tensor.data_location() == onnx::TensorProto_DataLocation_EXTERNAL ||
        tensor.external_data_size() > 0)
    {
        throw format_error(where + " is stored in an external data file; xtnn reads only "
                           "tensors stored in the model (save with save_as_external_data=False)");
    }
    if (tensor.has_segment())
    {
        throw format_error(where + " is a segment of a larger tensor; xtnn reads whole tensors");
    }
    constant_tensor result;
    std::size_t count = 1;
    for (const std::int64_t dim : tensor.dims())
    {
        if (dim < 0 || !xtnn::detail::checked_multiply(count, static_cast<std::size_t>(dim), count) ||
            count > xtnn::detail::max_array_bytes / 8)
        {
            throw format_error(where + " has dims that are negative or too large");
        }
        result.dims.push_back(dim);
    }
    const int type = tensor.data_type();
    std::size_t item = 0;
    int typed_count = 0;
    switch (type)
    {
    case onnx::TensorProto_DataType_FLOAT: item = 4; typed_count = tensor.float_data_size(); break;
    case onnx::TensorProto_DataType_DOUBLE: item = 8; typed_count = tensor.double_data_size(); break;
    case onnx::TensorProto_DataType_INT64: item = 8; typed_count = tensor.int64_data_size(); break;
    case onnx::TensorProto_DataType_INT32: item = 4; typed_count = tensor.int32_data_size(); break;
    case onnx::TensorProto_DataType_BOOL: item = 1; typed_count = tensor.int32_data_size(); break;
    default:
        throw format_error(where + " has type " + data_type_name(type) +
                           "; xtnn reads FLOAT, DOUBLE, INT32, INT64 and BOOL tensors");
    }
    result.is_integer = type != onnx::TensorProto_DataType_FLOAT &&
                        type != onnx::TensorProto_DataType_DOUBLE;
    const std::string& raw = tensor.raw_data();
    const bool has_raw = tensor.has_raw_data();
    const std::size_t present = has_raw ? raw.size() / item : static_cast<std::size_t>(typed_count);
    if ((has_raw && raw.size() % item != 0) || present != count)
    {
        throw format_error(where + ": dims " + [&] {
            std::string text = "(";
            for (std::size_t i = 0; i < result.dims.size(); ++i)
            {
                text += (i ? ", " : "") + std::to_string(result.dims[i]);
            }
            return text + (result.dims.size() == 1 ? ",)" : ")");
        }() + " need " + std::to_string(count) + " values; the tensor holds " +
                           (has_raw ? std::to_string(raw.size()) + " bytes of raw_data"
                                    : std::to_string(typed_count) + " values"));
    }
    // Only now, with the count matched against the data present, allocate.
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw.data());
    if (result.is_integer)
    {
        result.ints.resize(count);
    }
    else
    {
        result.values.resize(count);
    }
    for (std::size_t i = 0; i < count; ++i)
    {
        switch (type)
        {
        case onnx::TensorProto_DataType_FLOAT:
        {
            float v = 0;
            if (has_raw)
            {
                std::memcpy(&v, bytes + 4 * i, 4);  // little-endian host (detail/bytes.hpp)
            }
            else
            {
                v = tensor.float_data(static_cast<int>(i));
            }
            result.values[i] = v;
            break;
        }
        case onnx::TensorProto_DataType_DOUBLE:
        {
            double v = 0;
            if (has_raw)
            {
                std::memcpy(&v, bytes + 8 * i, 8);
            }
            else
            {
                v = tensor.double_data(static_cast<int>(i));
            }
            result.values[i] = v;
            break;
        }
        case onnx::TensorProto_DataType_INT64:
            result.ints[i] = has_raw ? xtnn::detail::load_le<std::int64_t>(bytes + 8 * i)
                                     : tensor.int64_data(static_cast<int>(i));
            break;
        case onnx::TensorProto_DataType_INT32:
            result.ints[i] = has_raw ? xtnn::detail::load_le<std::int32_t>(bytes + 4 * i)
                                     : tensor.int32_data(static_cast<int>(i));
            break;
        default:  // BOOL
            result.ints[i] = has_raw ? bytes[i] != 0 : tensor.int32_data(static_cast<int>(i)) != 0;
            break;
        }
    }
    return result;
}

/// A tensor named `name` holding `values` with `dims`, as raw_data of T (float or double).
template <class T>
onnx::TensorProto make_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                              const T* values, std::size_t count)
{
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ONNX tensors of float or double");
    onnx::TensorProto tensor;
    tensor.set_name(name);
    tensor.set_data_type(std::is_same_v<T, float> ? onnx::TensorProto_DataType_FLOAT
                                                  : onnx::TensorProto_DataType_DOUBLE);
    for (const std::int64_t dim : dims)
    {
        tensor.add_dims(dim);
    }
    tensor.set_raw_data(std::string(reinterpret_cast<const char*>(values), count * sizeof(T)));
    return tensor;
}
}  // namespace xtnn::io::onnx_detail
