// SPDX-License-Identifier: MIT
// Weight initialisation from an explicit, seeded random engine: normal with a given std (the
// book's 0.01), Xavier (the book's N(0, 1/sqrt(n_in))), He (N(0, sqrt(2/n_in))) and Keras's
// glorot_uniform. What a parameter is set to comes from its options (init_as): weights are
// drawn, biases and betas start at zero, gammas at one, whatever layer holds them. Samples come from documented transforms of 32-bit
// engine draws, not std::normal_distribution or std::uniform_real_distribution, so the same
// seed gives the same weights on every standard library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn
{
/// How initialize() draws each layer's weights W (n_in, n_out).
///   normal  N(0, std²) with the std given (the book's weight_init_std = 0.01)
///   xavier  N(0, 1/n_in): std 1/sqrt(n_in), the book's "Xavier" (chapter 6). Keras's
///           glorot_uniform draws U(-l, l) with l = sqrt(6/(n_in + n_out)), i.e. variance
///           2/(n_in + n_out): the same as this when n_in == n_out, otherwise between
///           1/n_in and 1/n_out.
///   he      N(0, 2/n_in): std sqrt(2/n_in), for ReLU layers (the book's and Keras's
///           he_normal without its truncation).
///   glorot_uniform  U(-l, l), l = sqrt(6/(n_in + n_out)): Keras's Dense default.
enum class init_kind
{
    normal,
    xavier,
    he,
    glorot_uniform
};

/// "normal", "xavier", "he", "glorot_uniform".
inline std::string_view to_string(init_kind kind)
{
    switch (kind)
    {
    case init_kind::normal:
        return "normal";
    case init_kind::xavier:
        return "xavier";
    case init_kind::he:
        return "he";
    case init_kind::glorot_uniform:
        return "glorot_uniform";
    }
    return "unknown";
}

/// The initialisation named `name`, as to_string spells it.
/// @throws xtnn::error listing the valid names.
inline init_kind parse_init(std::string_view name)
{
    if (name == "normal")
    {
        return init_kind::normal;
    }
    if (name == "xavier")
    {
        return init_kind::xavier;
    }
    if (name == "he")
    {
        return init_kind::he;
    }
    if (name == "glorot_uniform")
    {
        return init_kind::glorot_uniform;
    }
    throw error("xtnn::parse_init: unknown initialisation '" + std::string(name) +
                "'; expected normal, xavier, he or glorot_uniform");
}

namespace detail
{
/// (k + 0.5) / 2^32 for k the low 32 bits of one draw (engine() - Engine::min()): uniform in
/// (0, 1), never 0 or 1, the same on every platform for the same engine state.
template <class Engine>
double unit_uniform(Engine& engine)
{
    const auto bits = static_cast<std::uint32_t>((engine() - Engine::min()) & 0xFFFFFFFFu);
    return (static_cast<double>(bits) + 0.5) * (1.0 / 4294967296.0);
}
}  // namespace detail

/// Standard normal samples from any engine with at least 32 random bits per draw, the same
/// sequence on every platform for the same engine state:
///   u = (k + 0.5) / 2^32 for k the low 32 bits of (engine() - Engine::min()), so u ∈ (0, 1);
///   two draws u1, u2 give r = sqrt(-2 ln u1), θ = 2π u2, and the pair r cos θ, r sin θ
///   (Box–Muller), returned one after the other.
/// The arithmetic is double; results agree bit for bit wherever std::log, std::cos and
/// std::sin agree (glibc's are correctly rounded in practice; sqrt always is).
template <class Engine>
class normal_sampler
{
    static_assert(Engine::max() - Engine::min() >= 0xFFFFFFFFu,
                  "xtnn::normal_sampler: the engine must give at least 32 random bits a draw "
                  "(std::mt19937 or std::mt19937_64)");

public:
    explicit normal_sampler(Engine& engine)
      : m_engine(engine)
    {
    }

    /// The next N(0, 1) sample.
    double operator()()
    {
        if (m_has_spare)
        {
            m_has_spare = false;
            return m_spare;
        }
        constexpr double two_pi = 6.283185307179586476925286766559;
        const double u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));  // r = sqrt(-2 ln u1)
        const double theta = two_pi * u2;                 // θ = 2π u2
        m_spare = r * std::sin(theta);
        m_has_spare = true;
        return r * std::cos(theta);
    }

private:
    double uniform() { return detail::unit_uniform(m_engine); }

    Engine& m_engine;
    double m_spare = 0;
    bool m_has_spare = false;
};

/// The std initialize() uses for a layer with n_in inputs and n_out outputs: `stddev` for
/// normal, 1/sqrt(n_in) for xavier, sqrt(2/n_in) for he, and for glorot_uniform the limit
/// l = sqrt(6/(n_in + n_out)) of its U(-l, l).
inline double init_std(init_kind kind, std::size_t n_in, double stddev, std::size_t n_out = 0)
{
    switch (kind)
    {
    case init_kind::glorot_uniform:
        return std::sqrt(6.0 / static_cast<double>(n_in + n_out));
    case init_kind::normal:
        return stddev;
    case init_kind::xavier:
        return 1.0 / std::sqrt(static_cast<double>(n_in));
    case init_kind::he:
        return std::sqrt(2.0 / static_cast<double>(n_in));
    }
    throw error("xtnn::init_std: invalid init_kind value " +
                std::to_string(static_cast<int>(kind)));
}

/// Sets one parameter as its options say: init_as::weights draws from N(0, init_std²) — or
/// U(-l, l) for glorot_uniform, one draw per value — in row-major order, with n_in, n_out
/// its shape's (in, out) (a rank-1 array counts as (size, 1)); zeros and ones fill. `stddev`
/// is used only by init_kind::normal.
template <class T, class Engine>
void initialize(const parameter_ref<T>& p, Engine& engine, init_kind kind, double stddev = 0.01)
{
    if (p.options->init == init_as::zeros || p.options->init == init_as::ones)
    {
        std::fill(p.data, p.data + p.size(), p.options->init == init_as::ones ? T(1) : T(0));
        return;
    }
    const std::size_t n_in = p.shape.rank > 0 ? p.shape[0] : 1;
    const std::size_t n_out = p.shape.rank > 1 ? p.size() / n_in : 1;
    const double scale = init_std(kind, n_in, stddev, n_out);
    if (kind == init_kind::glorot_uniform)
    {
        for (std::size_t i = 0; i < p.size(); ++i)
        {
            p.data[i] = static_cast<T>(scale * (2 * detail::unit_uniform(engine) - 1));  // U(-l, l)
        }
    }
    else
    {
        normal_sampler<Engine> normal(engine);
        for (std::size_t i = 0; i < p.size(); ++i)
        {
            p.data[i] = static_cast<T>(scale * normal());  // N(0, scale²)
        }
    }
}

/// Initialises every parameter of `net`, first layer to last and in each layer's order, from
/// `engine`: same engine state, same values bit for bit. Each parameter starts a fresh
/// Box–Muller pair, so one with an odd number of values discards a sample. `stddev` is used
/// only by init_kind::normal; it is not deduced, so `initialize(net, engine,
/// init_kind::normal, 0.01)` works for float networks.
template <class T, class Engine>
void initialize(network<T>& net, Engine& engine, init_kind kind,
                typename std::common_type<T>::type stddev = T(0.01))
{
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        auto& layer = net.mutable_layer(l);
        for (std::size_t i = 0; i < layer.parameter_count(); ++i)
        {
            initialize(layer.parameter(i), engine, kind, static_cast<double>(stddev));
        }
    }
}
}  // namespace xtnn
