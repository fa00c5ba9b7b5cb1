// SPDX-License-Identifier: MIT
// The dtype-erased array that every array format (.npy, .npz, pickle, IDX) reads into and
// writes from: an element type, a shape, and the bytes in C order, little-endian.
// Fortran-ordered and big-endian data (IDX, numpy's ">f4") are converted at the io
// boundary, so an ndarray is always C order, little-endian.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::io
{
/// The element types xtnn reads and writes, named as numpy's type codes: f4 is float32,
/// i8 int64, u1 uint8, b1 bool.
enum class dtype
{
    f4,
    f8,
    i1,
    i2,
    i4,
    i8,
    u1,
    u2,
    u4,
    u8,
    b1
};

static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4 &&
                  std::numeric_limits<double>::is_iec559 && sizeof(double) == 8,
              "f4 and f8 data are IEEE 754 binary32 and binary64: float and double must be too");

/// Bytes per element: 1, 2, 4 or 8.
constexpr std::size_t item_size(dtype type)
{
    switch (type)
    {
    case dtype::i1:
    case dtype::u1:
    case dtype::b1:
        return 1;
    case dtype::i2:
    case dtype::u2:
        return 2;
    case dtype::f4:
    case dtype::i4:
    case dtype::u4:
        return 4;
    case dtype::f8:
    case dtype::i8:
    case dtype::u8:
        return 8;
    }
    return 0;
}

/// numpy's descr string for the little-endian type: "<f4", "<i8", "|u1", "|b1".
inline std::string descr(dtype type)
{
    static const char* const names[] = {"<f4", "<f8", "|i1", "<i2", "<i4", "<i8",
                                        "|u1", "<u2", "<u4", "<u8", "|b1"};
    return names[static_cast<int>(type)];
}

/// A parsed descr: the type and whether the stored bytes are big-endian.
struct descr_info
{
    dtype type;
    bool big_endian;
};

/// Parses a numpy descr such as "<f4", "=i8", "|u1" or ">f8" (big-endian: the readers swap
/// the bytes). A missing byte-order character means native (little-endian).
/// @returns nullopt for types xtnn does not support ("<c8", "|O", "<U5", "<f2", ...).
inline std::optional<descr_info> parse_descr(std::string_view text)
{
    bool big_endian = false;
    if (!text.empty() && (text[0] == '<' || text[0] == '|' || text[0] == '=' || text[0] == '>'))
    {
        big_endian = text[0] == '>';
        text.remove_prefix(1);
    }
    static const char* const codes[] = {"f4", "f8", "i1", "i2", "i4", "i8",
                                        "u1", "u2", "u4", "u8", "b1"};
    for (int i = 0; i < 11; ++i)
    {
        if (text == codes[i])
        {
            const auto type = static_cast<dtype>(i);
            return descr_info{type, big_endian && item_size(type) > 1};
        }
    }
    return std::nullopt;
}

/// The dtype of a C++ element type: float -> f4, double -> f8, std::int32_t -> i4, bool -> b1.
template <class T>
constexpr dtype dtype_of()
{
    if constexpr (std::is_same_v<T, bool>)
    {
        return dtype::b1;
    }
    else if constexpr (std::is_floating_point_v<T>)
    {
        static_assert(sizeof(T) == 4 || sizeof(T) == 8, "only 4- and 8-byte floats are stored");
        return sizeof(T) == 4 ? dtype::f4 : dtype::f8;
    }
    else
    {
        static_assert(std::is_integral_v<T>, "numpy arrays hold numbers or bools");
        constexpr bool is_signed = std::is_signed_v<T>;
        switch (sizeof(T))
        {
        case 1:
            return is_signed ? dtype::i1 : dtype::u1;
        case 2:
            return is_signed ? dtype::i2 : dtype::u2;
        case 4:
            return is_signed ? dtype::i4 : dtype::u4;
        default:
            return is_signed ? dtype::i8 : dtype::u8;
        }
    }
}

namespace detail
{
/// static_cast<T>(value) from float or double to an integer T, which C++ leaves undefined
/// unless the value, truncated toward zero, fits in T. `index` names the element.
/// @throws format_error naming the element, its value and T's range otherwise (NaN, ±inf and
/// out-of-range values: they are refused, not clamped).
template <class T, class S>
T float_to_integer(S value, std::size_t index)
{
    // Both bounds are 0 or ±2^k, exact in every binary floating-point type.
    const S low = static_cast<S>(std::numeric_limits<T>::min());
    const S high = S(2) * static_cast<S>(std::numeric_limits<T>::max() / 2 + 1);
    const S whole = std::trunc(value);
    if (whole >= low && whole < high)  // false for NaN
    {
        return static_cast<T>(value);
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.*g", std::numeric_limits<S>::max_digits10,
                  static_cast<double>(value));
    throw format_error("xtnn::io::ndarray::as: element " + std::to_string(index) +
                       " does not convert from " + descr(dtype_of<S>()) + " to " +
                       descr(dtype_of<T>()) + "; expected a value in [" +
                       std::to_string(+std::numeric_limits<T>::min()) + ", " +
                       std::to_string(+std::numeric_limits<T>::max()) +
                       "] after truncation toward zero, got " + text);
}

/// Copies `count` items of type S from raw bytes into `out`, converting each to T.
/// @throws format_error as float_to_integer, for floating-point items and an integer T.
template <class S, class T>
void convert_items(const std::uint8_t* raw, std::size_t count, T* out)
{
    for (std::size_t i = 0; i < count; ++i)
    {
        if constexpr (std::is_same_v<S, bool>)
        {
            out[i] = static_cast<T>(raw[i] != 0);  // any nonzero byte is true, as in numpy
        }
        else
        {
            S value;
            std::memcpy(&value, raw + i * sizeof(S), sizeof(S));
            if constexpr (std::is_floating_point_v<S> && std::is_integral_v<T> &&
                          !std::is_same_v<T, bool>)
            {
                out[i] = float_to_integer<T>(value, i);
            }
            else
            {
                out[i] = static_cast<T>(value);  // integers wrap as static_cast does
            }
        }
    }
}
}  // namespace detail

/// A numpy array with its element type erased.
struct ndarray
{
    dtype type = dtype::f4;
    std::vector<std::size_t> shape;  ///< () for a scalar, (n,) for a vector
    std::vector<std::uint8_t> data;  ///< size() * item_size(type) bytes, C order, little-endian

    /// Number of elements: the product of the shape (1 for a 0-d array, 0 for a zero extent).
    /// @throws shape_error when the nonzero extents multiply past PTRDIFF_MAX, as numpy refuses.
    std::size_t size() const
    {
        std::size_t count = 0;
        if (!xtnn::detail::byte_count(shape, 1, count))
        {
            throw shape_error("xtnn::io::ndarray::size: shape " + shape_string(shape) +
                              " claims more than " + std::to_string(xtnn::detail::max_array_bytes) +
                              " elements");
        }
        return count;
    }

    /// The elements converted to T, in the same shape: with static_cast (bools become 0/1,
    /// integers wrap), except that a float or double converted to an integer T must fit.
    /// @throws shape_error when `data` does not hold size() * item_size(type) bytes.
    /// @throws format_error for a NaN, infinite or out-of-range value and an integer T,
    /// naming the element and the value (such values are refused, not clamped).
    template <class T>
    xt::xarray<T> as() const
    {
        std::size_t count = 0;
        std::size_t bytes = 0;
        const bool fits = xtnn::detail::byte_count(shape, item_size(type), bytes) &&
                          xtnn::detail::byte_count(shape, 1, count);
        if (!fits || bytes != data.size())
        {
            throw shape_error("xtnn::io::ndarray::as: data holds " + std::to_string(data.size()) +
                              " bytes; expected " + (fits ? std::to_string(bytes) : "more") +
                              " for shape " + shape_string(shape) + " of " + descr(type));
        }
        xt::xarray<T> out(typename xt::xarray<T>::shape_type(shape.begin(), shape.end()));
        const std::uint8_t* raw = data.data();
        switch (type)
        {
        case dtype::f4:
            detail::convert_items<float>(raw, count, out.data());
            break;
        case dtype::f8:
            detail::convert_items<double>(raw, count, out.data());
            break;
        case dtype::i1:
            detail::convert_items<std::int8_t>(raw, count, out.data());
            break;
        case dtype::i2:
            detail::convert_items<std::int16_t>(raw, count, out.data());
            break;
        case dtype::i4:
            detail::convert_items<std::int32_t>(raw, count, out.data());
            break;
        case dtype::i8:
            detail::convert_items<std::int64_t>(raw, count, out.data());
            break;
        case dtype::u1:
            detail::convert_items<std::uint8_t>(raw, count, out.data());
            break;
        case dtype::u2:
            detail::convert_items<std::uint16_t>(raw, count, out.data());
            break;
        case dtype::u4:
            detail::convert_items<std::uint32_t>(raw, count, out.data());
            break;
        case dtype::u8:
            detail::convert_items<std::uint64_t>(raw, count, out.data());
            break;
        case dtype::b1:
            detail::convert_items<bool>(raw, count, out.data());
            break;
        }
        return out;
    }
};

/// Copies an xtensor container or expression (xarray, xtensor<T, N>, a view, ...) into an
/// ndarray, in row-major order. T is float, double, an integer type or bool.
template <class E>
ndarray to_ndarray(const xt::xexpression<E>& expression)
{
    const auto& e = expression.derived_cast();
    using T = std::decay_t<typename E::value_type>;
    ndarray out;
    out.type = dtype_of<T>();
    out.shape.assign(e.shape().begin(), e.shape().end());
    out.data.resize(out.size() * sizeof(T));
    std::uint8_t* dst = out.data.data();
    for (auto it = e.begin(); it != e.end(); ++it, dst += sizeof(T))  // row-major traversal
    {
        const T value = *it;
        std::memcpy(dst, &value, sizeof(T));
    }
    return out;
}

/// Named arrays in file order (the order of a dict in a pickle, of members in a zip).
using named_arrays = std::vector<std::pair<std::string, ndarray>>;

/// The array called `name`, or nullptr (the first of equal names). A linear search: for
/// one look-up; array_index answers many.
inline const ndarray* find_array(const named_arrays& arrays, std::string_view name)
{
    for (const auto& [key, array] : arrays)
    {
        if (key == name)
        {
            return &array;
        }
    }
    return nullptr;
}

/// Finds arrays by name in O(1): a hash index over `arrays`, built once, so a reader that
/// looks up every layer's arrays takes time linear in the file, not quadratic (a pickle can
/// give 40,000 names). The first of equal names wins, as find_array. It refers into
/// `arrays`, which must outlive it unchanged.
class array_index
{
public:
    explicit array_index(const named_arrays& arrays)
    {
        m_by_name.reserve(arrays.size());
        for (const auto& [name, array] : arrays)
        {
            m_by_name.emplace(name, &array);  // keeps the first of equal names
        }
    }

    /// The array called `name`, or nullptr.
    const ndarray* find(std::string_view name) const
    {
        const auto it = m_by_name.find(name);
        return it == m_by_name.end() ? nullptr : it->second;
    }

private:
    std::unordered_map<std::string_view, const ndarray*> m_by_name;  // views of arrays' names
};

namespace detail
{
/// Builds an ndarray from raw stored bytes, whose length the caller has checked equals the
/// shape's byte count (xtnn::detail::byte_count): swaps big-endian items and reorders
/// Fortran (column-major) data into C order.
inline ndarray make_ndarray(dtype type, bool big_endian, std::vector<std::size_t> shape,
                            bool fortran_order, const std::uint8_t* raw, std::size_t bytes)
{
    ndarray out;
    out.type = type;
    out.shape = std::move(shape);
    const std::size_t item = item_size(type);
    const std::size_t count = bytes / item;
    if (!fortran_order || out.shape.size() < 2 || count == 0)
    {
        out.data.assign(raw, raw + bytes);
    }
    else
    {
        // Walk the output in C order (last axis fastest) while tracking the source offset:
        // Fortran strides are f[0] = 1, f[k] = f[k-1] * shape[k-1].
        const std::size_t rank = out.shape.size();
        std::vector<std::size_t> stride(rank, 1), index(rank, 0);
        for (std::size_t k = 1; k < rank; ++k)
        {
            stride[k] = stride[k - 1] * out.shape[k - 1];
        }
        out.data.resize(bytes);
        std::size_t source = 0;
        for (std::size_t i = 0; i < count; ++i)
        {
            std::memcpy(out.data.data() + i * item, raw + source * item, item);
            for (std::size_t k = rank; k-- > 0;)
            {
                source += stride[k];
                if (++index[k] < out.shape[k])
                {
                    break;
                }
                source -= out.shape[k] * stride[k];
                index[k] = 0;
            }
        }
    }
    if (big_endian)
    {
        xtnn::detail::byte_swap_items(out.data.data(), count, item);
    }
    return out;
}
}  // namespace detail
}  // namespace xtnn::io
