// SPDX-License-Identifier: MIT
// The element types of other frameworks' tensor files (safetensors, PyTorch's storages), and
// their data made into ndarrays: float16 and bfloat16 widened to float32 (exactly), the
// others kept as the ndarray dtype of the same type, and strided views (an offset and a
// stride per axis into a storage, as torch.save keeps them) gathered into C order after
// their extent is checked against the bytes present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>

namespace xtnn::io
{
/// A stored element type. f16 is IEEE binary16, bf16 bfloat16 (float32's top 16 bits).
enum class element_type
{
    f32,
    f64,
    f16,
    bf16,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    boolean
};

constexpr std::size_t element_size(element_type type)
{
    switch (type)
    {
    case element_type::i8:
    case element_type::u8:
    case element_type::boolean:
        return 1;
    case element_type::f16:
    case element_type::bf16:
    case element_type::i16:
    case element_type::u16:
        return 2;
    case element_type::f32:
    case element_type::i32:
    case element_type::u32:
        return 4;
    case element_type::f64:
    case element_type::i64:
    case element_type::u64:
        return 8;
    }
    return 0;
}

/// The ndarray dtype an element type is read as: f16 and bf16 become f4.
constexpr dtype ndarray_type_of(element_type type)
{
    switch (type)
    {
    case element_type::f32:
    case element_type::f16:
    case element_type::bf16:
        return dtype::f4;
    case element_type::f64:
        return dtype::f8;
    case element_type::i8:
        return dtype::i1;
    case element_type::i16:
        return dtype::i2;
    case element_type::i32:
        return dtype::i4;
    case element_type::i64:
        return dtype::i8;
    case element_type::u8:
        return dtype::u1;
    case element_type::u16:
        return dtype::u2;
    case element_type::u32:
        return dtype::u4;
    case element_type::u64:
        return dtype::u8;
    case element_type::boolean:
        return dtype::b1;
    }
    return dtype::f4;
}

namespace detail
{
/// IEEE binary16 to binary32, exactly (subnormals, infinities and NaN included).
inline float half_to_float(std::uint16_t h)
{
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits = 0;
    if (exponent == 0x1f)
    {
        bits = sign | 0x7f800000u | (mantissa << 13);  // inf, NaN (payload kept)
    }
    else if (exponent != 0)
    {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // 127 - 15 = 112
    }
    else if (mantissa == 0)
    {
        bits = sign;  // ±0
    }
    else
    {
        // subnormal: m·2^-24; normalise it
        std::uint32_t e = 113;
        while ((mantissa & 0x400u) == 0)
        {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
    float out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

/// bfloat16 to float32: the 16 bits are float32's top half.
inline float bfloat16_to_float(std::uint16_t b)
{
    const std::uint32_t bits = std::uint32_t(b) << 16;
    float out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

/// Appends element `raw` (element_size(type) bytes) to `out` as ndarray_type_of(type).
inline void append_element(element_type type, const std::uint8_t* raw, std::uint8_t* out)
{
    if (type == element_type::f16 || type == element_type::bf16)
    {
        const auto bits = xtnn::detail::load_le<std::uint16_t>(raw);
        const float value = type == element_type::f16 ? half_to_float(bits) : bfloat16_to_float(bits);
        std::memcpy(out, &value, sizeof value);
    }
    else
    {
        std::memcpy(out, raw, element_size(type));
    }
}
}  // namespace detail

/// An ndarray of `shape` from `bytes` of contiguous C-order elements of `type`, whose length
/// the caller has checked (element_size(type) times the element count). f16 and bf16 are
/// widened to float32.
inline ndarray decode_elements(element_type type, std::vector<std::size_t> shape,
                               const std::uint8_t* bytes, std::size_t count)
{
    ndarray out;
    out.type = ndarray_type_of(type);
    out.shape = std::move(shape);
    const std::size_t in_size = element_size(type);
    const std::size_t out_size = item_size(out.type);
    out.data.resize(count * out_size);
    if (in_size == out_size)
    {
        if (count)
        {
            std::memcpy(out.data.data(), bytes, count * in_size);
        }
        return out;
    }
    for (std::size_t i = 0; i < count; ++i)
    {
        detail::append_element(type, bytes + i * in_size, out.data.data() + i * out_size);
    }
    return out;
}

/// A view into a storage of `storage_count` elements of `type` held in `storage`: element
/// (i0, ..., ik) is at offset + Σ i_j·stride_j, as torch.Tensor.as_strided. Gathered into a
/// new C-order ndarray.
/// @throws format_error (starting with `where`) when a stride list does not match the
/// shape, or the view reaches past the storage.
inline ndarray gather_strided(element_type type, const std::uint8_t* storage,
                              std::size_t storage_count, std::size_t offset,
                              const std::vector<std::size_t>& shape,
                              const std::vector<std::size_t>& stride, const std::string& where)
{
    if (stride.size() != shape.size())
    {
        throw format_error(where + ": " + std::to_string(stride.size()) + " strides for shape " +
                           shape_string(shape) + "; expected one per axis");
    }
    std::size_t count = 0;
    if (!xtnn::detail::byte_count(shape, element_size(type), count))
    {
        throw format_error(where + ": shape " + shape_string(shape) + " claims more than " +
                           std::to_string(xtnn::detail::max_array_bytes) + " bytes");
    }
    count /= element_size(type);
    // The last element the view reaches: offset + Σ (n_j - 1)·stride_j, overflow-checked.
    std::size_t last = offset;
    bool fits = true;
    if (count > 0)
    {
        for (std::size_t k = 0; k < shape.size() && fits; ++k)
        {
            std::size_t step = 0;
            fits = xtnn::detail::checked_multiply(shape[k] - 1, stride[k], step) &&
                   last <= static_cast<std::size_t>(-1) - step;
            last += fits ? step : 0;
        }
    }
    if (!fits || (count > 0 && last >= storage_count) || (count == 0 && offset > storage_count))
    {
        throw format_error(where + ": the view (offset " + std::to_string(offset) + ", shape " +
                           shape_string(shape) + ", strides " + shape_string(stride) +
                           ") reaches element " + (fits ? std::to_string(last) : "past 2^64") +
                           " of a storage of " + std::to_string(storage_count) + " elements");
    }
    ndarray out;
    out.type = ndarray_type_of(type);
    out.shape = shape;
    const std::size_t in_size = element_size(type);
    const std::size_t out_size = item_size(out.type);
    out.data.resize(count * out_size);
    if (count == 0)
    {
        return out;
    }
    const std::size_t rank = shape.size();
    std::vector<std::size_t> index(rank, 0);
    std::size_t source = offset;
    for (std::size_t i = 0; i < count; ++i)
    {
        detail::append_element(type, storage + source * in_size, out.data.data() + i * out_size);
        for (std::size_t k = rank; k-- > 0;)
        {
            source += stride[k];
            if (++index[k] < shape[k])
            {
                break;
            }
            source -= shape[k] * stride[k];
            index[k] = 0;
        }
    }
    return out;
}
}  // namespace xtnn::io
