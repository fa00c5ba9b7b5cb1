// SPDX-License-Identifier: MIT
// A network's trainable parameters as a registry: one entry per array, named by its layer
// ("dense_1/kernel"), with its values in the network, a gradient buffer of the same shape and
// its options (trainable, weight-decay and learning-rate multipliers). The training pass
// writes the gradients, the optimizer reads them; neither knows what kind of layer an array
// belongs to.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn
{
template <class T = float>
class parameters
{
public:
    /// Every parameter of every layer of `net`, in layer order, with zero gradients. Holds a
    /// reference to `net`: the network must outlive the registry.
    explicit parameters(network<T>& net)
      : m_net(&net)
    {
        for (std::size_t l = 0; l < net.size(); ++l)
        {
            m_layer_first.push_back(m_entries.size());
            const auto& layer = net.layer(l);
            for (std::size_t p = 0; p < layer.parameter_count(); ++p)
            {
                const auto ref = layer.parameter(p);
                m_entries.push_back({net.name(l) + "/" + std::string(ref.name), l, p, ref.shape});
                m_gradients.emplace_back(ref.size(), T(0));
            }
        }
        m_layer_first.push_back(m_entries.size());
        point_at_gradients();
    }

    parameters(const parameters& other)
      : m_net(other.m_net)
      , m_entries(other.m_entries)
      , m_gradients(other.m_gradients)
      , m_layer_first(other.m_layer_first)
    {
        point_at_gradients();
    }
    parameters& operator=(const parameters& other)
    {
        parameters copy(other);
        *this = std::move(copy);
        return *this;
    }
    parameters(parameters&&) noexcept = default;  // moving keeps the buffers, and so the pointers
    parameters& operator=(parameters&&) noexcept = default;

    /// The number of parameter arrays.
    std::size_t size() const { return m_entries.size(); }
    /// "dense_1/kernel": the layer's name, then the array's.
    const std::string& name(std::size_t i) const { return m_entries.at(i).name; }
    /// The index of the layer that holds parameter i.
    std::size_t layer(std::size_t i) const { return m_entries.at(i).layer; }
    const array_shape& shape(std::size_t i) const { return m_entries.at(i).shape; }
    /// The index of the parameter named `name`, or size() when there is none.
    std::size_t find(const std::string& name) const
    {
        for (std::size_t i = 0; i < m_entries.size(); ++i)
        {
            if (m_entries[i].name == name)
            {
                return i;
            }
        }
        return size();
    }

    /// Parameter i's values and options as the network holds them now.
    /// @throws shape_error when the array no longer has the shape the registry was made for.
    parameter_ref<T> values(std::size_t i)
    {
        const entry& e = m_entries.at(i);
        check_structure();
        const parameter_ref<T> ref = m_net->mutable_layer(e.layer).parameter(e.index);
        if (ref.shape != e.shape)
        {
            throw shape_error("xtnn::parameters: " + e.name + " has shape " +
                              shape_string(ref.shape) + " but the registry was made for " +
                              shape_string(e.shape) + "; make a new one for the changed network");
        }
        return ref;
    }

    /// dL/dp of parameter i, shaped like it (size(i) values).
    T* gradient(std::size_t i) { return m_gradients.at(i).data(); }
    const T* gradient(std::size_t i) const { return m_gradients.at(i).data(); }
    std::size_t size(std::size_t i) const { return m_gradients.at(i).size(); }

    /// The gradient buffers of layer l's parameters in the layer's order: what its
    /// backward() writes into.
    T* const* layer_gradients(std::size_t l) const
    {
        return m_gradient_data.data() + m_layer_first.at(l);
    }
    /// The first parameter of layer l (parameters of layer l are [first(l), first(l + 1))).
    std::size_t first(std::size_t l) const { return m_layer_first.at(l); }

    network<T>& net() { return *m_net; }
    const network<T>& net() const { return *m_net; }

    /// @throws shape_error when the network has other layers than when the registry was made.
    void check_structure() const
    {
        if (m_net->size() + 1 != m_layer_first.size())
        {
            throw shape_error("xtnn::parameters: the network has " +
                              std::to_string(m_net->size()) + " layers; the registry was made "
                              "for " + std::to_string(m_layer_first.size() - 1));
        }
    }

private:
    void point_at_gradients()
    {
        m_gradient_data.clear();
        for (auto& gradient : m_gradients)
        {
            m_gradient_data.push_back(gradient.data());
        }
    }

    struct entry
    {
        std::string name;
        std::size_t layer, index;
        array_shape shape;
    };

    network<T>* m_net;
    std::vector<entry> m_entries;
    std::vector<std::vector<T>> m_gradients;
    std::vector<T*> m_gradient_data;       // m_gradients[i].data(), for layer_gradients
    std::vector<std::size_t> m_layer_first;  // size() + 1 entries
};
}  // namespace xtnn
