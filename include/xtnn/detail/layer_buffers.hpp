// SPDX-License-Identifier: MIT
// One scratch buffer per layer of a network, sized for a number of rows of that layer's
// outputs: the storage behind workspace (Z, A), backprop_buffers (dL/dZ) and the dropout
// workspace. It grows to the largest batch it is asked for and never shrinks, so a loop over
// equal or smaller batches allocates nothing after its first call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace xtnn::detail
{
template <class T>
class layer_buffers
{
public:
    /// Makes room for `batch` rows of every layer of `net` (anything with depth() and
    /// layer(i).outputs()); reallocates only when too small or sized for other widths.
    /// Runs on every pass, so the widths are compared in place, without allocating.
    template <class Network>
    void reserve(const Network& net, std::size_t batch)
    {
        bool same_widths = m_widths.size() == net.depth();
        for (std::size_t i = 0; same_widths && i < net.depth(); ++i)
        {
            same_widths = m_widths[i] == net.layer(i).outputs();
        }
        if (same_widths && batch <= m_capacity)
        {
            return;
        }
        m_capacity = same_widths ? std::max(batch, m_capacity) : batch;
        m_widths.resize(net.depth());
        m_buffers.resize(net.depth());
        for (std::size_t i = 0; i < net.depth(); ++i)
        {
            m_widths[i] = net.layer(i).outputs();
            m_buffers[i].assign(m_capacity * m_widths[i], T(0));
        }
    }

    /// Rows each buffer has room for.
    std::size_t capacity() const { return m_capacity; }
    std::size_t layers() const { return m_buffers.size(); }
    /// Layer i's output width out_i.
    std::size_t width(std::size_t i) const { return m_widths.at(i); }
    /// Layer i's buffer, (capacity, out_i) row-major. @throws std::out_of_range.
    T* data(std::size_t i) { return m_buffers.at(i).data(); }
    const T* data(std::size_t i) const { return m_buffers.at(i).data(); }

private:
    std::vector<std::size_t> m_widths;
    std::vector<std::vector<T>> m_buffers;
    std::size_t m_capacity = 0;
};
}  // namespace xtnn::detail
