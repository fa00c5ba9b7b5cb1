// SPDX-License-Identifier: MIT
// Input rescaling as a layer, Keras's Rescaling: Y = X·scale + offset, e.g. scale 1/255 so a
// model takes raw 0..255 pixels and cannot be fed them without the /255.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>

namespace xtnn
{
template <class T = float>
class rescale
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "rescale";

    /// @throws xtnn::error for a scale or offset that is not finite.
    explicit rescale(double scale = 1.0, double offset = 0.0)
      : m_scale(scale)
      , m_offset(offset)
    {
        if (!std::isfinite(scale) || !std::isfinite(offset))
        {
            throw error("xtnn::rescale: scale " + std::to_string(scale) + " and offset " +
                        std::to_string(offset) + " must be finite");
        }
    }
    template <class U>
    explicit rescale(const rescale<U>& other)
      : rescale(other.scale(), other.offset())
    {
    }
    static rescale from_config(const layer_config& config)
    {
        config.allow_only(kind, {"scale", "offset"});
        return rescale(config.number("scale", 1.0), config.number("offset", 0.0));
    }
    layer_config config() const { return {{"scale", m_scale}, {"offset", m_offset}}; }
    double scale() const { return m_scale; }
    double offset() const { return m_offset; }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        const T scale = static_cast<T>(m_scale);
        const T offset = static_cast<T>(m_offset);
        for (std::size_t i = 0, n = x.size(); i < n; ++i)
        {
            y.data[i] = x.data[i] * scale + offset;
        }
    }
    /// dX = G·scale.
    void backward(rows_ref<const T>, rows_ref<const T>, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        if (!grad_x.data)
        {
            return;
        }
        const T scale = static_cast<T>(m_scale);
        for (std::size_t i = 0, n = grad_y.size(); i < n; ++i)
        {
            grad_x.data[i] = grad_y.data[i] * scale;
        }
    }

private:
    double m_scale, m_offset;
};
}  // namespace xtnn
