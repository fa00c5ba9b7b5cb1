// SPDX-License-Identifier: MIT
// The runtime network: built from layers like Keras's Sequential, widths checked with both
// layers named, every layer's output readable after a pass, threads sharing one network.
// Expected values from numpy, with the network of example_network.hpp:
//   Z1 = X@W1 + b1 = [[-0.79, 2.38], [-0.94, 1.58]]
//   A1 = sigmoid(Z1) = [[0.312168669, 0.915289434], [0.280900343, 0.829204518]]
//   Z2 = A1@W2 + b2 = [[0.812168669, 1.518410199], [0.780900343, 1.377508693]]
//   softmax(Z2) = [[0.33042986, 0.66957014], [0.35512003, 0.64487997]]
#include <random>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>

#include "approx.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_x;
}  // namespace

TEMPLATE_TEST_CASE("network: four layers chain and every layer's output stays readable", "", float,
                   double)
{
    const auto net = xtnn_test::example_network<TestType>();
    REQUIRE(net.size() == 4);
    REQUIRE(net.widths() == std::vector<std::size_t>{3, 2, 2, 2, 2});
    REQUIRE(net.name(0) == "dense_1");
    REQUIRE(net.name(2) == "dense_2");
    REQUIRE(net.name(3) == "softmax_1");

    xtnn::workspace<TestType> ws;
    const auto y = net.predict(example_x<TestType>, ws);
    REQUIRE(y.shape()[0] == 2);
    REQUIRE(y.shape()[1] == 2);
    xtnn_test::require_all_close(ws.output(0), std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-6);
    xtnn_test::require_all_close(
        ws.output(1), std::vector<double>{0.312168669, 0.915289434, 0.280900343, 0.829204518}, 1e-6);
    xtnn_test::require_all_close(
        ws.output(2), std::vector<double>{0.812168669, 1.518410199, 0.780900343, 1.377508693}, 1e-6);
    xtnn_test::require_all_close(
        y, std::vector<double>{0.33042986, 0.66957014, 0.35512003, 0.64487997}, 1e-6);

    // The allocating overload, an xarray input, and one row at a time agree.
    xtnn_test::require_all_close(net.predict(example_x<TestType>), y, 0);
    const xt::xarray<TestType> as_xarray = example_x<TestType>;
    xtnn_test::require_all_close(net.predict(as_xarray), y, 0);
    const auto row1 = net.forward_rows(example_x<TestType>, 1, 1, ws);
    xtnn_test::require_all_close(row1, std::vector<double>{0.35512003, 0.64487997}, 1e-6);
}

TEST_CASE("network: built like Keras's Sequential, the input width from the first layer that fixes "
          "it")
{
    const xtnn::network<float> net{xtnn::dense(784, 256), xtnn::batch_norm(), xtnn::relu(),
                                   xtnn::dropout(0.2),    xtnn::dense(10),    xtnn::softmax()};
    REQUIRE(net.inputs() == 784);
    REQUIRE(net.outputs() == 10);
    REQUIRE(net.widths() == std::vector<std::size_t>{784, 256, 256, 256, 256, 10, 10});
    REQUIRE(net.describe() == "784-256-10 (dense, batch_norm, relu, dropout, dense, softmax)");
    // 784·256 + 256 + 2·256 (γ, β) + 256·10 + 10
    REQUIRE(net.parameter_count() == 200960 + 512 + 2570);
    REQUIRE(net.layer<xtnn::batch_norm<float>>(1).gamma().size() == 256);
    REQUIRE_THROWS_WITH(net.layer<xtnn::dense<float>>(1),
                        Catch::Matchers::Contains("is a batch_norm"));

    // Layers that take any width may come first; a double network takes float layers.
    const xtnn::network<double> scaled{xtnn::rescale(1 / 255.0), xtnn::dense(784, 10)};
    REQUIRE(scaled.inputs() == 784);
    // Or the width is given, and layers are added one by one.
    xtnn::network<float> added(64);
    added.add(xtnn::dense(20)).add(xtnn::sigmoid()).add(xtnn::dense(10), "logits");
    REQUIRE(added.widths() == std::vector<std::size_t>{64, 20, 20, 10});
    REQUIRE(added.name(2) == "logits");
    REQUIRE(added.find("logits") == 2);
    REQUIRE(added.find("nothing") == added.size());
}

TEST_CASE("network: widths that do not chain are refused, naming both layers and both widths")
{
    REQUIRE_THROWS_AS((xtnn::network<float>{xtnn::dense(784, 256), xtnn::relu(), xtnn::dense(128, 10)}),
                      xtnn::shape_error);
    REQUIRE_THROWS_WITH(
        (xtnn::network<float>{xtnn::dense(784, 256), xtnn::relu(), xtnn::dense(128, 10)}),
        Catch::Matchers::Contains("layer 3 (dense_2) takes 128 inputs") &&
            Catch::Matchers::Contains("layer 2 (relu_1) outputs 256"));
    xtnn::batch_norm<float> narrow;
    narrow.build(100);
    REQUIRE_THROWS_WITH((xtnn::network<float>(784, {xtnn::dense(50), narrow})),
                        Catch::Matchers::Contains("layer 2 (batch_norm_1) takes 100 inputs") &&
                            Catch::Matchers::Contains("layer 1 (dense_1) outputs 50"));
    REQUIRE_THROWS_WITH((xtnn::network<float>{xtnn::relu(), xtnn::dense(10)}),
                        Catch::Matchers::Contains("no layer fixes the input width"));
    REQUIRE_THROWS_AS(xtnn::network<float>({3}, xtnn::relu(), xtnn::softmax()), xtnn::shape_error);
    xtnn::network<float> net(3);
    net.add(xtnn::relu(), "a");
    REQUIRE_THROWS_WITH(net.add(xtnn::relu(), "a"), Catch::Matchers::Contains("already named 'a'"));
}

TEST_CASE("network: the widths constructor puts the activations after each dense layer")
{
    const xtnn::network<float> net({784, 50, 100, 10}, xtnn::leaky_relu(0.1), xtnn::softmax());
    REQUIRE(net.describe() ==
            "784-50-100-10 (dense, leaky_relu, dense, leaky_relu, dense, softmax)");
    REQUIRE(net.layer<xtnn::leaky_relu<float>>(3).alpha() == 0.1);
    // Parameters start at zero.
    REQUIRE(xt::all(xt::equal(net.layer<xtnn::dense<float>>(0).kernel(), 0.0f)));
}

TEST_CASE("network: inputs of the wrong width or rank are refused with the shapes")
{
    const xtnn::network<float> net({3, 4, 2}, xtnn::relu(), xtnn::softmax());
    const xtnn::matrix<float> wrong = xt::zeros<float>({5, 4});
    REQUIRE_THROWS_AS(net.predict(wrong), xtnn::shape_error);
    REQUIRE_THROWS_WITH(net.predict(wrong), Catch::Matchers::Contains("(5, 4)") &&
                                                Catch::Matchers::Contains("(batch, 3)"));
    const xt::xarray<float> rank3 = xt::zeros<float>({2, 1, 3});
    REQUIRE_THROWS_WITH(net.predict(rank3), Catch::Matchers::Contains("(2, 1, 3)"));
    xtnn::workspace<float> ws;
    const xtnn::matrix<float> x = xt::zeros<float>({2, 3});
    REQUIRE_THROWS_WITH(net.forward_rows(x, 1, 2, ws), Catch::Matchers::Contains("[1, 3)"));
    REQUIRE_THROWS_WITH(xtnn::network<float>().predict(x), Catch::Matchers::Contains("no layers"));

    // A kernel resized in place is caught at the next forward pass.
    xtnn::network<float> changed({3, 4, 2}, xtnn::relu(), xtnn::softmax());
    changed.layer<xtnn::dense<float>>(2).kernel() = xt::zeros<float>({6, 2});
    REQUIRE_THROWS_AS(changed.predict(x), xtnn::shape_error);
}

TEST_CASE("network: a workspace grows to the largest batch and then stays put")
{
    const xtnn::network<float> net({3, 4, 2}, xtnn::sigmoid(), xtnn::softmax());
    xtnn::workspace<float> ws(net, 8);
    REQUIRE(ws.capacity() == 8);
    const xtnn::matrix<float> x = xt::ones<float>({8, 3});
    net.forward_rows(x, 0, 5, ws);
    const float* before = &ws.output()(0, 0);
    REQUIRE(ws.batch() == 5);
    REQUIRE(ws.capacity() == 8);
    net.forward_rows(x, 0, 8, ws);
    REQUIRE(&ws.output()(0, 0) == before);  // no reallocation for batches <= capacity
    REQUIRE(ws.output().shape()[0] == 8);
}

TEST_CASE("network: predict is safe from several threads on one network of every layer kind",
          "[threads]")
{
    // Every kind the registry knows (nn/registry.hpp), in one network, predicted from 8
    // threads at once: half with a workspace of their own, half with predict's temporary
    // one, each on its own batch size. Every output must be bit-equal to the one-thread
    // result. .ci/run also runs this under ThreadSanitizer ([threads]).
    xtnn::network<float> net{
        xtnn::standardize<float>(xtnn::vector<float>{0.5f, -1, 2}, xtnn::vector<float>{1, 2, 0.5f}),
        xtnn::rescale(0.5, 0.1), xtnn::dense(3, 8),   xtnn::batch_norm(),
        xtnn::leaky_relu(0.1),   xtnn::dropout(0.3),  xtnn::dense(8),
        xtnn::layer_norm(),      xtnn::gelu(),        xtnn::elu(),
        xtnn::silu(),            xtnn::softplus(),    xtnn::tanh(),
        xtnn::identity(),        xtnn::sigmoid(),     xtnn::dense(4),
        xtnn::relu(),            xtnn::softmax()};
    std::mt19937_64 engine(3);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    const xtnn::matrix<float> x{{1, 2, 3}, {-1, 0.5, 2}, {0.3, -0.7, 1.1}, {4, -2, 0.25}};
    // The one-thread results for batches of 1 to 4 rows (a BLAS may sum differently for
    // another batch size, so each batch is compared with itself).
    std::vector<xtnn::matrix<float>> batches, expected;
    for (std::size_t rows = 1; rows <= x.shape(0); ++rows)
    {
        batches.push_back(xt::view(x, xt::range(0, rows), xt::all()));
        expected.push_back(net.predict(batches.back()));
    }

    constexpr std::size_t thread_count = 8;
    std::vector<int> mismatches(thread_count, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < thread_count; ++t)
    {
        threads.emplace_back(
            [&, t]
            {
                xtnn::workspace<float> ws;
                const auto& batch = batches[t % batches.size()];
                const auto& want = expected[t % batches.size()];
                for (int i = 0; i < 300; ++i)
                {
                    const xtnn::matrix<float> y = t % 2 ? net.predict(batch, ws) : net.predict(batch);
                    mismatches[t] += !(y == want);
                }
            });
    }
    for (auto& thread : threads)
    {
        thread.join();
    }
    REQUIRE(mismatches == std::vector<int>(thread_count, 0));
}

TEST_CASE("network: copies are independent values, summaries list the layers")
{
    auto net = xtnn_test::example_network<float>();
    auto copy = net;
    copy.layer<xtnn::dense<float>>(0).kernel().fill(0);
    REQUIRE(net.layer<xtnn::dense<float>>(0).kernel()(0, 0) == Approx(0.1f));
    const std::string summary = net.summary();
    REQUIRE_THAT(summary, Catch::Matchers::Contains("dense_1") &&
                              Catch::Matchers::Contains("softmax_1") &&
                              Catch::Matchers::Contains("14 trainable parameters"));
}
