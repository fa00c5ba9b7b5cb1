// SPDX-License-Identifier: MIT
// any_layer<T>: one layer of any type that meets the contract (layer.hpp), held by value, as
// the runtime network stores its sequence. It copies like a value (a copy clones the layer);
// get_if<L>() gives the concrete layer back. A built-in layer of another value type converts
// (dense<float> into any_layer<double>).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>

namespace xtnn
{
namespace detail
{
/// Tmpl<T> for a layer Tmpl<U>: how a layer of one value type becomes one of another.
template <class L, class T>
struct rebind_layer
{
    using type = void;
};
template <template <class> class Tmpl, class U, class T>
struct rebind_layer<Tmpl<U>, T>
{
    using type = Tmpl<T>;
};

/// Types that mean to be layers (they name a kind); check_layer() then says what they lack.
template <class L>
inline constexpr bool names_a_kind = has_kind<std::decay_t<L>>::value;
}  // namespace detail

template <class T = float>
class any_layer
{
public:
    using value_type = T;

    /// Holds `layer`. A layer of another value type is converted through its converting
    /// constructor (every built-in layer has one).
    template <class L, std::enable_if_t<detail::names_a_kind<L> &&
                                            !std::is_same_v<std::decay_t<L>, any_layer>,
                                        int> = 0>
    any_layer(L layer)  // NOLINT: implicit, so that network{dense(784, 10), softmax()} reads well
    {
        static_assert(check_layer<L>());
        if constexpr (std::is_same_v<typename L::value_type, T>)
        {
            m_self = std::make_unique<model<L>>(std::move(layer));
        }
        else
        {
            using converted = typename detail::rebind_layer<L, T>::type;
            static_assert(!std::is_void_v<converted> &&
                              std::is_constructible_v<converted, const L&>,
                          "xtnn::any_layer: the layer's value_type is not the network's, and it "
                          "has no converting constructor; make it with the network's value type");
            m_self = std::make_unique<model<converted>>(converted(layer));
        }
    }

    any_layer(const any_layer& other)
      : m_self(other.m_self->clone())
    {
    }
    any_layer(any_layer&&) noexcept = default;
    any_layer& operator=(const any_layer& other)
    {
        if (this != &other)
        {
            m_self = other.m_self->clone();
        }
        return *this;
    }
    any_layer& operator=(any_layer&&) noexcept = default;
    ~any_layer() = default;

    std::string_view kind() const { return m_self->kind(); }
    layer_config config() const { return m_self->config(); }
    std::size_t input_width() const { return m_self->input_width(); }
    std::size_t output_width(std::size_t in) const { return m_self->output_width(in); }
    std::size_t build(std::size_t in) { return m_self->build(in); }

    std::size_t parameter_count() const { return m_self->parameter_count(); }
    parameter_ref<T> parameter(std::size_t i) { return m_self->parameter(i); }
    parameter_ref<const T> parameter(std::size_t i) const
    {
        // The contract's parameter() is non-const; reading through it changes nothing.
        const parameter_ref<T> p = const_cast<interface&>(*m_self).parameter(i);
        parameter_ref<const T> result;
        result.name = p.name;
        result.data = p.data;
        result.shape = p.shape;
        result.options = p.options;
        return result;
    }
    std::size_t state_count() const { return m_self->state_count(); }
    array_ref<T> state(std::size_t i) { return m_self->state(i); }
    array_ref<const T> state(std::size_t i) const
    {
        const array_ref<T> s = const_cast<interface&>(*m_self).state(i);
        return {s.name, s.data, s.shape};
    }
    std::size_t array_values(std::size_t in) const { return m_self->array_values(in); }
    std::size_t cache_size(std::size_t rows, std::size_t in) const
    {
        return m_self->cache_size(rows, in);
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const { m_self->forward(x, y); }
    void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache, training_context& context)
    {
        m_self->forward_train(x, y, cache, context);
    }
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T* cache,
                  rows_ref<const T> grad_y, rows_ref<T> grad_x, T* const* grads) const
    {
        m_self->backward(x, y, cache, grad_y, grad_x, grads);
    }

    /// The layer as an L, or nullptr when it is another type.
    template <class L>
    L* get_if()
    {
        auto* held = dynamic_cast<model<L>*>(m_self.get());
        return held ? &held->layer : nullptr;
    }
    template <class L>
    const L* get_if() const
    {
        const auto* held = dynamic_cast<const model<L>*>(m_self.get());
        return held ? &held->layer : nullptr;
    }
    /// The layer as an L. @throws xtnn::error naming the kind it holds.
    template <class L>
    L& get()
    {
        return *checked(get_if<L>());
    }
    template <class L>
    const L& get() const
    {
        return *checked(get_if<L>());
    }

private:
    struct interface
    {
        virtual ~interface() = default;
        virtual std::unique_ptr<interface> clone() const = 0;
        virtual std::string_view kind() const = 0;
        virtual layer_config config() const = 0;
        virtual std::size_t input_width() const = 0;
        virtual std::size_t output_width(std::size_t in) const = 0;
        virtual std::size_t build(std::size_t in) = 0;
        virtual std::size_t parameter_count() const = 0;
        virtual parameter_ref<T> parameter(std::size_t i) = 0;
        virtual std::size_t state_count() const = 0;
        virtual array_ref<T> state(std::size_t i) = 0;
        virtual std::size_t array_values(std::size_t in) const = 0;
        virtual std::size_t cache_size(std::size_t rows, std::size_t in) const = 0;
        virtual void forward(rows_ref<const T> x, rows_ref<T> y) const = 0;
        virtual void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache,
                                   training_context& context) = 0;
        virtual void backward(rows_ref<const T> x, rows_ref<const T> y, const T* cache,
                              rows_ref<const T> grad_y, rows_ref<T> grad_x,
                              T* const* grads) const = 0;
    };

    template <class L>
    struct model final : interface
    {
        using traits = layer_traits<L>;
        explicit model(L held)
          : layer(std::move(held))
        {
        }
        std::unique_ptr<interface> clone() const override { return std::make_unique<model>(layer); }
        std::string_view kind() const override { return L::kind; }
        layer_config config() const override { return traits::config(layer); }
        std::size_t input_width() const override { return traits::input_width(layer); }
        std::size_t output_width(std::size_t in) const override
        {
            return traits::output_width(layer, in);
        }
        std::size_t build(std::size_t in) override { return traits::build(layer, in); }
        std::size_t parameter_count() const override { return traits::parameter_count(layer); }
        parameter_ref<T> parameter(std::size_t i) override { return traits::parameter(layer, i); }
        std::size_t state_count() const override { return traits::state_count(layer); }
        array_ref<T> state(std::size_t i) override { return traits::state(layer, i); }
        std::size_t array_values(std::size_t in) const override
        {
            return traits::array_values(layer, in);
        }
        std::size_t cache_size(std::size_t rows, std::size_t in) const override
        {
            return traits::cache_size(layer, rows, in);
        }
        void forward(rows_ref<const T> x, rows_ref<T> y) const override { layer.forward(x, y); }
        void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache,
                           training_context& context) override
        {
            traits::forward_train(layer, x, y, cache, context);
        }
        void backward(rows_ref<const T> x, rows_ref<const T> y, const T* cache,
                      rows_ref<const T> grad_y, rows_ref<T> grad_x, T* const* grads) const override
        {
            layer.backward(x, y, cache, grad_y, grad_x, grads);
        }

        L layer;
    };

    template <class P>
    P* checked(P* layer) const
    {
        if (!layer)
        {
            throw error("xtnn::any_layer::get: the layer is a " + std::string(kind()) +
                        ", not the type asked for");
        }
        return layer;
    }

    std::unique_ptr<interface> m_self;
};
}  // namespace xtnn
