// SPDX-License-Identifier: MIT
// Folding BatchNorm into the dense layer before it, for inference: at inference a batch_norm
// is an affine map per feature, so dense then batch_norm is one dense layer with changed
// weights. The folded network computes the same outputs with a layer less per fold.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn
{
/// `net` with every batch_norm that directly follows a dense layer folded into it. Per output
/// feature j, with s_j = γ_j / sqrt(running_var_j + ε):
///   W'[:, j] = W[:, j]·s_j,   b'_j = (b_j - running_mean_j)·s_j + β_j
/// (a dense layer without a bias gets one). Computed in double. Other layers are copied with
/// their names. The result is for inference: training it would train the folded weights.
template <class T>
network<T> fold_batch_norm(const network<T>& net)
{
    network<T> folded(net.inputs());
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const auto* d = net.layer(i).template get_if<xtnn::dense<T>>();
        const auto* bn = i + 1 < net.size()
                             ? net.layer(i + 1).template get_if<xtnn::batch_norm<T>>()
                             : nullptr;
        if (!d || !bn)
        {
            folded.add(net.layer(i), net.name(i));
            continue;
        }
        const std::size_t in = d->kernel().shape()[0];
        const std::size_t out = d->units();
        matrix<T> kernel = d->kernel();
        vector<T> bias = xt::zeros<T>({out});
        for (std::size_t j = 0; j < out; ++j)
        {
            const double s = static_cast<double>(bn->gamma()(j)) /
                             std::sqrt(static_cast<double>(bn->running_variance()(j)) +
                                       bn->epsilon());
            for (std::size_t k = 0; k < in; ++k)
            {
                kernel(k, j) = static_cast<T>(static_cast<double>(kernel(k, j)) * s);
            }
            const double b = d->use_bias() ? static_cast<double>(d->bias()(j)) : 0.0;
            bias(j) = static_cast<T>((b - static_cast<double>(bn->running_mean()(j))) * s +
                                     static_cast<double>(bn->beta()(j)));
        }
        folded.add(xtnn::dense<T>(std::move(kernel), std::move(bias)), net.name(i));
        ++i;  // the batch_norm is in the dense layer now
    }
    return folded;
}
}  // namespace xtnn
