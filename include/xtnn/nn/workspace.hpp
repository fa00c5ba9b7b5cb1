// SPDX-License-Identifier: MIT
// The buffers of one forward pass: every layer's output Y_i, and in training mode the cache
// each layer keeps for its backward (dropout masks, BatchNorm's x̂). They grow to the largest
// batch they are asked for and never shrink, so a loop over equal or smaller batches allocates
// nothing after its first pass. Any layer's output stays readable until the next pass.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// A forward pass in inference mode (running statistics, no dropout; const, thread-safe) or
/// in training mode (batch statistics, dropout masks, running statistics updated).
enum class mode
{
    inference,
    training
};

/// A read-only (rows, cols) view of a workspace buffer; valid until the workspace's next use.
template <class T>
using matrix_view = decltype(xt::adapt(std::declval<const T*>(), std::size_t{}, xt::no_ownership(),
                                       std::declval<std::array<std::size_t, 2>>()));

template <class T = float>
class workspace
{
public:
    workspace() = default;

    /// Buffers for `rows` rows of `net` (a network or fixed_network) in inference mode,
    /// allocated now rather than on the first pass.
    template <class Network>
    workspace(const Network& net, std::size_t rows)
    {
        reserve(net, rows);
    }

    /// Makes room for `rows` rows of every layer of `net` in inference mode.
    template <class Network>
    void reserve(const Network& net, std::size_t rows)
    {
        const std::vector<std::size_t> widths = net.widths();
        prepare(rows, widths.data(), widths.size() - 1, nullptr);
        m_rows = 0;
    }

    /// Rows of the last pass.
    std::size_t batch() const { return m_rows; }
    /// Rows every output buffer has room for (at least the last pass's).
    std::size_t capacity() const { return m_capacity; }
    /// Layers of the last pass.
    std::size_t layers() const { return m_layers; }
    /// The mode of the last pass.
    xtnn::mode mode() const { return m_mode; }

    /// Layer i's output Y_i (batch, width_i) from the last pass. @throws std::out_of_range.
    matrix_view<T> output(std::size_t i) const
    {
        const std::array<std::size_t, 2> shape{m_rows, m_widths.at(i + 1)};
        return xt::adapt(m_outputs.at(i).data(), m_rows * shape[1], xt::no_ownership(), shape);
    }
    /// The network's output: the last layer's Y.
    matrix_view<T> output() const { return output(m_layers - 1); }

    /// Called by the networks before a pass: room for `rows` rows of `layers` layers, layer i
    /// writing widths[i + 1] columns, and in training mode cache_sizes[i] values of cache.
    /// Allocates only when a buffer is too small.
    void prepare(std::size_t rows, const std::size_t* widths, std::size_t layers,
                 const std::size_t* cache_sizes)
    {
        if (m_outputs.size() < layers)
        {
            m_outputs.resize(layers);
            m_caches.resize(layers);
        }
        m_widths.assign(widths, widths + layers + 1);  // no allocation once it has grown
        m_capacity = layers ? std::numeric_limits<std::size_t>::max() : 0;
        for (std::size_t i = 0; i < layers; ++i)
        {
            grow(m_outputs[i], rows * widths[i + 1]);
            grow(m_caches[i], cache_sizes ? cache_sizes[i] : 0);
            if (widths[i + 1] > 0)
            {
                m_capacity = std::min(m_capacity, m_outputs[i].size() / widths[i + 1]);
            }
        }
        m_layers = layers;
        m_rows = rows;
        m_mode = cache_sizes ? mode::training : mode::inference;
    }

    /// Layer i's output buffer (capacity, width_i) and cache (nullptr after an inference pass).
    T* output_data(std::size_t i) { return m_outputs[i].data(); }
    const T* output_data(std::size_t i) const { return m_outputs[i].data(); }
    T* cache_data(std::size_t i)
    {
        return m_mode == mode::training && !m_caches[i].empty() ? m_caches[i].data() : nullptr;
    }
    const T* cache_data(std::size_t i) const
    {
        return m_mode == mode::training && !m_caches[i].empty() ? m_caches[i].data() : nullptr;
    }

private:
    static void grow(std::vector<T>& buffer, std::size_t size)
    {
        if (buffer.size() < size)
        {
            buffer.resize(size);
        }
    }

    std::vector<std::vector<T>> m_outputs, m_caches;
    std::vector<std::size_t> m_widths;
    std::size_t m_layers = 0, m_rows = 0, m_capacity = 0;
    xtnn::mode m_mode = mode::inference;
};
}  // namespace xtnn
