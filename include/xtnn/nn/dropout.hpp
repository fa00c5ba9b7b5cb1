// SPDX-License-Identifier: MIT
// Dropout as a layer (inverted dropout, as Keras and PyTorch): in training each value is kept
// with probability 1 - rate and scaled by 1 / (1 - rate), so inference is the identity. The
// mask is drawn from the training pass's seeded engine and kept in the workspace, so runs
// are bit-reproducible and the layer itself stays a value that threads may share.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>

namespace xtnn
{
template <class T = float>
class dropout
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "dropout";

    /// @throws xtnn::error when rate is outside [0, 1).
    explicit dropout(double rate = 0.5)
      : m_rate(rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw error("xtnn::dropout: rate " + std::to_string(rate) +
                        " is out of range; expected 0 <= rate < 1");
        }
        // keep when a 32-bit draw k satisfies k >= rate·2^32, i.e. with probability 1 - rate
        m_threshold = static_cast<std::uint64_t>(std::ceil(rate * 4294967296.0));
    }
    template <class U>
    explicit dropout(const dropout<U>& other)
      : dropout(other.rate())
    {
    }
    static dropout from_config(const layer_config& config)
    {
        config.allow_only(kind, {"rate"});
        return dropout(config.number("rate"));
    }
    layer_config config() const { return {{"rate", m_rate}}; }
    double rate() const { return m_rate; }

    /// The mask: one value per element of X, 0 or 1 / (1 - rate).
    std::size_t cache_size(std::size_t rows, std::size_t in) const { return rows * in; }

    /// Inference: Y = X.
    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::copy(x.data, x.data + x.size(), y.data);
    }

    /// Training: Y = X ⊙ mask / (1 - rate), one engine draw per value (its low 32 bits); with
    /// rate 0 nothing is drawn and Y = X.
    void forward_train(rows_ref<const T> x, rows_ref<T> y, T* mask, training_context& context)
    {
        const std::size_t n = x.size();
        if (m_threshold == 0)
        {
            std::fill(mask, mask + n, T(1));
            std::copy(x.data, x.data + n, y.data);
            return;
        }
        auto& engine = context.engine;
        using engine_type = std::decay_t<decltype(engine)>;
        const T scale = static_cast<T>(1.0 / (1.0 - m_rate));
        for (std::size_t i = 0; i < n; ++i)
        {
            const std::uint64_t bits =
                static_cast<std::uint64_t>(engine() - engine_type::min()) & 0xFFFFFFFFu;
            mask[i] = bits >= m_threshold ? scale : T(0);  // mask / (1 - rate)
        }
        for (std::size_t i = 0; i < n; ++i)
        {
            y.data[i] = x.data[i] * mask[i];
        }
    }

    /// dX = G ⊙ mask / (1 - rate), with the mask of the forward pass (the identity after an
    /// inference-mode forward, whose cache is empty).
    void backward(rows_ref<const T>, rows_ref<const T>, const T* mask, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        if (!grad_x.data)
        {
            return;
        }
        const std::size_t n = grad_y.size();
        if (!mask)
        {
            std::copy(grad_y.data, grad_y.data + n, grad_x.data);
            return;
        }
        for (std::size_t i = 0; i < n; ++i)
        {
            grad_x.data[i] = grad_y.data[i] * mask[i];
        }
    }

private:
    double m_rate;
    std::uint64_t m_threshold = 0;
};
}  // namespace xtnn
