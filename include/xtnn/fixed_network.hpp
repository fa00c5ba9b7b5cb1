// SPDX-License-Identifier: MIT
// The compile-time face of a network: its type names the architecture,
//   xtnn::fixed_network<xtnn::dense<784, 50, xtnn::activation::sigmoid>,
//                       xtnn::dense<50, 100, xtnn::activation::sigmoid>,
//                       xtnn::dense<100, 10, xtnn::activation::softmax>>
// and widths that do not chain are a compile error. It is a network<T> underneath (same
// math, same workspace, same weight files); the types only add static checks.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include <xtnn/activation.hpp>
#include <xtnn/network.hpp>

namespace xtnn
{
/// The description of one dense layer for fixed_network: In inputs, Out outputs, an
/// activation policy from xtnn::activation, value type T.
template <std::size_t In, std::size_t Out, class Activation, class T = float>
struct dense
{
    static_assert(In > 0 && Out > 0, "xtnn::dense: a layer needs at least one input and output");
    static constexpr std::size_t inputs = In;
    static constexpr std::size_t outputs = Out;
    static constexpr activation_kind activation = Activation::kind;
    using value_type = T;
};

namespace detail
{
/// Checks that layer Index's outputs feed layer Index + 1's inputs. A failure names both
/// layer types (and so their widths) in the compiler's "required from" note.
template <std::size_t Index, class Layer, class Next>
constexpr bool widths_chain()
{
    static_assert(Layer::outputs == Next::inputs,
                  "xtnn::fixed_network: a layer's Out must equal the next layer's In");
    static_assert(std::is_same_v<typename Layer::value_type, typename Next::value_type>,
                  "xtnn::fixed_network: all layers must have the same value type");
    return true;
}

template <class Tuple, std::size_t... I>
constexpr bool all_widths_chain(std::index_sequence<I...>)
{
    return (widths_chain<I, std::tuple_element_t<I, Tuple>, std::tuple_element_t<I + 1, Tuple>>() &&
            ... && true);
}
}  // namespace detail

/// A network whose architecture is its type. Everything network<T> offers works on it.
template <class... Layers>
class fixed_network
  : public network<typename std::tuple_element_t<0, std::tuple<Layers...>>::value_type>
{
    using layer_list = std::tuple<Layers...>;
    static_assert(
        detail::all_widths_chain<layer_list>(std::make_index_sequence<sizeof...(Layers) - 1>{}));

public:
    using value_type = typename std::tuple_element_t<0, layer_list>::value_type;
    using base = network<value_type>;

    static constexpr std::size_t depth_v = sizeof...(Layers);
    static constexpr std::size_t inputs_v = std::tuple_element_t<0, layer_list>::inputs;
    static constexpr std::size_t outputs_v = std::tuple_element_t<depth_v - 1, layer_list>::outputs;

    /// Zero-initialised parameters; load or initialise them.
    fixed_network()
      : base(std::vector<dense_layer<value_type>>{
            dense_layer<value_type>(Layers::inputs, Layers::outputs, Layers::activation)...})
    {
    }

    /// Layer I, checked at compile time.
    template <std::size_t I>
    dense_layer<value_type>& layer()
    {
        static_assert(I < depth_v, "xtnn::fixed_network::layer<I>: I is past the last layer");
        return base::layer(I);
    }
    template <std::size_t I>
    const dense_layer<value_type>& layer() const
    {
        static_assert(I < depth_v, "xtnn::fixed_network::layer<I>: I is past the last layer");
        return base::layer(I);
    }
    using base::layer;
};
}  // namespace xtnn
