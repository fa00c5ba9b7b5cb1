// SPDX-License-Identifier: MIT
// Where the Keras reader finds a layer's weights: Keras 2's weight groups (layer_names,
// weight_names, chunked attributes) or Keras 3's layers/<class>[_k]/vars/<i>, and a .keras
// archive's members; and the checks every weight passes (count, names, float type, shape)
// before it becomes an xtnn array. Part of xtnn::keras (xtnn/io/keras.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/hdf5.hpp>
#include <xtnn/detail/keras_config.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::io::detail::keras
{
using xtnn::detail::hdf5::array;

/// The weights of one Keras layer, in the order Keras lists them, with their names
/// ("kernel", "moving_mean"; "0", "1" in a Keras 3 file, which stores them by index).
struct layer_weights
{
    std::vector<std::string> names;
    std::vector<array> arrays;
};

/// Checks that `weights` are the `expected` ones: same count, and where the file names them
/// ("dense/kernel:0", "sequential/dense/kernel") the same names.
inline void expect_weights(const context& ctx, const layer_entry& layer, const layer_weights& weights,
                           const std::vector<std::string>& expected)
{
    std::string list;
    for (const auto& e : expected)
    {
        list += (list.empty() ? "" : ", ") + e;
    }
    if (weights.arrays.size() != expected.size())
    {
        ctx.fail(layer, "has " + std::to_string(weights.arrays.size()) + " weight(s); expected " +
                            std::to_string(expected.size()) + (list.empty() ? "" : " (" + list + ")"));
    }
    for (std::size_t i = 0; i < expected.size(); ++i)
    {
        std::string name = weights.names[i];
        const auto slash = name.rfind('/');
        name = slash == std::string::npos ? name : name.substr(slash + 1);
        name = name.substr(0, name.find(':'));
        const bool by_index = name == std::to_string(i);
        if (!by_index && name != expected[i])
        {
            ctx.fail(layer, "weight " + std::to_string(i) + " is '" + weights.names[i] +
                                "'; expected '" + expected[i] + "' (" + list + ")");
        }
    }
}

/// Checks `a`'s shape and returns it as an xtnn vector or matrix.
inline void need_float(const context& ctx, const layer_entry& layer, const std::string& what,
                       const array& a)
{
    if (a.integer)
    {
        ctx.fail(layer, what + " has " + a.type + " values; expected float16, float32 or float64");
    }
}

template <class T>
vector<T> as_vector(const context& ctx, const layer_entry& layer, const std::string& what,
                    const array& a, std::size_t n)
{
    need_float(ctx, layer, what, a);
    if (a.shape != std::vector<std::size_t>{n})
    {
        ctx.fail(layer, what + " has shape " + shape_text(a.shape) + "; expected (" +
                            std::to_string(n) + ",)");
    }
    vector<T> v = xt::zeros<T>({n});
    for (std::size_t i = 0; i < n; ++i)
    {
        v(i) = static_cast<T>(a.values[i]);
    }
    return v;
}

template <class T>
matrix<T> as_matrix(const context& ctx, const layer_entry& layer, const std::string& what,
                    const array& a, std::size_t rows, std::size_t cols)
{
    need_float(ctx, layer, what, a);
    if (a.shape != std::vector<std::size_t>{rows, cols})
    {
        ctx.fail(layer, what + " has shape " + shape_text(a.shape) + "; expected (" +
                            std::to_string(rows) + ", " + std::to_string(cols) + ")");
    }
    matrix<T> m = xt::zeros<T>({rows, cols});
    std::copy(a.values.begin(), a.values.end(), m.begin());
    return m;
}

/// Where a layer's weights come from: a Keras 2 weight group, or a Keras 3 vars group.
class weight_store
{
public:
    /// Keras 2 / tf.keras: `root` is "model_weights" (model.save) or "" (save_weights); each
    /// layer is a group named after it, with a weight_names attribute naming its datasets.
    static weight_store legacy(const xtnn::detail::hdf5::file& file, std::string root)
    {
        weight_store s(file);
        s.m_legacy = true;
        s.m_root = std::move(root);
        return s;
    }
    /// Keras 3 (and tf.keras 2.13+ "v3"): layers/<snake_case class>[_k]/vars/0, 1, ...
    static weight_store by_class(const xtnn::detail::hdf5::file& file)
    {
        weight_store s(file);
        s.m_root = file.exists("layers") ? "layers"
                   : file.exists("_layer_checkpoint_dependencies") ? "_layer_checkpoint_dependencies"
                                                                   : "layers";
        return s;
    }

    bool legacy() const { return m_legacy; }
    /// Keras 3: the group the last get() read, "dense_1".
    const std::string& last_key() const { return m_last_key; }

    /// Keras 2's layer_names attribute: in model order, chunked into layer_names0, 1, ...
    /// when long (save_attributes_to_hdf5_group).
    std::vector<std::string> layer_names() const { return chunked(m_root, "layer_names"); }

    /// The weights of the layer named `name` of class `class_name`. Keras 3 addresses layers
    /// by class and position, so every layer must be asked for in model order.
    layer_weights get(const std::string& name, const std::string& class_name)
    {
        layer_weights out;
        if (m_legacy)
        {
            const std::string group = join(m_root, name);
            m_used.insert(name);
            if (!m_file.is_group(group))
            {
                m_file.fail(group, "missing group: layer '" + name + "' has no weights group");
            }
            for (const auto& weight : chunked(group, "weight_names"))
            {
                out.names.push_back(weight);
                out.arrays.push_back(m_file.read(join(group, weight), true));
            }
            return out;
        }
        std::string key = snake_case(class_name);
        const std::size_t seen = m_seen[key]++;
        if (seen)
        {
            key += "_" + std::to_string(seen);
        }
        m_last_key = key;
        const std::string vars = m_root + "/" + key + "/vars";
        m_used.insert(key);
        if (!m_file.is_group(vars))
        {
            return out;  // a layer without variables may have no group at all
        }
        const auto members = m_file.members(vars);
        for (std::size_t i = 0; i < members.size(); ++i)
        {
            const std::string member = std::to_string(i);
            if (!m_file.is_dataset(vars + "/" + member))
            {
                m_file.fail(vars, "missing dataset '" + member + "' (has " +
                                      std::to_string(members.size()) + " members)");
            }
            out.names.push_back(member);
            out.arrays.push_back(m_file.read(vars + "/" + member, true));
        }
        return out;
    }

    /// Keras 3: the layer groups with variables that no layer asked for, e.g. "dense_2".
    std::vector<std::string> unused() const
    {
        std::vector<std::string> left;
        if (m_legacy)
        {
            for (const auto& name : layer_names())
            {
                if (!m_used.count(name) && !chunked(join(m_root, name), "weight_names").empty())
                {
                    left.push_back(name);
                }
            }
            return left;
        }
        if (!m_file.is_group(m_root))
        {
            return left;
        }
        for (const auto& key : m_file.members(m_root))
        {
            const std::string vars = m_root + "/" + key + "/vars";
            if (!m_used.count(key) && m_file.is_group(vars) && !m_file.members(vars).empty())
            {
                left.push_back(key);
            }
        }
        return left;
    }

private:
    explicit weight_store(const xtnn::detail::hdf5::file& file)
      : m_file(file)
    {
    }

    static std::string join(const std::string& a, const std::string& b)
    {
        return a.empty() ? b : a + "/" + b;
    }

    std::vector<std::string> chunked(const std::string& group, const std::string& name) const
    {
        if (m_file.has_attribute(group, name) || !m_file.has_attribute(group, name + "0"))
        {
            return m_file.strings(group, name);
        }
        std::vector<std::string> all;
        for (std::size_t i = 0; m_file.has_attribute(group, name + std::to_string(i)); ++i)
        {
            for (auto& s : m_file.strings(group, name + std::to_string(i)))
            {
                all.push_back(std::move(s));
            }
        }
        return all;
    }

    const xtnn::detail::hdf5::file& m_file;
    bool m_legacy = false;
    std::string m_root;
    std::map<std::string, std::size_t> m_seen;
    std::set<std::string> m_used;
    std::string m_last_key;
};

inline bool is_zip(const std::vector<std::uint8_t>& bytes)
{
    return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
}

/// A .keras archive's config.json and its model.weights.h5, opened.
struct keras3_archive
{
    json config;
    std::unique_ptr<xtnn::detail::hdf5::file> weights;
};

inline keras3_archive open_archive(const context& ctx, const std::vector<std::uint8_t>& bytes,
                                   const std::string& name, const std::string& where)
{
    keras3_archive archive;
    bool have_config = false, have_npz = false;
    for (auto& member : xtnn::io::detail::parse_zip_bytes(bytes.data(), bytes.size(),
                                                          ctx.prefix.substr(0, ctx.prefix.size() - 2)))
    {
        if (member.name == "config.json")
        {
            archive.config = parse_json(ctx, "config.json",
                                        std::string(member.data.begin(), member.data.end()));
            have_config = true;
        }
        else if (member.name == "model.weights.h5")
        {
            archive.weights = std::make_unique<xtnn::detail::hdf5::file>(
                std::move(member.data), name + ":model.weights.h5", where);
        }
        else if (member.name == "model.weights.npz")
        {
            have_npz = true;
        }
    }
    if (!have_config)
    {
        ctx.fail("missing config.json: not a Keras 3 .keras archive");
    }
    if (!archive.weights)
    {
        ctx.fail(have_npz ? "model.weights.npz (weights_format=\"npz\") is not supported; save "
                            "with the default h5 weights"
                          : "missing model.weights.h5: not a Keras 3 .keras archive");
    }
    return archive;
}

}  // namespace xtnn::io::detail::keras
