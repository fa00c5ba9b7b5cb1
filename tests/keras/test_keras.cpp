// SPDX-License-Identifier: MIT
// xtnn/io/keras.hpp on the fixtures of tests/fixtures/keras/, written by
// tests/fixtures/make_keras_fixtures.py with h5py in Keras's own layouts; the references
// (*.ref.npz: inputs x, outputs y) are numpy's forward pass over the same arrays.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/keras.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/nn/registry.hpp>

#include "approx.hpp"
#include "temp_files.hpp"

namespace
{
const std::string fixtures = XTNN_KERAS_FIXTURES;

std::string fixture(const std::string& name)
{
    return fixtures + "/" + name;
}

/// Requires `net` to give the reference outputs of `name`.ref.npz to 1e-5.
template <class T>
void require_reference(const xtnn::network<T>& net, const std::string& name)
{
    const auto arrays = xtnn::io::read_npz(fixture(name + ".ref.npz"));
    const xt::xarray<T> x = xtnn::io::find_array(arrays, "x")->as<T>();
    const xt::xarray<double> y = xtnn::io::find_array(arrays, "y")->as<double>();
    const xtnn::matrix<T> got = net.predict(xtnn::matrix<T>(x));
    REQUIRE(got.shape()[0] == y.shape()[0]);
    REQUIRE(got.shape()[1] == y.shape()[1]);
    xtnn_test::require_all_close(got, y, 1e-5);
}

std::vector<std::string> kinds(const xtnn::network<float>& net)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        out.push_back(std::string(net.layer(i).kind()));
    }
    return out;
}

std::vector<std::uint8_t> bytes_of(const std::string& path)
{
    return xtnn::detail::read_file(path, "test");
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

using Catch::Matchers::Contains;
}  // namespace

TEMPLATE_TEST_CASE("keras: a tf.keras Sequential .h5 (Dense, BatchNormalization, Dropout, "
                   "LeakyReLU, LayerNormalization, ELU, softmax) gives numpy's outputs",
                   "", float, double)
{
    const auto net = xtnn::io::load_keras<TestType>(fixture("k2_sequential.h5"));
    REQUIRE(net.inputs() == 8);
    REQUIRE(net.outputs() == 4);
    REQUIRE(net.name(0) == "dense");
    REQUIRE(net.name(1) == "dense_relu");
    REQUIRE(net.name(2) == "batch_normalization");
    const auto& bn = net.template layer<xtnn::batch_norm<TestType>>(2);
    REQUIRE(bn.epsilon() == Approx(0.001));  // Keras's, from the config
    require_reference(net, "k2_sequential");
}

TEST_CASE("keras: layers map to xtnn kinds in order, activations after their Dense")
{
    const auto net = xtnn::io::load_keras(fixture("k2_sequential.h5"));
    REQUIRE(kinds(net) == std::vector<std::string>{"dense", "relu", "batch_norm", "dropout",
                                                   "dense", "leaky_relu", "layer_norm", "dense",
                                                   "elu", "dense", "softmax"});
    REQUIRE(net.template layer<xtnn::leaky_relu<float>>(5).alpha() == Approx(0.1));
    REQUIRE(net.template layer<xtnn::elu<float>>(8).alpha() == Approx(0.7));
}

TEMPLATE_TEST_CASE("keras: a tf.keras functional .h5 with an (4, 5) input, Rescaling, Flatten, "
                   "adapted Normalization and a Dense without bias gives numpy's outputs",
                   "", float, double)
{
    const auto net = xtnn::io::load_keras<TestType>(fixture("k2_functional.h5"));
    REQUIRE(net.inputs() == 20);  // Flatten of (4, 5), row-major
    REQUIRE(net.outputs() == 3);
    REQUIRE(!net.template layer<xtnn::dense<TestType>>(4).use_bias());
    // variance 0 for feature 3: Keras divides by max(sqrt(0), 1e-7), and so does xtnn
    REQUIRE(net.template layer<xtnn::standardize<TestType>>(1).std()(3) ==
            Approx(1e-7).epsilon(1e-6));
    require_reference(net, "k2_functional");
}

TEMPLATE_TEST_CASE("keras: a Keras 3 legacy .h5 (variable-length str attributes, weight "
                   "names as variable paths, top_level_model_weights) gives numpy's outputs",
                   "", float, double)
{
    // the layout of a real Keras 3.3.3 model.save("m.h5"): see make_keras_fixtures.py
    const auto net = xtnn::io::load_keras<TestType>(fixture("k3_legacy.h5"));
    REQUIRE(net.inputs() == 12);
    REQUIRE(net.outputs() == 3);
    require_reference(net, "k3_legacy");
    auto weights_only = xtnn::parse_network<TestType>("dense:7,sigmoid,dense:3,softmax", 12);
    xtnn::io::load_keras_weights(weights_only, fixture("k3_legacy.h5"));
    require_reference(weights_only, "k3_legacy");
}

TEMPLATE_TEST_CASE("keras: a Keras 3 Sequential .keras (Dense without bias, "
                   "BatchNormalization(center=False), ReLU, gelu, Softmax) gives numpy's outputs",
                   "", float, double)
{
    const auto net = xtnn::io::load_keras<TestType>(fixture("k3_sequential.keras"));
    REQUIRE(net.inputs() == 10);
    REQUIRE(net.outputs() == 5);
    const auto& bn = net.template layer<xtnn::batch_norm<TestType>>(1);
    REQUIRE(bn.epsilon() == Approx(0.01));
    REQUIRE(xt::all(xt::equal(bn.beta(), TestType(0))));  // center=False: no beta
    require_reference(net, "k3_sequential");
}

TEMPLATE_TEST_CASE("keras: a Keras 3 functional .keras (Normalization, Dense, Dropout, "
                   "LayerNormalization, Activation softmax) gives numpy's outputs",
                   "", float, double)
{
    const auto net = xtnn::io::load_keras<TestType>(fixture("k3_functional.keras"));
    REQUIRE(net.inputs() == 6);
    REQUIRE(net.outputs() == 3);
    require_reference(net, "k3_functional");
}

TEMPLATE_TEST_CASE("keras: a Keras 3 .keras with Reshape to a vector, Normalization given "
                   "mean and variance, ReLU(negative_slope) and LeakyReLU gives numpy's outputs",
                   "", float, double)
{
    const auto net = xtnn::io::load_keras<TestType>(fixture("k3_extras.keras"));
    REQUIRE(net.inputs() == 6);
    REQUIRE(net.outputs() == 2);
    REQUIRE(net.template layer<xtnn::leaky_relu<TestType>>(3).alpha() == Approx(0.1));
    REQUIRE(net.template layer<xtnn::leaky_relu<TestType>>(4).alpha() == Approx(0.25));
    require_reference(net, "k3_extras");
}

TEST_CASE("keras: load_keras_weights fills a network given by the caller from a Keras 2 "
          "save_weights .h5")
{
    auto net = xtnn::parse_network<double>(
        "dense:16,relu,batch_norm:epsilon=0.001,dropout:0.2,dense:12,leaky_relu:0.1,"
        "layer_norm:epsilon=0.001,dense:6,elu:0.7,dense:4,softmax",
        8);
    xtnn::io::load_keras_weights(net, fixture("k2_sequential_weights.h5"));
    require_reference(net, "k2_sequential");
    // a model.save .h5 holds the same weights under model_weights
    auto again = xtnn::parse_network<double>(
        "dense:16,relu,batch_norm:epsilon=0.001,dropout:0.2,dense:12,leaky_relu:0.1,"
        "layer_norm:epsilon=0.001,dense:6,elu:0.7,dense:4,softmax",
        8);
    xtnn::io::load_keras_weights(again, fixture("k2_sequential.h5"));
    require_reference(again, "k2_sequential");
}

TEST_CASE("keras: load_keras_weights fills a network from a Keras 3 .weights.h5 and a .keras")
{
    const std::string spec = "standardize,dense:10,relu,dropout:0.5,layer_norm:epsilon=1e-5,"
                             "dense:3,softmax";
    auto net = xtnn::parse_network<double>(spec, 6);
    xtnn::io::load_keras_weights(net, fixture("k3_functional.weights.h5"));
    require_reference(net, "k3_functional");
    auto from_archive = xtnn::parse_network<float>(spec, 6);
    xtnn::io::load_keras_weights(from_archive, fixture("k3_functional.keras"));
    require_reference(from_archive, "k3_functional");
}

TEST_CASE("keras: load_keras_weights names the first layer that does not fit and changes "
          "nothing")
{
    auto net = xtnn::parse_network<float>("dense:16,relu,batch_norm,dropout:0.2,dense:13,"
                                          "leaky_relu:0.1,layer_norm,dense:6,elu,dense:4,softmax",
                                          8);
    const auto before = net.template layer<xtnn::dense<float>>(0).kernel();
    REQUIRE_THROWS_WITH(
        xtnn::io::load_keras_weights(net, fixture("k2_sequential_weights.h5")),
        Contains("xtnn::io::load_keras_weights: \"" + fixture("k2_sequential_weights.h5") +
                 "\": layer 'dense_1' (Dense weights for the network's dense_2): kernel has shape "
                 "(16, 12); expected (16, 13)"));
    const bool unchanged = net.template layer<xtnn::dense<float>>(0).kernel() == before;
    REQUIRE(unchanged);

    auto fewer = xtnn::parse_network<float>("dense:16,relu,dense:4", 8);
    REQUIRE_THROWS_WITH(
        xtnn::io::load_keras_weights(fewer, fixture("k2_sequential_weights.h5")),
        Contains("layer 'batch_normalization' (Dense weights for the network's dense_2): has 4 "
                 "weight(s); expected 2 (kernel, bias)"));

    auto no_bn = xtnn::parse_network<float>("dense:16:false,relu,dense:8,dense:5", 10);
    REQUIRE_THROWS_WITH(
        xtnn::io::load_keras_weights(no_bn, fixture("k3_sequential.weights.h5")),
        Contains("the file has weights for 'batch_normalization', which no layer of the "
                 "network takes"));

    // Keras 3 stores by index: 3 BatchNormalization variables do not say which of gamma and
    // beta is missing
    auto bn3 = xtnn::parse_network<float>("dense:16:false,batch_norm,relu,dense:8,gelu,dense:5",
                                          10);
    REQUIRE_THROWS_WITH(
        xtnn::io::load_keras_weights(bn3, fixture("k3_sequential.weights.h5")),
        Contains("layer 'batch_normalization' (BatchNormalization): has 3 weights; expected 4 "
                 "(gamma, beta, moving_mean, moving_variance) or 2"));
}

TEST_CASE("keras: Keras's class names in snake case, as its weights files address layers")
{
    using xtnn::io::detail::keras::snake_case;
    REQUIRE(snake_case("Dense") == "dense");
    REQUIRE(snake_case("BatchNormalization") == "batch_normalization");
    REQUIRE(snake_case("LayerNormalization") == "layer_normalization");
    REQUIRE(snake_case("InputLayer") == "input_layer");
    REQUIRE(snake_case("ReLU") == "re_lu");
    REQUIRE(snake_case("LeakyReLU") == "leaky_re_lu");
    REQUIRE(snake_case("Conv2D") == "conv2d");
    REQUIRE(snake_case("GaussianNoise") == "gaussian_noise");
}

// ---------------------------------------------------------------- malformed input

TEST_CASE("keras: a file that is neither zip nor HDF5 is refused")
{
    xtnn_test::temp_dir dir;
    const std::string path = dir.file("model.h5");
    write_bytes(path, std::vector<std::uint8_t>{'{', '"', 'a', '"', ':', '1', '}', '\n'});
    REQUIRE_THROWS_AS(xtnn::io::load_keras(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(path),
                        "xtnn::io::load_keras: \"" + path +
                            "\": not an HDF5 file (no HDF5 signature)");
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(dir.file("missing.h5")),
                        Contains("xtnn::io::load_keras: \"" + dir.file("missing.h5") +
                                 "\": cannot open"));
}

TEST_CASE("keras: a truncated .h5 or .keras is refused with HDF5's or the zip reader's reason")
{
    xtnn_test::temp_dir dir;
    auto h5 = bytes_of(fixture("k2_sequential.h5"));
    h5.resize(h5.size() / 2);
    const std::string path = dir.file("half.h5");
    write_bytes(path, h5);
    REQUIRE_THROWS_AS(xtnn::io::load_keras(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(path),
                        Contains("xtnn::io::load_keras: \"" + path +
                                 "\": not a readable HDF5 file (truncated or damaged) (HDF5: "
                                 "truncated file"));

    auto zip = bytes_of(fixture("k3_sequential.keras"));
    zip.resize(zip.size() - 100);  // the central directory's end is gone
    const std::string keras = dir.file("cut.keras");
    write_bytes(keras, zip);
    REQUIRE_THROWS_AS(xtnn::io::load_keras(keras), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(keras),
                        Contains("xtnn::io::load_keras: \"" + keras + "\""));
}

TEST_CASE("keras: missing groups, attributes and datasets are named with their path")
{
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/no_model_weights.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/no_model_weights.h5") +
                            "\": model_weights: missing group");
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/no_weight_names.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/no_weight_names.h5") +
                            "\": model_weights/dense_1: missing attribute 'weight_names'");
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/empty.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/empty.h5") +
                            "\": /: missing attribute 'model_config': not a Keras model.save "
                            ".h5 file");
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("k2_sequential_weights.h5")),
                        Contains("holds weights only (save_weights), no model config: load it "
                                 "with load_keras_weights"));
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/missing_kernel.keras")),
                        "xtnn::io::load_keras: \"" + fixture("bad/missing_kernel.keras") +
                            ":model.weights.h5\": layers/dense/vars: missing dataset '0' (has 1 "
                            "members)");
    auto net = xtnn::parse_network<float>("dense:4", 3);
    REQUIRE_THROWS_WITH(xtnn::io::load_keras_weights(net, fixture("bad/empty.h5")),
                        Contains("no Keras weights: neither a layer_names attribute"));
}

TEST_CASE("keras: a kernel of the wrong shape or type is refused naming the layer")
{
    REQUIRE_THROWS_AS(xtnn::io::load_keras(fixture("bad/wrong_kernel_shape.h5")),
                      xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/wrong_kernel_shape.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/wrong_kernel_shape.h5") +
                            "\": layer 'dense_1' (Dense): kernel has shape (16, 11); expected "
                            "(16, 12)");
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/int_kernel.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/int_kernel.h5") +
                            "\": layer 'dense' (Dense): kernel has int32 values; expected "
                            "float16, float32 or float64");
}

TEST_CASE("keras: an unsupported layer is refused with its name and class")
{
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/conv2d.h5")),
                        Contains("xtnn::io::load_keras: \"" + fixture("bad/conv2d.h5") +
                                 "\": unsupported Keras layer 'conv2d' (Conv2D); supported: "
                                 "InputLayer, Dense,"));
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/relu6.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/relu6.h5") +
                            "\": layer 're_lu' (ReLU): max_value=6.0 is not supported");
}

TEST_CASE("keras: a functional graph that is not a chain is refused")
{
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/branching.keras")),
                        "xtnn::io::load_keras: \"" + fixture("bad/branching.keras") +
                            "\": the functional graph is not a chain: layer 'add' (Add) is "
                            "called 1 time(s) on 2 input(s) (dense, dense_1)");
}

TEST_CASE("keras: a dataset whose shape claims more values than it stores is refused before "
          "anything is allocated")
{
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(fixture("bad/lying_size.h5")),
                        "xtnn::io::load_keras: \"" + fixture("bad/lying_size.h5") +
                            "\": model_weights/dense_2/dense_2/kernel:0: dataset declares shape "
                            "(12, 1073741824) (51539607552 bytes) but stores 288 bytes in a file "
                            "of 31016");
}

TEST_CASE("keras: a damaged config is refused naming what is wrong")
{
    xtnn_test::temp_dir dir;
    // a .keras whose config.json is cut short
    auto members = xtnn::io::parse_zip(bytes_of(fixture("k3_sequential.keras")).data(),
                                       bytes_of(fixture("k3_sequential.keras")).size(), "k");
    for (auto& m : members)
    {
        if (m.name == "config.json")
        {
            m.data.resize(m.data.size() / 2);
        }
    }
    const std::string path = dir.file("half_config.keras");
    write_bytes(path, xtnn::io::detail::format_zip(members, false, "test"));
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(path),
                        Contains("xtnn::io::load_keras: \"" + path +
                                 "\": config.json is not valid JSON: "));
    // no weights member at all
    std::vector<xtnn::io::zip_member> only_config;
    for (auto& m : xtnn::io::parse_zip(bytes_of(fixture("k3_sequential.keras")).data(),
                                       bytes_of(fixture("k3_sequential.keras")).size(), "k"))
    {
        if (m.name != "model.weights.h5")
        {
            only_config.push_back(m);
        }
    }
    const std::string no_weights = dir.file("no_weights.keras");
    write_bytes(no_weights, xtnn::io::detail::format_zip(only_config, false, "test"));
    REQUIRE_THROWS_WITH(xtnn::io::load_keras(no_weights),
                        "xtnn::io::load_keras: \"" + no_weights +
                            "\": missing model.weights.h5: not a Keras 3 .keras archive");
}

TEST_CASE("keras: every truncation of an .h5 and a .keras is refused with format_error")
{
    // Prefixes only: flipped bytes are not tested, since libhdf5 1.10 itself is not hardened
    // against them (see docs/keras.md). A step keeps the number of parses near 1,500 each.
    for (const char* name : {"k3_legacy.h5", "k3_sequential.keras"})
    {
        const auto valid = bytes_of(fixture(name));
        for (std::size_t size = 0; size < valid.size(); size += 1 + size % 23)
        {
            CAPTURE(name, size);
            const std::vector<std::uint8_t> prefix(valid.begin(), valid.begin() + size);
            REQUIRE_THROWS_AS(xtnn::io::parse_keras<float>(prefix, name), xtnn::format_error);
        }
    }
}
