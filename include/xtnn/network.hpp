// SPDX-License-Identifier: MIT
// An N-layer feedforward network whose widths are known at run time (from a list, a command
// line or a weight file), and the workspace that holds one forward pass's buffers.
//
// The layer protocol: a network is a chain of dense_layer<T>; layer i maps (batch, in_i) to
// (batch, out_i) with out_i == in_{i+1}. Layer i keeps its pre-activation Z_i and its output
// A_i in the workspace, so callers can look inside (e.g. plot a 2-unit bottleneck).
// predict() is const and touches only the workspace it is given: several threads may share
// one network, each with its own workspace.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/activation.hpp>
#include <xtnn/dense.hpp>
#include <xtnn/detail/layer_buffers.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// A read-only (rows, cols) view of a workspace buffer; valid until the workspace's next use.
template <class T>
using matrix_view = decltype(xt::adapt(std::declval<const T*>(), std::size_t{}, xt::no_ownership(),
                                       std::declval<std::array<std::size_t, 2>>()));

template <class T>
class network;

/// The buffers of one forward pass: Z_i and A_i for every layer, for up to capacity() rows.
/// Grows when a larger batch arrives and never shrinks, so a loop over equal or smaller
/// batches allocates nothing after its first call.
template <class T = float>
class workspace
{
public:
    workspace() = default;

    /// Buffers for `batch` rows of `net`, allocated now rather than on first use.
    workspace(const network<T>& net, std::size_t batch) { reserve(net, batch); }

    /// Makes room for `batch` rows of `net`; allocates only if the buffers are too small or
    /// were sized for different widths.
    void reserve(const network<T>& net, std::size_t batch);

    /// Rows in the last forward pass.
    std::size_t batch() const { return m_batch; }
    std::size_t capacity() const { return m_z.capacity(); }
    std::size_t layers() const { return m_z.layers(); }

    /// Layer i's pre-activation Z_i (batch, out_i) from the last forward pass.
    matrix_view<T> pre_activation(std::size_t i) const { return view(m_z, i); }
    /// Layer i's output A_i (batch, out_i) from the last forward pass.
    matrix_view<T> activation(std::size_t i) const { return view(m_a, i); }
    /// The network's output: the last layer's A (batch, outputs).
    matrix_view<T> output() const { return activation(layers() - 1); }

private:
    friend class network<T>;

    matrix_view<T> view(const detail::layer_buffers<T>& buffers, std::size_t i) const
    {
        const std::array<std::size_t, 2> shape{m_batch, buffers.width(i)};
        return xt::adapt(buffers.data(i), m_batch * buffers.width(i), xt::no_ownership(), shape);
    }

    detail::layer_buffers<T> m_z, m_a;
    std::size_t m_batch = 0;
};

/// An N-layer feedforward network over value type T (float or double): a chain of dense
/// layers. Networks are values: copy one to get an independent network.
template <class T = float>
class network
{
public:
    using value_type = T;

    network() = default;

    /// A network with the given layers. @throws shape_error when widths do not chain.
    explicit network(std::vector<dense_layer<T>> layers)
      : m_layers(std::move(layers))
    {
        check_chain();
    }

    /// A network of widths {in, h1, ..., out}: `hidden` after every layer but the last,
    /// `output` after the last. Parameters start at zero (load or initialise them).
    /// @throws shape_error for fewer than two widths or a zero width.
    network(const std::vector<std::size_t>& widths, activation_kind hidden, activation_kind output)
    {
        if (widths.size() < 2)
        {
            throw shape_error("xtnn::network: widths " + shape_string(widths) +
                              " name no layer; expected at least {inputs, outputs}");
        }
        for (std::size_t i = 0; i + 1 < widths.size(); ++i)
        {
            m_layers.emplace_back(widths[i], widths[i + 1],
                                  i + 2 == widths.size() ? output : hidden);
        }
    }

    /// Number of layers.
    std::size_t depth() const { return m_layers.size(); }
    std::size_t inputs() const { return m_layers.empty() ? 0 : m_layers.front().inputs(); }
    std::size_t outputs() const { return m_layers.empty() ? 0 : m_layers.back().outputs(); }
    /// {in, h1, ..., out}.
    std::vector<std::size_t> widths() const
    {
        std::vector<std::size_t> result;
        for (const auto& layer : m_layers)
        {
            result.push_back(layer.inputs());
        }
        if (!m_layers.empty())
        {
            result.push_back(outputs());
        }
        return result;
    }

    /// Layer i (0-based). @throws std::out_of_range.
    dense_layer<T>& layer(std::size_t i) { return m_layers.at(i); }
    const dense_layer<T>& layer(std::size_t i) const { return m_layers.at(i); }

    /// Runs rows [first, first + count) of `x` (rows, inputs()) through the network into
    /// `ws`, allocating nothing once `ws` has room. Returns the output (count, outputs()).
    /// @throws shape_error when x is not a row-major 2-D array of inputs() columns, or the
    /// rows are out of range.
    template <class E>
    matrix_view<T> forward_rows(const E& x, std::size_t first, std::size_t count,
                                workspace<T>& ws) const
    {
        check_input(x, "forward_rows");
        if (first > x.shape()[0] || count > x.shape()[0] - first)
        {
            throw shape_error("xtnn::network::forward_rows: rows [" + std::to_string(first) + ", " +
                              std::to_string(first + count) + ") are outside x " +
                              shape_string(x.shape()));
        }
        return forward(x.data() + first * inputs(), count, ws);
    }

    /// The network's output (batch, outputs()) for x (batch, inputs()), computed in `ws`.
    template <class E>
    matrix_view<T> predict(const E& x, workspace<T>& ws) const
    {
        check_input(x, "predict");
        return forward(x.data(), x.shape()[0], ws);
    }

    /// The network's output for x (batch, inputs()) as a new matrix. Convenient; allocates.
    template <class E>
    matrix<T> predict(const E& x) const
    {
        workspace<T> ws;
        return matrix<T>(predict(x, ws));
    }

    /// Runs `batch` row-major rows of inputs() values each, starting at `x`, into `ws`.
    matrix_view<T> forward(const T* x, std::size_t batch, workspace<T>& ws) const
    {
        check_chain();
        ws.reserve(*this, batch);
        ws.m_batch = batch;
        const T* input = x;
        for (std::size_t i = 0; i < m_layers.size(); ++i)
        {
            m_layers[i].forward(input, batch, ws.m_z.data(i), ws.m_a.data(i));
            input = ws.m_a.data(i);
        }
        return ws.output();
    }

private:
    template <class E>
    void check_input(const E& x, const char* where) const
    {
        if (m_layers.empty())
        {
            throw shape_error(std::string("xtnn::network::") + where +
                              ": the network has no layers");
        }
        if (x.dimension() != 2 || x.shape()[1] != inputs())
        {
            throw shape_error(std::string("xtnn::network::") + where + ": input has shape " +
                              shape_string(x.shape()) + "; expected (batch, " +
                              std::to_string(inputs()) + ")");
        }
        if (x.layout() != xt::layout_type::row_major)
        {
            throw shape_error(std::string("xtnn::network::") + where +
                              ": input must be a row-major container");
        }
    }

    void check_chain() const
    {
        for (std::size_t i = 1; i < m_layers.size(); ++i)
        {
            if (m_layers[i].inputs() != m_layers[i - 1].outputs())
            {
                throw shape_error("xtnn::network: layer " + std::to_string(i + 1) +
                                  " has weights " + shape_string(m_layers[i].weights().shape()) +
                                  " but layer " + std::to_string(i) + " outputs " +
                                  std::to_string(m_layers[i - 1].outputs()) + " values");
            }
        }
    }

    std::vector<dense_layer<T>> m_layers;
};

template <class T>
void workspace<T>::reserve(const network<T>& net, std::size_t batch)
{
    m_z.reserve(net, batch);
    m_a.reserve(net, batch);
}
}  // namespace xtnn
