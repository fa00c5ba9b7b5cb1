// SPDX-License-Identifier: MIT
// Must NOT compile: a layer type without backward() is put in a network; the contract check
// names the member it lacks.
#include <string_view>

#include <xtnn/nn/network.hpp>

template <class T>
struct halve
{
    using value_type = T;
    static constexpr std::string_view kind = "halve";
    void forward(xtnn::rows_ref<const T> x, xtnn::rows_ref<T> y) const
    {
        for (std::size_t i = 0; i < x.size(); ++i)
        {
            y.data[i] = x.data[i] / 2;
        }
    }
};

int main()
{
    xtnn::network<float> net(3, {halve<float>()});
    return static_cast<int>(net.size());
}
