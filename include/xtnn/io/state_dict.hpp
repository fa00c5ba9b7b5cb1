// SPDX-License-Identifier: MIT
// PyTorch's named tensors (a state_dict, from torch.hpp or a safetensors file) mapped onto a
// network whose layers the caller gives: a state_dict holds no activations, and so no
// architecture. Tensor names are "<module>.<parameter>": an nn.Sequential's modules are
// numbered ("0.weight", "1.running_mean"), a module's own are named ("fc1.weight",
// "encoder.0.bias"). Each module is recognised by its tensors — Linear (weight (out, in),
// bias), BatchNorm1d (weight, bias, running_mean, running_var, num_batches_tracked, which is
// ignored) and LayerNorm (weight, bias) — and the layers with arrays take, in order, the
// modules of their kind in the state_dict's order (the order the modules were created in):
// the k-th dense layer the k-th Linear, the k-th batch_norm the k-th BatchNorm1d. So a model
// whose BatchNorm modules are created after all its Linear ones still maps.
// Linear.weight is (out, in) and xtnn's kernel (in, out): it is transposed here, at the IO
// boundary, and nowhere in the math. Every shape is checked before any layer changes, and the
// first mismatch is named (layer, tensor, both shapes); a tensor no layer takes, or a layer no
// tensor fills, is refused by name.
//
// BatchNorm1d's eps and momentum are not in a state_dict: xtnn's batch_norm defaults are
// PyTorch's (epsilon 1e-5; momentum 0.9 in Keras's convention, the weight of the old running
// value, which is PyTorch's momentum=0.1). A model built with other values says so in its
// layer list: batch_norm:epsilon=0.001.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/registry.hpp>

namespace xtnn::io
{
namespace detail
{
/// The PyTorch module kinds xtnn's layers correspond to.
enum class torch_module_kind
{
    linear,
    batch_norm,
    layer_norm
};

inline const char* torch_module_name(torch_module_kind kind)
{
    switch (kind)
    {
    case torch_module_kind::linear:
        return "Linear";
    case torch_module_kind::batch_norm:
        return "BatchNorm1d";
    case torch_module_kind::layer_norm:
        return "LayerNorm";
    }
    return "?";
}

/// One module of a state_dict: its name ("fc1", "0", "" for a bare module) and tensors.
struct torch_module
{
    std::string prefix;
    torch_module_kind kind = torch_module_kind::linear;
    std::vector<std::pair<std::string, const ndarray*>> tensors;  // (parameter, tensor)

    const ndarray* find(std::string_view leaf) const
    {
        for (const auto& [name, array] : tensors)
        {
            if (name == leaf)
            {
                return array;
            }
        }
        return nullptr;
    }
    std::string key(std::string_view leaf) const
    {
        return prefix.empty() ? std::string(leaf) : prefix + "." + std::string(leaf);
    }
    std::string label() const { return prefix.empty() ? std::string("(top level)") : "'" + prefix + "'"; }
};

/// The layer kind whose arrays a module fills, or nullptr for a layer without a counterpart.
inline bool torch_kind_of_layer(std::string_view kind, torch_module_kind& out)
{
    if (kind == "dense")
        out = torch_module_kind::linear;
    else if (kind == "batch_norm")
        out = torch_module_kind::batch_norm;
    else if (kind == "layer_norm")
        out = torch_module_kind::layer_norm;
    else
        return false;
    return true;
}

/// The modules of a state_dict in order of first appearance, each recognised by its tensors.
/// @throws format_error naming a module that is none of Linear, BatchNorm1d, LayerNorm, or a
/// tensor such a module does not have.
inline std::vector<torch_module> torch_modules(const named_arrays& tensors, const std::string& where)
{
    std::vector<torch_module> modules;
    for (const auto& [key, array] : tensors)
    {
        const std::size_t dot = key.rfind('.');
        const std::string prefix = dot == std::string::npos ? std::string() : key.substr(0, dot);
        const std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
        torch_module* module = nullptr;
        for (auto& m : modules)
        {
            if (m.prefix == prefix)
            {
                module = &m;
            }
        }
        if (!module)
        {
            modules.push_back({prefix, torch_module_kind::linear, {}});
            module = &modules.back();
        }
        module->tensors.emplace_back(leaf, &array);
    }
    for (auto& m : modules)
    {
        const ndarray* weight = m.find("weight");
        std::vector<std::string_view> allowed;
        if (m.find("running_mean") || m.find("running_var"))
        {
            m.kind = torch_module_kind::batch_norm;
            allowed = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"};
        }
        else if (weight && weight->shape.size() == 2)
        {
            m.kind = torch_module_kind::linear;
            allowed = {"weight", "bias"};
        }
        else if (weight && weight->shape.size() == 1)
        {
            m.kind = torch_module_kind::layer_norm;
            allowed = {"weight", "bias"};
        }
        else
        {
            std::string listed;
            for (const auto& [leaf, array] : m.tensors)
            {
                listed += (listed.empty() ? "" : ", ") + m.key(leaf) + " " + shape_string(array->shape);
            }
            throw format_error(where + ": module " + m.label() + " (" + listed +
                               ") is not a Linear, BatchNorm1d or LayerNorm, the modules xtnn "
                               "maps to layers");
        }
        for (const auto& [leaf, array] : m.tensors)
        {
            bool known = false;
            for (std::string_view a : allowed)
            {
                known = known || leaf == a;
            }
            if (!known)
            {
                throw format_error(where + ": tensor '" + m.key(leaf) + "' is not one of a " +
                                   torch_module_name(m.kind) + " module's tensors");
            }
        }
    }
    return modules;
}

/// Which module fills each layer with arrays (index into modules, or none).
inline constexpr std::size_t no_module = static_cast<std::size_t>(-1);

template <class Layers>
std::vector<std::size_t> assign_modules(const Layers& layer_kinds,
                                        const std::vector<torch_module>& modules,
                                        const std::string& where)
{
    std::vector<std::size_t> assigned(layer_kinds.size(), no_module);
    std::vector<bool> used(modules.size(), false);
    for (std::size_t i = 0; i < layer_kinds.size(); ++i)
    {
        const auto& [kind, name, has_arrays] = layer_kinds[i];
        if (!has_arrays)
        {
            continue;
        }
        torch_module_kind wanted{};
        if (!torch_kind_of_layer(kind, wanted))
        {
            throw format_error(where + ": layer " + std::to_string(i + 1) + " (" + name +
                               ") of kind '" + kind +
                               "' has arrays but no PyTorch counterpart; the layers a state_dict "
                               "fills are dense (Linear), batch_norm (BatchNorm1d) and layer_norm "
                               "(LayerNorm)");
        }
        for (std::size_t m = 0; m < modules.size() && assigned[i] == no_module; ++m)
        {
            if (!used[m] && modules[m].kind == wanted)
            {
                assigned[i] = m;
                used[m] = true;
            }
        }
        if (assigned[i] == no_module)
        {
            std::string of_kind;
            for (const auto& m : modules)
            {
                if (m.kind == wanted)
                {
                    of_kind += (of_kind.empty() ? "" : ", ") + m.label();
                }
            }
            throw format_error(where + ": layer " + std::to_string(i + 1) + " (" + name +
                               ") has no " + torch_module_name(wanted) +
                               " module left in the state_dict (its " + torch_module_name(wanted) +
                               " modules: " + (of_kind.empty() ? std::string("none") : of_kind) +
                               ", taken by the layers before)");
        }
    }
    for (std::size_t m = 0; m < modules.size(); ++m)
    {
        if (!used[m])
        {
            std::string keys;
            for (const auto& [leaf, array] : modules[m].tensors)
            {
                keys += (keys.empty() ? "" : ", ") + modules[m].key(leaf);
            }
            throw format_error(where + ": tensors " + keys + " (a " +
                               torch_module_name(modules[m].kind) +
                               " module) match no layer: the layers have fewer of that kind than "
                               "the state_dict");
        }
    }
    return assigned;
}

/// The PyTorch tensor that fills array `array_name` of a layer, and how.
struct torch_fill
{
    const ndarray* tensor = nullptr;  // nullptr: the constant below
    bool transpose = false;
    double constant = 0;
};
}  // namespace detail

namespace detail
{
/// assign_modules for the layers of `net`: each layer's kind, name and whether it holds arrays.
template <class T>
std::vector<std::size_t> assign_layers(const network<T>& net, const std::vector<torch_module>& modules,
                                       const std::string& where)
{
    std::vector<std::tuple<std::string, std::string, bool>> kinds;
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const auto& layer = net.layer(i);
        kinds.emplace_back(std::string(layer.kind()), net.name(i),
                           layer.parameter_count() + layer.state_count() > 0);
    }
    return assign_modules(kinds, modules, where);
}
}  // namespace detail

/// Copies a state_dict's tensors into the layers of `net` (see the header comment for the
/// mapping), converting to T. `source` names the tensors' origin in messages (a quoted path).
/// Nothing changes unless every tensor fits.
/// @throws shape_error naming the layer, the tensor and both shapes for the first that does
/// not fit; format_error for a module xtnn does not map, a layer that no module fills, a
/// module that no layer takes, a bias that one side has and the other lacks.
template <class T>
void load_state_dict(network<T>& net, const named_arrays& tensors, const std::string& source)
{
    const std::string where = "xtnn::io::load_state_dict: " + source;
    const std::vector<detail::torch_module> modules = detail::torch_modules(tensors, where);
    const std::vector<std::size_t> assigned = detail::assign_layers(net, modules, where);

    // Plan every array's source, checking shapes; then fill.
    std::vector<std::vector<detail::torch_fill>> plans(net.size());
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        if (assigned[i] == detail::no_module)
        {
            continue;
        }
        const auto& layer = net.layer(i);
        const detail::torch_module& m = modules[assigned[i]];
        const std::string at = where + ": layer " + std::to_string(i + 1) + " (" + net.name(i) + ")";
        const std::size_t in = net.widths()[i];
        const std::size_t out = net.width(i);
        const auto require = [&](std::string_view leaf, std::vector<std::size_t> shape,
                                 const char* note) -> const ndarray*
        {
            const ndarray* t = m.find(leaf);
            if (t && t->shape != shape)
            {
                throw shape_error(at + ": tensor '" + m.key(leaf) + "' has shape " +
                                  shape_string(t->shape) + "; the layer expects " +
                                  shape_string(shape) + note);
            }
            return t;
        };
        auto& plan = plans[i];
        if (layer.kind() == "dense")
        {
            const bool use_bias = layer.parameter_count() == 2;
            const ndarray* w = require("weight", {out, in}, " (Linear.weight is (out, in))");
            const ndarray* b = require("bias", {out}, "");
            if (!w)
            {
                throw format_error(at + ": module " + m.label() + " has no tensor '" +
                                   m.key("weight") + "'");
            }
            if (use_bias != (b != nullptr))
            {
                throw format_error(at + (use_bias ? ": the layer has a bias and module " + m.label() +
                                                        " has no '" + m.key("bias") +
                                                        "' (for Linear(bias=False) say "
                                                        "dense:N:use_bias=false)"
                                                  : ": the layer has no bias and module " +
                                                        m.label() + " has '" + m.key("bias") + "'"));
            }
            plan.push_back({w, true, 0});
            if (b)
            {
                plan.push_back({b, false, 0});
            }
        }
        else if (layer.kind() == "batch_norm")
        {
            const ndarray* gamma = require("weight", {in}, "");
            const ndarray* beta = require("bias", {in}, "");
            const ndarray* mean = require("running_mean", {in}, "");
            const ndarray* var = require("running_var", {in}, "");
            if (!mean || !var || (gamma == nullptr) != (beta == nullptr))
            {
                throw format_error(at + ": BatchNorm1d module " + m.label() +
                                   " needs running_mean and running_var, and weight and bias "
                                   "both or neither (affine=False)");
            }
            plan.push_back({gamma, false, 1.0});  // affine=False: gamma 1, beta 0
            plan.push_back({beta, false, 0.0});
            plan.push_back({mean, false, 0});
            plan.push_back({var, false, 0});
        }
        else  // layer_norm
        {
            const ndarray* gamma = require("weight", {in}, "");
            const ndarray* beta = require("bias", {in}, "");
            plan.push_back({gamma, false, 1.0});
            plan.push_back({beta, false, 0.0});  // LayerNorm(bias=False): beta 0
        }
        if (plan.size() != layer.parameter_count() + layer.state_count())
        {
            throw format_error(at + ": the layer has " +
                               std::to_string(layer.parameter_count() + layer.state_count()) +
                               " arrays; a " + detail::torch_module_name(m.kind) + " fills " +
                               std::to_string(plan.size()));
        }
    }
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        auto& layer = net.mutable_layer(i);
        for (std::size_t a = 0; a < plans[i].size(); ++a)
        {
            const detail::torch_fill& fill = plans[i][a];
            const bool is_parameter = a < layer.parameter_count();
            T* data = is_parameter ? layer.parameter(a).data
                                   : layer.state(a - layer.parameter_count()).data;
            const std::size_t count = is_parameter ? layer.parameter(a).size()
                                                   : layer.state(a - layer.parameter_count()).size();
            if (!fill.tensor)
            {
                std::fill(data, data + count, static_cast<T>(fill.constant));
                continue;
            }
            const xt::xarray<T> values = fill.tensor->template as<T>();
            if (fill.transpose)  // (out, in) -> (in, out)
            {
                const std::size_t rows = fill.tensor->shape[0], cols = fill.tensor->shape[1];
                for (std::size_t r = 0; r < rows; ++r)
                {
                    for (std::size_t c = 0; c < cols; ++c)
                    {
                        data[c * rows + r] = values.data()[r * cols + c];
                    }
                }
            }
            else
            {
                std::copy(values.begin(), values.end(), data);
            }
        }
    }
}

/// Which state_dict module fills each layer of `net` that has arrays, in layer order: (layer
/// name, module name), e.g. ("dense_1", "fc1"), ("batch_norm_1", "bn1"); a bare module's
/// name is "". For a program to show how the tensors were mapped.
/// @throws format_error as load_state_dict, for modules or layers that do not map.
template <class T>
std::vector<std::pair<std::string, std::string>>
state_dict_mapping(const network<T>& net, const named_arrays& tensors, const std::string& source)
{
    const std::string where = "xtnn::io::load_state_dict: " + source;
    const std::vector<detail::torch_module> modules = detail::torch_modules(tensors, where);
    const std::vector<std::size_t> assigned = detail::assign_layers(net, modules, where);
    std::vector<std::pair<std::string, std::string>> mapping;
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        if (assigned[i] != detail::no_module)
        {
            mapping.emplace_back(net.name(i), modules[assigned[i]].prefix);
        }
    }
    return mapping;
}

/// A network of `layers` (unbuilt, as parse_list gives them) filled from a state_dict. The
/// input width is `inputs`, or, when 0, the first mapped module's (Linear.weight's columns,
/// a norm's features) when the layers before it keep their width.
/// @throws format_error when the input width cannot be found; as load_state_dict.
template <class T>
network<T> state_dict_network(const named_arrays& tensors, std::vector<any_layer<T>> layers,
                              const std::string& source, std::size_t inputs = 0)
{
    const std::string where = "xtnn::io::load_state_dict: " + source;
    if (inputs == 0)
    {
        for (const auto& layer : layers)
        {
            if (layer.input_width() != 0)
            {
                inputs = layer.input_width();
                break;
            }
            detail::torch_module_kind kind{};
            if (!detail::torch_kind_of_layer(layer.kind(), kind))
            {
                continue;  // an activation, dropout, rescale: any width
            }
            for (const auto& m : detail::torch_modules(tensors, where))
            {
                if (m.kind == kind)
                {
                    const ndarray* t = m.find(kind == detail::torch_module_kind::batch_norm
                                                  ? "running_mean"
                                                  : "weight");
                    if (t && !t->shape.empty())
                    {
                        inputs = t->shape.back();
                    }
                    break;
                }
            }
            break;
        }
        if (inputs == 0)
        {
            throw format_error(where + ": cannot tell the input width from the tensors; give "
                                       "it (the layers start with no dense, batch_norm or "
                                       "layer_norm matched by a module)");
        }
    }
    network<T> net(inputs, std::move(layers));
    load_state_dict(net, tensors, source);
    return net;
}

/// As above, with the layers as a layer list ("dense:128,batch_norm,relu,dense:10").
/// @throws xtnn::error naming a bad item; as above.
template <class T>
network<T> state_dict_network(const named_arrays& tensors, std::string_view layers,
                              const std::string& source, std::size_t inputs = 0)
{
    return state_dict_network<T>(tensors, layer_registry<T>::global().parse_list(layers), source,
                                 inputs);
}
}  // namespace xtnn::io
