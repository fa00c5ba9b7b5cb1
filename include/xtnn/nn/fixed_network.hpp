// SPDX-License-Identifier: MIT
// The compile-time face of a network: its type names the layers and their widths,
//   xtnn::fixed_network<float, xtnn::fixed::dense<784, 50>, xtnn::fixed::sigmoid,
//                              xtnn::fixed::dense<50, 100>, xtnn::fixed::sigmoid,
//                              xtnn::fixed::dense<100, 10>, xtnn::fixed::softmax>
// A width that does not chain is one static_assert. It holds the same layer types as the
// runtime network (the same math) in a tuple, calls them without runtime dispatch, and
// cannot be made to hold another architecture. It converts to and from network<T>, checking
// the runtime network against the type.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>
#include <xtnn/nn/workspace.hpp>

namespace xtnn
{
/// The layer descriptions fixed_network takes: a layer template, the input width it needs
/// (0: any) and the output width it gives.
namespace fixed
{
/// A dense layer of In inputs and Out outputs.
template <std::size_t In, std::size_t Out, bool UseBias = true>
struct dense
{
    static_assert(In > 0 && Out > 0, "xtnn::fixed::dense: a layer needs at least one input and output");
    template <class T>
    using layer = xtnn::dense<T>;
    static constexpr std::size_t input = In;
    static constexpr std::size_t output(std::size_t) { return Out; }
    template <class T>
    static layer<T> make()
    {
        if constexpr (UseBias)
        {
            return layer<T>(In, Out);
        }
        else
        {
            return layer<T>(In, Out, xtnn::no_bias);
        }
    }
};

/// A layer that keeps the width it is given (activations, dropout, normalisation), made
/// with its default configuration; converting from a runtime network copies its settings.
template <template <class> class Layer>
struct same_width
{
    template <class T>
    using layer = Layer<T>;
    static constexpr std::size_t input = 0;
    static constexpr std::size_t output(std::size_t in) { return in; }
    template <class T>
    static layer<T> make()
    {
        return layer<T>();
    }
};

using identity = same_width<xtnn::identity>;
using sigmoid = same_width<xtnn::sigmoid>;
using tanh = same_width<xtnn::tanh>;
using relu = same_width<xtnn::relu>;
using leaky_relu = same_width<xtnn::leaky_relu>;
using elu = same_width<xtnn::elu>;
using gelu = same_width<xtnn::gelu>;
using silu = same_width<xtnn::silu>;
using softplus = same_width<xtnn::softplus>;
using softmax = same_width<xtnn::softmax>;
using dropout = same_width<xtnn::dropout>;
using batch_norm = same_width<xtnn::batch_norm>;
using layer_norm = same_width<xtnn::layer_norm>;
using rescale = same_width<xtnn::rescale>;
using standardize = same_width<xtnn::standardize>;
}  // namespace fixed

namespace detail
{
/// {input width, width after layer 1, ...}: the input is the first layer's that fixes one.
template <class... Layers>
constexpr std::array<std::size_t, sizeof...(Layers) + 1> chain_widths()
{
    std::array<std::size_t, sizeof...(Layers) + 1> widths{};
    ((widths[0] = widths[0] != 0 ? widths[0] : Layers::input), ...);
    std::size_t i = 0;
    ((widths[i + 1] = Layers::output(widths[i]), ++i), ...);
    return widths;
}

/// Layer Index takes the width the layers before it output. A failure names the layer's
/// description and that width in the compiler's "required from" note.
template <std::size_t Index, class Layer, std::size_t WidthBefore>
constexpr bool layer_takes()
{
    static_assert(WidthBefore != 0,
                  "xtnn::fixed_network: no layer fixes the input width; start with a fixed::dense");
    static_assert(Layer::input == 0 || Layer::input == WidthBefore,
                  "xtnn::fixed_network: a layer's In must equal the width the layers before it "
                  "output");
    return true;
}
}  // namespace detail

template <class T, class... Layers>
class fixed_network
{
    static_assert(sizeof...(Layers) > 0, "xtnn::fixed_network: a network needs a layer");
    static constexpr std::array<std::size_t, sizeof...(Layers) + 1> widths_v =
        detail::chain_widths<Layers...>();

    template <std::size_t... I>
    static constexpr bool all_layers_take(std::index_sequence<I...>)
    {
        return (detail::layer_takes<I, Layers, widths_v[I]>() && ...);
    }
    static_assert(all_layers_take(std::index_sequence_for<Layers...>{}));

    using storage = std::tuple<typename Layers::template layer<T>...>;

public:
    using value_type = T;
    static constexpr std::size_t size_v = sizeof...(Layers);
    static constexpr std::size_t inputs_v = widths_v.front();
    static constexpr std::size_t outputs_v = widths_v.back();
    /// The type of layer I.
    template <std::size_t I>
    using layer_type = std::tuple_element_t<I, storage>;

    /// Every layer made and built, with zero weights (BatchNorm: γ = 1, β = 0); load them or
    /// convert a trained runtime network.
    fixed_network()
      : m_layers(Layers::template make<T>()...)
    {
        build(std::index_sequence_for<Layers...>{});
    }

    /// The layers of a runtime network with this architecture, copied.
    /// @throws shape_error naming the first layer whose type or widths differ from the type's.
    explicit fixed_network(const network<T>& net)
      : fixed_network()
    {
        if (net.size() != size_v || net.inputs() != inputs_v)
        {
            throw shape_error("xtnn::fixed_network: the type has " + std::to_string(size_v) +
                              " layers over " + std::to_string(inputs_v) +
                              " inputs; the network has " + std::to_string(net.size()) +
                              " over " + std::to_string(net.inputs()) + ": " + net.describe());
        }
        copy_from(net, std::index_sequence_for<Layers...>{});
    }

    /// The same network as a runtime network<T> (to train it with fit, or save it).
    network<T> to_network() const { return to_network(std::index_sequence_for<Layers...>{}); }

    std::size_t size() const { return size_v; }
    std::size_t inputs() const { return inputs_v; }
    std::size_t outputs() const { return outputs_v; }
    /// {inputs, width of layer 1, ..., outputs}.
    std::vector<std::size_t> widths() const { return {widths_v.begin(), widths_v.end()}; }

    /// Layer I, to read (checked at compile time).
    template <std::size_t I>
    const layer_type<I>& layer() const
    {
        static_assert(I < size_v, "xtnn::fixed_network::layer<I>: I is past the last layer");
        return std::get<I>(m_layers);
    }
    /// Parameter p of layer I, to write its values in place (its shape is the type's).
    template <std::size_t I>
    parameter_ref<T> parameter(std::size_t p)
    {
        static_assert(I < size_v, "xtnn::fixed_network::parameter<I>: I is past the last layer");
        return layer_traits<layer_type<I>>::parameter(std::get<I>(m_layers), p);
    }

    /// Inference on `rows` row-major rows of inputs_v values starting at x, into `ws`: each
    /// layer called directly, no runtime dispatch. Returns the output (rows, outputs_v).
    matrix_view<T> forward(const T* x, std::size_t rows, workspace<T>& ws) const
    {
        ws.prepare(rows, widths_v.data(), size_v, nullptr);
        forward_each(x, rows, ws, std::index_sequence_for<Layers...>{});
        return ws.output();
    }

    /// Rows [first, first + count) of x (rows, inputs_v). @throws shape_error for an input of
    /// the wrong shape or rows out of range.
    template <class E>
    matrix_view<T> forward_rows(const E& x, std::size_t first, std::size_t count,
                                workspace<T>& ws) const
    {
        check_input(x, "forward_rows");
        if (first > x.shape()[0] || count > x.shape()[0] - first)
        {
            throw shape_error("xtnn::fixed_network::forward_rows: rows [" + std::to_string(first) +
                              ", " + std::to_string(first + count) + ") are outside x " +
                              shape_string(x.shape()));
        }
        return forward(x.data() + first * inputs_v, count, ws);
    }

    /// The output (batch, outputs_v) for x (batch, inputs_v), computed in `ws`.
    template <class E>
    matrix_view<T> predict(const E& x, workspace<T>& ws) const
    {
        check_input(x, "predict");
        return forward(x.data(), x.shape()[0], ws);
    }

    /// The output for x as a new matrix. Convenient; allocates.
    template <class E>
    matrix<T> predict(const E& x) const
    {
        workspace<T> ws;
        return matrix<T>(predict(x, ws));
    }

private:
    template <std::size_t... I>
    void build(std::index_sequence<I...>)
    {
        (layer_traits<layer_type<I>>::build(std::get<I>(m_layers), widths_v[I]), ...);
    }

    template <std::size_t... I>
    void copy_from(const network<T>& net, std::index_sequence<I...>)
    {
        (copy_layer<I>(net), ...);
    }

    template <std::size_t I>
    void copy_layer(const network<T>& net)
    {
        const auto* held = net.layer(I).template get_if<layer_type<I>>();
        const std::string where = "xtnn::fixed_network: layer " + std::to_string(I + 1) + " (" +
                                  net.name(I) + ")";
        if (!held)
        {
            throw shape_error(where + " is a " + std::string(net.layer(I).kind()) +
                              "; the type expects a " + std::string(layer_type<I>::kind));
        }
        if (net.widths()[I] != widths_v[I] || net.width(I) != widths_v[I + 1])
        {
            throw shape_error(where + " maps " + std::to_string(net.widths()[I]) + " -> " +
                              std::to_string(net.width(I)) + "; the type expects " +
                              std::to_string(widths_v[I]) + " -> " +
                              std::to_string(widths_v[I + 1]));
        }
        std::get<I>(m_layers) = *held;
    }

    template <std::size_t... I>
    network<T> to_network(std::index_sequence<I...>) const
    {
        return network<T>(inputs_v, std::vector<any_layer<T>>{any_layer<T>(std::get<I>(m_layers))...});
    }

    template <std::size_t... I>
    void forward_each(const T* x, std::size_t rows, workspace<T>& ws,
                      std::index_sequence<I...>) const
    {
        const T* in = x;
        ((std::get<I>(m_layers).forward(rows_ref<const T>{in, rows, widths_v[I]},
                                        rows_ref<T>{ws.output_data(I), rows, widths_v[I + 1]}),
          in = ws.output_data(I)),
         ...);
    }

    template <class E>
    static void check_input(const E& x, const char* where)
    {
        if (x.dimension() != 2 || x.shape()[1] != inputs_v ||
            x.layout() != xt::layout_type::row_major)
        {
            throw shape_error(std::string("xtnn::fixed_network::") + where + ": input has shape " +
                              shape_string(x.shape()) + "; expected a row-major (batch, " +
                              std::to_string(inputs_v) + ")");
        }
    }

    storage m_layers;
};
}  // namespace xtnn
