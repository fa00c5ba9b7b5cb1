// SPDX-License-Identifier: MIT
// Must NOT compile: layer 1 outputs 50 values but layer 2 expects 60.
#include <xtnn/fixed_network.hpp>

int main()
{
    xtnn::fixed_network<xtnn::dense<784, 50, xtnn::activation::sigmoid>,
                        xtnn::dense<60, 10, xtnn::activation::softmax>>
        net;
    return static_cast<int>(net.depth());
}
