// SPDX-License-Identifier: MIT
// Must NOT compile: layer 1 outputs 50 values but layer 3 expects 60.
#include <xtnn/nn/fixed_network.hpp>

int main()
{
    xtnn::fixed_network<float, xtnn::fixed::dense<784, 50>, xtnn::fixed::sigmoid,
                        xtnn::fixed::dense<60, 10>, xtnn::fixed::softmax>
        net;
    return static_cast<int>(net.size());
}
