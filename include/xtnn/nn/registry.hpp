// SPDX-License-Identifier: MIT
// Layers by name: a registry from a layer's kind to a factory that builds it from its
// configuration (model files and --layers items use it), holding xtnn's layers from the start;
// register_layer<L>() adds one written outside xtnn. And the layer-list syntax every program
// takes, "dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax": a kind, then its settings
// after colons, positional ("leaky_relu:0.1") or named ("batch_norm:momentum=0.99").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <locale>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>

namespace xtnn
{
/// Builds a layer of one kind from its configuration.
template <class T>
using layer_factory = std::function<any_layer<T>(const layer_config&)>;

/// The kinds of layer a program can name, for value type T.
template <class T = float>
class layer_registry
{
public:
    /// The registry programs use, holding xtnn's layers (and those registered since).
    static layer_registry& global()
    {
        static layer_registry registry = with_builtins();
        return registry;
    }

    /// Registers `kind`: `positional` names the settings an item gives without names, in
    /// order ("dense:256" is units = 256). Replaces an earlier registration of the kind.
    void add(const std::string& kind, layer_factory<T> factory,
             std::vector<std::string> positional = {})
    {
        m_entries[kind] = {std::move(factory), std::move(positional)};
    }

    /// Registers layer type L under L::kind, built by L::from_config when it has one, else
    /// default-constructed (then it takes no settings).
    template <class L>
    void add(std::vector<std::string> positional = {})
    {
        static_assert(check_layer<L>());
        add(std::string(L::kind), [](const layer_config& config) -> any_layer<T>
            {
                if constexpr (detail::has_from_config<L>::value)
                {
                    return L::from_config(config);
                }
                else
                {
                    config.allow_only(L::kind, {});
                    return L();
                }
            },
            std::move(positional));
    }

    bool has(std::string_view kind) const { return m_entries.count(std::string(kind)) != 0; }

    /// The registered kinds, sorted.
    std::vector<std::string> kinds() const
    {
        std::vector<std::string> names;
        for (const auto& entry : m_entries)
        {
            names.push_back(entry.first);
        }
        return names;
    }

    /// A layer of `kind` from its configuration.
    /// @throws xtnn::error for an unknown kind (listing the known ones) or a bad setting.
    any_layer<T> make(std::string_view kind, const layer_config& config = {}) const
    {
        return entry(kind, "xtnn::layer_registry::make").factory(config);
    }

    /// One item of a layer list: "relu", "dense:256", "leaky_relu:0.1", "gelu:tanh",
    /// "rescale:0.00392157", "batch_norm:momentum=0.99:epsilon=0.001".
    /// @throws xtnn::error naming the item and what is wrong with it.
    any_layer<T> parse_item(std::string_view item) const
    {
        const std::vector<std::string> parts = split(item, ':');
        const std::string where = "xtnn::parse_layers: '" + std::string(item) + "'";
        const auto& found = entry(parts[0], where.c_str());
        layer_config config;
        for (std::size_t i = 1; i < parts.size(); ++i)
        {
            const std::string& part = parts[i];
            const std::size_t equals = part.find('=');
            std::string key;
            std::string value;
            if (equals != std::string::npos)
            {
                key = part.substr(0, equals);
                value = part.substr(equals + 1);
            }
            else if (i - 1 < found.positional.size())
            {
                key = found.positional[i - 1];
                value = part;
            }
            else
            {
                throw error(where + ": " + parts[0] + " takes " +
                            std::to_string(found.positional.size()) + " setting" +
                            (found.positional.size() == 1 ? "" : "s") + " without a name (" +
                            join(found.positional) + "); got '" + part + "'");
            }
            if (key.empty() || value.empty())
            {
                throw error(where + ": '" + part + "' needs a name and a value, as key=value");
            }
            config.set(key, parse_value(value));
        }
        try
        {
            return found.factory(config);
        }
        catch (const error& e)
        {
            throw error(where + ": " + e.what());
        }
    }

    /// Every item of a comma-separated layer list, in order.
    /// @throws xtnn::error naming the first bad item.
    std::vector<any_layer<T>> parse_list(std::string_view spec) const
    {
        std::vector<any_layer<T>> layers;
        for (const std::string& item : split(spec, ','))
        {
            layers.push_back(parse_item(item));
        }
        return layers;
    }

private:
    struct registered
    {
        layer_factory<T> factory;
        std::vector<std::string> positional;
    };

    static layer_registry with_builtins()
    {
        layer_registry r;
        r.template add<xtnn::dense<T>>({"units", "use_bias"});
        r.template add<xtnn::identity<T>>();
        r.template add<xtnn::sigmoid<T>>();
        r.template add<xtnn::tanh<T>>();
        r.template add<xtnn::relu<T>>();
        r.template add<xtnn::leaky_relu<T>>({"alpha"});
        r.template add<xtnn::elu<T>>({"alpha"});
        r.template add<xtnn::gelu<T>>({"approximate"});
        r.template add<xtnn::silu<T>>();
        r.template add<xtnn::softplus<T>>();
        r.template add<xtnn::softmax<T>>();
        r.template add<xtnn::dropout<T>>({"rate"});
        r.template add<xtnn::batch_norm<T>>({"momentum", "epsilon", "unbiased"});
        r.template add<xtnn::layer_norm<T>>({"epsilon"});
        r.template add<xtnn::rescale<T>>({"scale", "offset"});
        r.template add<xtnn::standardize<T>>({"epsilon"});
        r.add("swish", r.entry("silu", "").factory);  // Keras's other name for SiLU
        return r;
    }

    const registered& entry(std::string_view kind, const char* where) const
    {
        const auto found = m_entries.find(std::string(kind));
        if (found == m_entries.end())
        {
            throw error(std::string(where) + ": unknown layer kind '" + std::string(kind) +
                        "'; known kinds: " + join(kinds()));
        }
        return found->second;
    }

    /// "true"/"false" as a flag, a whole number as one, a real number as one, else a word.
    static config_value parse_value(const std::string& text)
    {
        if (text == "true" || text == "false")
        {
            return text == "true";
        }
        std::istringstream in(text);
        in.imbue(std::locale::classic());
        if (text.find_first_of(".eE") == std::string::npos)
        {
            std::int64_t whole = 0;
            if (in >> whole && in.peek() == std::char_traits<char>::eof())
            {
                return whole;
            }
            in.clear();
            in.seekg(0);
        }
        double real = 0;
        if (in >> real && in.peek() == std::char_traits<char>::eof())
        {
            return real;
        }
        return text;
    }

    static std::vector<std::string> split(std::string_view text, char separator)
    {
        std::vector<std::string> parts;
        std::size_t start = 0;
        while (true)
        {
            const std::size_t end = std::min(text.find(separator, start), text.size());
            std::string part(text.substr(start, end - start));
            // trim spaces, so "dense:256, relu" reads as it looks
            part.erase(0, part.find_first_not_of(' '));
            part.erase(part.find_last_not_of(' ') + 1);
            if (part.empty())
            {
                throw error("xtnn::parse_layers: '" + std::string(text) + "' has an empty item");
            }
            parts.push_back(std::move(part));
            if (end == text.size())
            {
                return parts;
            }
            start = end + 1;
        }
    }

    static std::string join(const std::vector<std::string>& names)
    {
        std::string text;
        for (const auto& name : names)
        {
            text += (text.empty() ? "" : ", ") + name;
        }
        return text.empty() ? "none" : text;
    }

    std::map<std::string, registered> m_entries;
};

/// Registers layer type L (value type L::value_type) in the global registry, so that files
/// and --layers items can name it. L::from_config builds it when present.
template <class L>
void register_layer(std::vector<std::string> positional = {})
{
    layer_registry<typename L::value_type>::global().template add<L>(std::move(positional));
}

/// Registers `kind` with a factory of your own in the global registry of value type T.
template <class T>
void register_layer(const std::string& kind, layer_factory<T> factory,
                    std::vector<std::string> positional = {})
{
    layer_registry<T>::global().add(kind, std::move(factory), std::move(positional));
}

/// One layer from an item of the layer-list syntax ("leaky_relu:0.1").
/// @throws xtnn::error naming the item.
template <class T = float>
any_layer<T> make_layer(std::string_view item)
{
    return layer_registry<T>::global().parse_item(item);
}

/// A network of `inputs` columns through the layers of a comma-separated list, e.g.
/// parse_network<float>("dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax", 784).
/// @throws xtnn::error naming the bad item (and listing the known kinds for an unknown one);
/// shape_error when widths do not chain.
template <class T = float>
network<T> parse_network(std::string_view spec, std::size_t inputs)
{
    return network<T>(inputs, layer_registry<T>::global().parse_list(spec));
}
}  // namespace xtnn
