// SPDX-License-Identifier: MIT
// What a layer is: the contract every layer type meets, written once, and the small types it
// is written in (row buffers, named arrays, parameter metadata; its configuration is
// layer_config.hpp's). Both faces of a
// network call layers only through this contract, so a layer written outside xtnn works in
// them like the built-in ones (see any_layer.hpp and registry.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer_config.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// `rows` rows of `cols` values each, row-major and contiguous, that a layer reads or writes.
/// Non-owning. rows_ref<T> converts to rows_ref<const T>.
template <class T>
struct rows_ref
{
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;

    std::size_t size() const { return rows * cols; }
    T* row(std::size_t r) const { return data + r * cols; }

    template <class U = T, std::enable_if_t<!std::is_const_v<U>, int> = 0>
    operator rows_ref<const U>() const
    {
        return {data, rows, cols};
    }
};

/// The shape of a layer's array: up to four extents, e.g. (in, out) for a kernel.
struct array_shape
{
    std::array<std::size_t, 4> extents{};
    std::size_t rank = 0;

    array_shape() = default;
    array_shape(std::initializer_list<std::size_t> list)
    {
        for (std::size_t extent : list)
        {
            extents.at(rank++) = extent;
        }
    }
    template <class Shape>
    static array_shape of(const Shape& shape)
    {
        array_shape result;
        for (auto extent : shape)
        {
            result.extents.at(result.rank++) = static_cast<std::size_t>(extent);
        }
        return result;
    }

    const std::size_t* begin() const { return extents.data(); }
    const std::size_t* end() const { return extents.data() + rank; }
    std::size_t operator[](std::size_t i) const { return extents[i]; }
    std::size_t size() const { return rank; }
    /// The number of elements: the product of the extents.
    std::size_t elements() const
    {
        std::size_t n = 1;
        for (std::size_t extent : *this)
        {
            n *= extent;
        }
        return n;
    }
    std::vector<std::size_t> to_vector() const { return {begin(), end()}; }
    friend bool operator==(const array_shape& a, const array_shape& b)
    {
        return a.rank == b.rank && std::equal(a.begin(), a.end(), b.begin());  // no allocation
    }
    friend bool operator!=(const array_shape& a, const array_shape& b) { return !(a == b); }
};

/// What xtnn::initialize sets a parameter to.
enum class init_as
{
    weights,  ///< drawn at random, scaled by the fan-in/fan-out of its shape (in, out)
    zeros,    ///< biases, BatchNorm's beta
    ones      ///< BatchNorm's and LayerNorm's gamma
};

/// How a parameter trains. The optimizer and initialize() read these; layers set the
/// defaults (no weight decay on biases and normalisation parameters, as Keras and dlib do).
struct parameter_options
{
    bool trainable = true;       ///< false: frozen; its gradient is computed, never applied
    double weight_decay = 1;     ///< multiplies the optimizer's weight decay (0: none)
    double learning_rate = 1;    ///< multiplies the optimizer's learning rate
    init_as init = init_as::weights;
};

/// A named array of a layer: its values (row-major) and shape. `name` is unique within the
/// layer ("kernel", "moving_mean"); a network prefixes the layer's name ("dense_1/kernel").
template <class T>
struct array_ref
{
    std::string_view name;
    T* data = nullptr;
    array_shape shape;

    std::size_t size() const { return shape.elements(); }
};

/// A trainable array: an array_ref and its options (const for a const layer).
template <class T>
struct parameter_ref : array_ref<T>
{
    std::conditional_t<std::is_const_v<T>, const parameter_options, parameter_options>* options =
        nullptr;
};

/// An array_ref over an xtensor container, e.g. make_array_ref("moving_mean", m_mean).
template <class E>
auto make_array_ref(std::string_view name, E& array)
{
    using value = std::remove_pointer_t<decltype(array.data())>;
    return array_ref<value>{name, array.data(), array_shape::of(array.shape())};
}

/// A parameter_ref over an xtensor container and its options.
template <class E, class Options>
auto make_parameter_ref(std::string_view name, E& array, Options& options)
{
    using value = std::remove_pointer_t<decltype(array.data())>;
    parameter_ref<value> ref;
    static_cast<array_ref<value>&>(ref) = make_array_ref(name, array);
    ref.options = &options;
    return ref;
}

/// "Too many to count, or not known": what array_values says when a product overflows.
inline constexpr std::size_t unknown_size = static_cast<std::size_t>(-1);

/// a·b + c, or unknown_size when it overflows (or an argument is unknown_size).
inline std::size_t checked_size(std::size_t a, std::size_t b, std::size_t c = 0)
{
    if (a == unknown_size || b == unknown_size || c == unknown_size ||
        (b != 0 && a > (unknown_size - 1 - c) / b))
    {
        return unknown_size;
    }
    return a * b + c;
}

/// What a layer may use in a training-mode forward pass: the engine behind dropout masks.
struct training_context
{
    std::mt19937_64& engine;
};

// ---------------------------------------------------------------------------------------
// THE LAYER CONTRACT
//
// A layer maps a batch X (rows, in) to Y (rows, out), both row-major. A type L over value
// type T is a layer when it has the members marked "required"; the others are optional and
// default as stated (layer_traits<L> below supplies the defaults, and is how both network
// faces call a layer). check_layer<L>() names any required member L lacks.
//
//   using value_type = T;                                                        required
//   static constexpr std::string_view kind = "dense";                            required
//       The name files and --layers items use; with config() it rebuilds the layer.
//   layer_config config() const;                                       default: empty
//       ensures: the factory registered for `kind` makes an equal layer from it (its
//       arrays aside: files store those separately).
//   std::size_t input_width() const;                                       default: 0
//       The width the layer is built for; 0 when it takes any width (activations) or has
//       not been built yet.
//   std::size_t output_width(std::size_t in) const;                   default: in
//       ensures: the width of Y for X of `in` columns.
//       throws: shape_error naming both widths when the layer cannot take `in`.
//   std::size_t build(std::size_t in);                       default: output_width(in)
//       ensures: the layer is ready for X of `in` columns: arrays that depend on the width
//       are allocated (at their init_as defaults) on the first call; returns the output width.
//       throws: as output_width, when built for another width.
//   std::size_t parameter_count() const;                                    default: 0
//   parameter_ref<T> parameter(std::size_t i);                   required if count > 0
//       The trainable arrays, in a fixed order, with their options. The network reads a
//       const layer's parameters through this member too, and never writes them then.
//   std::size_t state_count() const;                                        default: 0
//   array_ref<T> state(std::size_t i);                           required if count > 0
//       Arrays saved with the model that are not trained by gradients (BatchNorm's running
//       mean and variance); only a training-mode forward changes them.
//   std::size_t array_values(std::size_t in) const;              default: 0 without
//                                                           parameters or state, else unknown
//       How many values all its parameter and state arrays hold once built for `in` inputs
//       (unknown_size when it would overflow). Loaders compare it with the data a file holds
//       before build() allocates anything, so a lying file cannot make it allocate.
//   std::size_t cache_size(std::size_t rows, std::size_t in) const;         default: 0
//       Values the layer keeps from a training-mode forward for its backward (a dropout
//       mask, BatchNorm's x̂ and 1/σ); the workspace holds them.
//   void forward(rows_ref<const T> x, rows_ref<T> y) const;                     required
//       Inference: Y = f(X). requires: x.cols == in, y.cols == output_width(in), y does
//       not overlap x. Const, and writes nothing but y: threads may share the layer.
//   void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache,
//                      training_context& context);                  default: forward(x, y)
//       Training mode: batch statistics, dropout masks drawn from context.engine; may update
//       state; cache holds cache_size(x.rows, x.cols) values for backward.
//   void backward(rows_ref<const T> x, rows_ref<const T> y, const T* cache,
//                 rows_ref<const T> grad_y, rows_ref<T> grad_x, T* const* grads) const;
//                                                                                   required
//       From G = dL/dY (rows, out) after a forward pass that read x, wrote y and filled
//       cache: writes dL/dX into grad_x unless grad_x.data is nullptr (nobody needs it),
//       and dL/dp of parameter i into grads[i] (overwritten, not accumulated). Nothing is
//       divided by the batch size: G already is a gradient of the batch's mean loss.
//   static L from_config(const layer_config&);         optional: registers L by itself
// ---------------------------------------------------------------------------------------

namespace detail
{
template <class L, class = void>
struct has_value_type : std::false_type
{
};
template <class L>
struct has_value_type<L, std::void_t<typename L::value_type>> : std::true_type
{
};

template <class L, class = void>
struct has_kind : std::false_type
{
};
template <class L>
struct has_kind<L, std::enable_if_t<std::is_convertible_v<decltype(L::kind), std::string_view>>>
  : std::true_type
{
};

template <class L, class T, class = void>
struct has_forward : std::false_type
{
};
template <class L, class T>
struct has_forward<L, T,
                   std::void_t<decltype(std::declval<const L&>().forward(
                       std::declval<rows_ref<const T>>(), std::declval<rows_ref<T>>()))>>
  : std::true_type
{
};

template <class L, class T, class = void>
struct has_backward : std::false_type
{
};
template <class L, class T>
struct has_backward<L, T,
                    std::void_t<decltype(std::declval<const L&>().backward(
                        std::declval<rows_ref<const T>>(), std::declval<rows_ref<const T>>(),
                        std::declval<const T*>(), std::declval<rows_ref<const T>>(),
                        std::declval<rows_ref<T>>(), std::declval<T* const*>()))>>
  : std::true_type
{
};

#define XTNN_DETAIL_HAS_MEMBER(trait, expression)                                                 \
    template <class L, class = void>                                                               \
    struct trait : std::false_type                                                                 \
    {                                                                                              \
    };                                                                                             \
    template <class L>                                                                             \
    struct trait<L, std::void_t<decltype(expression)>> : std::true_type                            \
    {                                                                                              \
    }

XTNN_DETAIL_HAS_MEMBER(has_config, std::declval<const L&>().config());
XTNN_DETAIL_HAS_MEMBER(has_input_width, std::declval<const L&>().input_width());
XTNN_DETAIL_HAS_MEMBER(has_output_width, std::declval<const L&>().output_width(std::size_t{}));
XTNN_DETAIL_HAS_MEMBER(has_build, std::declval<L&>().build(std::size_t{}));
XTNN_DETAIL_HAS_MEMBER(has_parameter_count, std::declval<const L&>().parameter_count());
XTNN_DETAIL_HAS_MEMBER(has_state_count, std::declval<const L&>().state_count());
XTNN_DETAIL_HAS_MEMBER(has_array_values, std::declval<const L&>().array_values(std::size_t{}));
XTNN_DETAIL_HAS_MEMBER(has_cache_size,
                       std::declval<const L&>().cache_size(std::size_t{}, std::size_t{}));
XTNN_DETAIL_HAS_MEMBER(has_forward_train,
                       std::declval<L&>().forward_train(
                           std::declval<rows_ref<const typename L::value_type>>(),
                           std::declval<rows_ref<typename L::value_type>>(),
                           std::declval<typename L::value_type*>(),
                           std::declval<training_context&>()));
XTNN_DETAIL_HAS_MEMBER(has_from_config, L::from_config(std::declval<const layer_config&>()));
#undef XTNN_DETAIL_HAS_MEMBER
}  // namespace detail

/// Checks at compile time that L meets the layer contract; each missing required member is
/// named by its own message. Returns true so it can sit in a static_assert or constexpr.
template <class L>
constexpr bool check_layer()
{
    static_assert(detail::has_value_type<L>::value,
                  "xtnn layer contract: the type needs `using value_type = T;` (float or double)");
    if constexpr (detail::has_value_type<L>::value)
    {
        using T = typename L::value_type;
        static_assert(std::is_floating_point_v<T>,
                      "xtnn layer contract: value_type must be float or double");
        static_assert(detail::has_kind<L>::value,
                      "xtnn layer contract: the type needs `static constexpr std::string_view "
                      "kind = \"...\";`, the name files and --layers items use");
        static_assert(detail::has_forward<L, T>::value,
                      "xtnn layer contract: the type needs `void forward(rows_ref<const T> x, "
                      "rows_ref<T> y) const`");
        static_assert(detail::has_backward<L, T>::value,
                      "xtnn layer contract: the type needs `void backward(rows_ref<const T> x, "
                      "rows_ref<const T> y, const T* cache, rows_ref<const T> grad_y, "
                      "rows_ref<T> grad_x, T* const* grads) const`");
    }
    return true;
}

/// True when L meets the layer contract (without the messages of check_layer).
template <class L, class = void>
struct is_layer : std::false_type
{
};
template <class L>
struct is_layer<L, std::enable_if_t<detail::has_value_type<L>::value>>
  : std::bool_constant<detail::has_kind<L>::value &&
                       detail::has_forward<L, typename L::value_type>::value &&
                       detail::has_backward<L, typename L::value_type>::value>
{
};
template <class L>
inline constexpr bool is_layer_v = is_layer<std::decay_t<L>>::value;

/// How the network faces call a layer: the contract's members, with the defaults of the
/// optional ones. Every call of a layer in xtnn goes through here.
template <class L>
struct layer_traits
{
    static_assert(check_layer<L>());
    using T = typename L::value_type;

    static layer_config config(const L& layer)
    {
        if constexpr (detail::has_config<L>::value)
        {
            return layer.config();
        }
        else
        {
            return {};
        }
    }
    static std::size_t input_width(const L& layer)
    {
        if constexpr (detail::has_input_width<L>::value)
        {
            return layer.input_width();
        }
        else
        {
            return 0;
        }
    }
    static std::size_t output_width(const L& layer, std::size_t in)
    {
        if constexpr (detail::has_output_width<L>::value)
        {
            return layer.output_width(in);
        }
        else
        {
            return in;
        }
    }
    static std::size_t build(L& layer, std::size_t in)
    {
        if constexpr (detail::has_build<L>::value)
        {
            return layer.build(in);
        }
        else
        {
            return output_width(layer, in);
        }
    }
    static std::size_t parameter_count(const L& layer)
    {
        if constexpr (detail::has_parameter_count<L>::value)
        {
            return layer.parameter_count();
        }
        else
        {
            return 0;
        }
    }
    static parameter_ref<T> parameter(L& layer, std::size_t i)
    {
        if constexpr (detail::has_parameter_count<L>::value)
        {
            return layer.parameter(i);
        }
        else
        {
            (void)layer;
            throw error("xtnn::layer: " + std::string(L::kind) + " has no parameter " +
                        std::to_string(i));
        }
    }
    static std::size_t state_count(const L& layer)
    {
        if constexpr (detail::has_state_count<L>::value)
        {
            return layer.state_count();
        }
        else
        {
            return 0;
        }
    }
    static array_ref<T> state(L& layer, std::size_t i)
    {
        if constexpr (detail::has_state_count<L>::value)
        {
            return layer.state(i);
        }
        else
        {
            (void)layer;
            throw error("xtnn::layer: " + std::string(L::kind) + " has no state array " +
                        std::to_string(i));
        }
    }
    static std::size_t array_values(const L& layer, std::size_t in)
    {
        if constexpr (detail::has_array_values<L>::value)
        {
            return layer.array_values(in);
        }
        else if constexpr (detail::has_parameter_count<L>::value ||
                           detail::has_state_count<L>::value)
        {
            (void)layer;
            (void)in;
            return unknown_size;
        }
        else
        {
            return 0;
        }
    }
    static std::size_t cache_size(const L& layer, std::size_t rows, std::size_t in)
    {
        if constexpr (detail::has_cache_size<L>::value)
        {
            return layer.cache_size(rows, in);
        }
        else
        {
            return 0;
        }
    }
    static void forward_train(L& layer, rows_ref<const T> x, rows_ref<T> y, T* cache,
                              training_context& context)
    {
        if constexpr (detail::has_forward_train<L>::value)
        {
            layer.forward_train(x, y, cache, context);
        }
        else
        {
            layer.forward(x, y);
        }
    }
};

/// The widths of a layer that cannot take `in` columns, as the contract's output_width
/// throws it: "<kind>: built for 784 inputs; got 100".
inline shape_error width_error(std::string_view kind, std::size_t built, std::size_t in)
{
    return shape_error("xtnn::" + std::string(kind) + ": built for " + std::to_string(built) +
                       " inputs; got " + std::to_string(in));
}

/// output_width of a layer that keeps its width once built for `built` inputs (0: not yet):
/// `in`, or width_error when built for another width.
inline std::size_t keep_width(std::string_view kind, std::size_t built, std::size_t in)
{
    if (built != 0 && in != built)
    {
        throw width_error(kind, built, in);
    }
    return in;
}
}  // namespace xtnn
