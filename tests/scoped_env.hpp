// SPDX-License-Identifier: MIT
// Sets or unsets an environment variable for one scope, restoring the old value after.
#pragma once

#include <cstdlib>
#include <string>

namespace xtnn_test
{
class scoped_env
{
public:
    /// `value` nullptr unsets the variable.
    scoped_env(const char* name, const char* value)
      : m_name(name)
    {
        const char* old = std::getenv(name);
        m_had = old != nullptr;
        m_old = old ? old : "";
        set(value);
    }
    ~scoped_env() { set(m_had ? m_old.c_str() : nullptr); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    void set(const char* value)
    {
        if (value)
        {
            ::setenv(m_name, value, 1);
        }
        else
        {
            ::unsetenv(m_name);
        }
    }
    const char* m_name;
    bool m_had = false;
    std::string m_old;
};
}  // namespace xtnn_test
