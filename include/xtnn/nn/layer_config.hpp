// SPDX-License-Identifier: MIT
// A layer's configuration: the settings that, with its kind, rebuild it — what a model file
// records, what a --layers item gives ("leaky_relu:0.1"), what a registry factory reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <xtnn/error.hpp>

namespace xtnn
{
/// One value of a layer's configuration: a flag, a whole number, a real number or a word.
using config_value = std::variant<bool, std::int64_t, double, std::string>;

/// A layer's configuration: what, with its kind, rebuilds it (a model file records it;
/// `--layers` items and registry factories read it). Ordered as the layer lists it.
class layer_config
{
public:
    layer_config() = default;
    layer_config(std::initializer_list<std::pair<std::string, config_value>> entries)
      : m_entries(entries)
    {
    }

    /// Sets `key` (replacing an earlier value).
    layer_config& set(const std::string& key, config_value value)
    {
        for (auto& entry : m_entries)
        {
            if (entry.first == key)
            {
                entry.second = std::move(value);
                return *this;
            }
        }
        m_entries.emplace_back(key, std::move(value));
        return *this;
    }

    bool has(const std::string& key) const { return find(key) != nullptr; }
    bool empty() const { return m_entries.empty(); }
    const std::vector<std::pair<std::string, config_value>>& entries() const { return m_entries; }

    /// `key` as a number (whole or real), or `fallback` when absent.
    /// @throws xtnn::error when it is a flag or a word.
    double number(const std::string& key, double fallback) const
    {
        const config_value* value = find(key);
        return value ? as_number(key, *value) : fallback;
    }
    /// `key` as a number. @throws xtnn::error when absent or not a number.
    double number(const std::string& key) const { return as_number(key, require(key)); }

    /// `key` as a whole number >= 0 (a real number must be whole). @throws xtnn::error.
    std::size_t count(const std::string& key) const
    {
        const double value = number(key);
        if (!(value >= 0 && value <= 9007199254740992.0) ||
            value != static_cast<double>(static_cast<std::int64_t>(value)))
        {
            throw error("xtnn::layer_config: " + key + " = " + to_text(require(key)) +
                        "; expected a whole number >= 0");
        }
        return static_cast<std::size_t>(value);
    }

    /// `key` as a flag, or `fallback`. @throws xtnn::error when it is not a flag.
    bool flag(const std::string& key, bool fallback) const
    {
        const config_value* value = find(key);
        if (!value)
        {
            return fallback;
        }
        if (const bool* b = std::get_if<bool>(value))
        {
            return *b;
        }
        throw error("xtnn::layer_config: " + key + " = " + to_text(*value) +
                    "; expected true or false");
    }

    /// `key` as a word, or `fallback`. @throws xtnn::error when it is not a word.
    std::string text(const std::string& key, const std::string& fallback) const
    {
        const config_value* value = find(key);
        if (!value)
        {
            return fallback;
        }
        if (const std::string* s = std::get_if<std::string>(value))
        {
            return *s;
        }
        throw error("xtnn::layer_config: " + key + " = " + to_text(*value) + "; expected a word");
    }

    /// Throws xtnn::error naming `kind` and the first key that is not in `known`.
    void allow_only(std::string_view kind, std::initializer_list<std::string_view> known) const
    {
        for (const auto& entry : m_entries)
        {
            bool found = false;
            for (std::string_view k : known)
            {
                found = found || entry.first == k;
            }
            if (!found)
            {
                std::string names;
                for (std::string_view k : known)
                {
                    names += (names.empty() ? "" : ", ") + std::string(k);
                }
                throw error("xtnn::layer_config: " + std::string(kind) + " has no setting '" +
                            entry.first + "'; expected " + (names.empty() ? "none" : names));
            }
        }
    }

    /// A value as text: "true", "256", "0.1", "tanh".
    static std::string to_text(const config_value& value)
    {
        if (const bool* b = std::get_if<bool>(&value))
        {
            return *b ? "true" : "false";
        }
        if (const std::int64_t* i = std::get_if<std::int64_t>(&value))
        {
            return std::to_string(*i);
        }
        if (const double* d = std::get_if<double>(&value))
        {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.9g", *d);
            return buffer;
        }
        return std::get<std::string>(value);
    }

    friend bool operator==(const layer_config& a, const layer_config& b)
    {
        return a.m_entries == b.m_entries;
    }

private:
    const config_value* find(const std::string& key) const
    {
        for (const auto& entry : m_entries)
        {
            if (entry.first == key)
            {
                return &entry.second;
            }
        }
        return nullptr;
    }
    const config_value& require(const std::string& key) const
    {
        const config_value* value = find(key);
        if (!value)
        {
            throw error("xtnn::layer_config: no setting '" + key + "'");
        }
        return *value;
    }
    static double as_number(const std::string& key, const config_value& value)
    {
        if (const std::int64_t* i = std::get_if<std::int64_t>(&value))
        {
            return static_cast<double>(*i);
        }
        if (const double* d = std::get_if<double>(&value))
        {
            return *d;
        }
        throw error("xtnn::layer_config: " + key + " = " + to_text(value) + "; expected a number");
    }

    std::vector<std::pair<std::string, config_value>> m_entries;
};

}  // namespace xtnn
