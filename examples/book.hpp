// SPDX-License-Identifier: MIT
// What the "Deep Learning from Scratch" experiments (chapters 4-6) share: the book's networks
// (TwoLayerNet, MultiLayerNet, MultiLayerNetExtend with dropout), its mini-batches drawn with
// replacement (np.random.choice), its smooth_curve for loss curves, and MNIST as the book's
// load_mnist(normalize=True) gives it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <xtnn/data/mnist.hpp>
#include <xtnn/train/fit.hpp>
#include <xtnn/xtnn.hpp>

namespace xtnn_book
{
/// MNIST as the book's load_mnist(normalize=True): images (N, 784) in [0, 1], and the labels
/// as class indices (for training_step) and as values (for xtnn::evaluate).
template <class T>
struct mnist_part
{
    xt::xtensor<T, 2> images;
    xt::xtensor<T, 1> labels;
    std::vector<std::size_t> indices;

    std::size_t size() const { return indices.size(); }
};

/// The first `count` images of one part (all of them when count is 0 or too large).
template <class T>
mnist_part<T> load_part(const std::string& dir, xtnn::data::mnist_part which,
                        std::size_t count = 0)
{
    auto loaded = xtnn::data::load_mnist_part<T>(dir, which);
    const std::size_t n = count == 0 ? loaded.size() : std::min(count, loaded.size());
    mnist_part<T> part;
    part.images = xt::view(loaded.images, xt::range(0, n), xt::all());
    part.labels = xt::view(loaded.labels, xt::range(0, n));
    part.indices.resize(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        part.indices[i] = static_cast<std::size_t>(part.labels(i));
    }
    return part;
}

/// The accuracy of `net` on a part, in inference mode (dropout off): the book's accuracy().
template <class T>
double accuracy(const xtnn::network<T>& net, const mnist_part<T>& part)
{
    return xtnn::evaluate(net, part.images, part.labels).accuracy;
}

/// The book's loop draws every mini-batch as batch_mask = np.random.choice(train_size,
/// batch_size): `rows` indices uniform in [0, n), with replacement, independent of the
/// batches before. draw() gathers them into buffers allocated once. The indices come from
/// xtnn's rejection sampler on 64-bit draws (the same on every standard library), so the
/// same seed gives the same batches, not numpy's.
template <class T>
class batch_sampler
{
public:
    batch_sampler(const mnist_part<T>& data, std::size_t rows)
      : m_data(data)
      , m_rows(rows)
      , m_x(rows * data.images.shape()[1])
      , m_labels(rows)
    {
    }

    /// The next batch, from `engine`.
    void draw(std::mt19937_64& engine)
    {
        const std::size_t features = m_data.images.shape()[1];
        for (std::size_t r = 0; r < m_rows; ++r)
        {
            const std::size_t row = static_cast<std::size_t>(
                xtnn::detail::uniform_below(engine, m_data.size()));
            const T* from = m_data.images.data() + row * features;
            std::copy(from, from + features, m_x.data() + r * features);
            m_labels[r] = m_data.indices[row];
        }
    }

    const T* x() const { return m_x.data(); }
    const std::size_t* labels() const { return m_labels.data(); }
    std::size_t rows() const { return m_rows; }
    /// The batch's targets for training_step: class indices.
    xtnn::targets_ref<T> targets() const { return {nullptr, m_labels.data()}; }

private:
    const mnist_part<T>& m_data;
    std::size_t m_rows;
    std::vector<T> m_x;
    std::vector<std::size_t> m_labels;
};

/// The book's MultiLayerNet / MultiLayerNetExtend(784, hidden, 10): dense → activation
/// [→ dropout] per hidden layer, then dense → softmax (SoftmaxWithLoss). dropout_rate 0 puts
/// no dropout layers in.
template <class T>
xtnn::network<T> multi_layer_net(const std::vector<std::size_t>& hidden, bool relu = true,
                                 double dropout_rate = 0)
{
    xtnn::network<T> net(784);
    for (const std::size_t units : hidden)
    {
        net.add(xtnn::dense(units));
        if (relu)
        {
            net.add(xtnn::relu());
        }
        else
        {
            net.add(xtnn::sigmoid());
        }
        if (dropout_rate > 0)
        {
            net.add(xtnn::dropout(dropout_rate));
        }
    }
    net.add(xtnn::dense(10)).add(xtnn::softmax());
    return net;
}

/// `count` hidden layers of 100 units: MultiLayerNet(784, [100] * count, 10).
inline std::vector<std::size_t> hundreds(std::size_t count)
{
    return std::vector<std::size_t>(count, 100);
}

/// The modified Bessel function of the first kind of order 0, by its series
///   I0(x) = Σ_k ((x/2)^k / k!)²
/// (std::cyl_bessel_i is not in libc++); 30 terms are exact in double for x <= 10.
inline double bessel_i0(double x)
{
    double sum = 1, term = 1;
    for (int k = 1; k < 30; ++k)
    {
        term *= (x / 2) / k;
        sum += term * term;
    }
    return sum;
}

/// The book's smooth_curve (common/util.py): the curve mirrored by 10 points at each end,
/// convolved with a normalised Kaiser window of 11 points and β = 2 (np.kaiser(11, 2)),
///   w[n] = I0(β·sqrt(1 - (2n/10 - 1)²)) / I0(β),
/// then trimmed to the input's length: y[i] = Σ_n w[n]·s[i + n] / Σw over the mirrored s.
inline std::vector<double> smooth_curve(const std::vector<double>& x)
{
    constexpr std::size_t window = 11;
    if (x.size() < window)
    {
        return x;
    }
    // s = np.r_[x[window-1:0:-1], x, x[-1:-window:-1]]
    std::vector<double> s;
    for (std::size_t i = window - 1; i > 0; --i)
    {
        s.push_back(x[i]);
    }
    s.insert(s.end(), x.begin(), x.end());
    for (std::size_t i = 1; i < window; ++i)
    {
        s.push_back(x[x.size() - i]);
    }
    std::vector<double> w(window);
    double total = 0;
    for (std::size_t n = 0; n < window; ++n)
    {
        const double r = 2.0 * static_cast<double>(n) / (window - 1) - 1;
        w[n] = bessel_i0(2 * std::sqrt(1 - r * r)) / bessel_i0(2);
        total += w[n];
    }
    // np.convolve(w / w.sum(), s, mode='valid') has s.size() - window + 1 = x.size() + 10
    // points (w is symmetric, so convolving is correlating); the book's y[5:len(y)-5] keeps
    // x.size() of them.
    std::vector<double> y;
    const std::size_t valid = s.size() - window + 1;
    for (std::size_t i = 5; i + 5 < valid; ++i)
    {
        double sum = 0;
        for (std::size_t n = 0; n < window; ++n)
        {
            sum += w[n] / total * s[i + n];
        }
        y.push_back(sum);
    }
    return y;
}
}  // namespace xtnn_book
