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
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <xtnn/data/mnist.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/train/fit.hpp>
#include <xtnn/xtnn.hpp>

namespace xtnn_book
{
/// Images as the book's load_mnist(normalize=True) gives them: (N, 784) in [0, 1], and the labels
/// as class indices (for training_step) and as values (for xtnn::evaluate).
template <class T>
struct image_set
{
    xt::xtensor<T, 2> images;
    xt::xtensor<T, 1> labels;
    std::vector<std::size_t> indices;

    std::size_t size() const { return indices.size(); }
};

/// The first `count` images of one part (all of them when count is 0 or too large).
template <class T>
image_set<T> load_part(const std::string& dir, xtnn::data::mnist_part which, std::size_t count = 0)
{
    auto loaded = xtnn::data::load_mnist_part<T>(dir, which);
    const std::size_t n = count == 0 ? loaded.size() : std::min(count, loaded.size());
    image_set<T> part;
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
double accuracy(const xtnn::network<T>& net, const image_set<T>& part)
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
    batch_sampler(const image_set<T>& data, std::size_t rows)
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
            const std::size_t row =
                static_cast<std::size_t>(xtnn::detail::uniform_below(engine, m_data.size()));
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
    const image_set<T>& m_data;
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

/// "100-100-100-" for three hidden layers of 100: the middle of "784-100-100-100-10".
inline std::string widths(std::size_t hidden)
{
    std::string text;
    for (std::size_t h = 0; h < hidden; ++h)
    {
        text += "100-";
    }
    return text;
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
/// One network of a lockstep comparison: its name as the book prints it ("SGD", "He"), the
/// network and its optimizer, and the loss after each iteration.
struct contender
{
    std::string name;
    xtnn::network<float> net;
    xtnn::optimizer_options optimizer;
    std::vector<double> losses;
};

/// The book's comparison loop (optimizer_compare_mnist.py, weight_init_compare.py): every
/// iteration draws one batch (np.random.choice) and takes a step of each network on it, then
/// records the batch's loss after the update, network.loss(x_batch, t_batch); every
/// `print_every` iterations (from 0) it prints the book's block
///   ===========iteration:100===========
///   SGD:0.95...
/// The batches come from an engine seeded `seed`.
inline void train_in_lockstep(std::vector<contender>& contenders, const image_set<float>& train,
                              std::size_t batch_size, std::size_t iterations,
                              std::size_t print_every, std::uint64_t seed)
{
    batch_sampler<float> batch(train, batch_size);
    std::mt19937_64 batches(seed);
    std::vector<xtnn::training_step<float>> steps;
    steps.reserve(contenders.size());  // a training_step holds a reference to its network
    for (auto& c : contenders)
    {
        steps.emplace_back(c.net, xtnn::loss_kind::softmax_cross_entropy, c.optimizer, seed);
        c.losses.reserve(iterations);
    }
    xtnn::workspace<float> ws;
    for (std::size_t i = 0; i < iterations; ++i)
    {
        batch.draw(batches);
        for (std::size_t k = 0; k < contenders.size(); ++k)
        {
            steps[k].step(batch.x(), batch.rows(), batch.targets(), nullptr);
            // the loss after the update, one more forward pass, as the book's loss()
            const float* y = contenders[k].net.forward(batch.x(), batch.rows(), ws).data();
            contenders[k].losses.push_back(static_cast<double>(
                xtnn::softmax_cross_entropy::loss(y, batch.targets(), batch.rows(), 10)));
        }
        if (print_every != 0 && i % print_every == 0)
        {
            std::printf("===========iteration:%zu===========\n", i);
            for (const auto& c : contenders)
            {
                std::printf("%s:%.6f\n", c.name.c_str(), c.losses.back());
            }
            std::fflush(stdout);
        }
    }
}

/// The mean of the last `count` values (all of them when there are fewer).
inline double mean_of_last(const std::vector<double>& values, std::size_t count)
{
    const std::size_t n = std::min(count, values.size());
    double sum = 0;
    for (std::size_t i = values.size() - n; i < values.size(); ++i)
    {
        sum += values[i];
    }
    return n == 0 ? 0 : sum / static_cast<double>(n);
}

/// matplotlib's first colours (tab10), the ones the book's figures are drawn in.
inline std::string color(std::size_t i)
{
    static const char* const colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                         "#9467bd", "#8c564b", "#e377c2"};
    return colors[i % 7];
}

/// The book's loss figure: each contender's smooth_curve(losses) over iterations 0 .. n-1,
/// with a dot every 100 iterations (its markevery=100), losses y_min .. y_max.
inline xtnn::plot::figure loss_figure(const std::vector<contender>& contenders,
                                      const std::string& title, double y_max)
{
    xtnn::plot::panel panel;
    panel.title = title;
    panel.x_label = "iterations";
    panel.y_label = "loss";
    panel.y_min = 0;
    panel.y_max = y_max;
    for (std::size_t k = 0; k < contenders.size(); ++k)
    {
        const std::vector<double> smooth = smooth_curve(contenders[k].losses);
        xtnn::plot::series curve, marks;
        curve.name = contenders[k].name;
        curve.color = marks.color = color(k);
        marks.style = xtnn::plot::style::markers;
        // the book clips at ylim; a curve above it is cut where it leaves the panel
        for (std::size_t i = 0; i < smooth.size(); ++i)
        {
            const double y = smooth[i] <= y_max ? smooth[i] : std::nan("");
            curve.x.push_back(static_cast<double>(i));
            curve.y.push_back(y);
            if (i % 100 == 0)
            {
                marks.x.push_back(static_cast<double>(i));
                marks.y.push_back(y);
            }
        }
        panel.series.push_back(curve);
        panel.series.push_back(marks);
    }
    panel.x_min = 0;
    panel.x_max = contenders.empty() ? 1 : static_cast<double>(contenders[0].losses.size());
    xtnn::plot::figure figure;
    figure.panel_width = 640;
    figure.panel_height = 420;
    figure.panels.push_back(panel);
    return figure;
}

}  // namespace xtnn_book
