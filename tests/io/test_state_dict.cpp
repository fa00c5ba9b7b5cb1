// SPDX-License-Identifier: MIT
// Tests for xtnn/io/state_dict.hpp and interop.hpp: PyTorch's named tensors mapped onto
// layers (nn.Sequential numbering and named modules, Linear's (out, in) transposed at the IO
// boundary, BatchNorm1d's running statistics, LayerNorm), checked against the outputs torch
// computed for every fixture of tests/fixtures/make_torch_fixtures.py to 1e-5; every
// mismatch named; and import_model / export_model / verify_export over all formats.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/interop.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "temp_files.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace
{
const std::string fixtures = std::string(XTNN_TEST_FIXTURES) + "/torch/";
const std::string layers_a =
    "dense:8,batch_norm,relu,dropout:0.3,dense:7,leaky_relu:0.05,dense:4,softmax";
const std::string layers_b = "dense:8,elu,dense:8,gelu,dense:6,tanh,dense:3,sigmoid";
const std::string layers_named = "dense:10,batch_norm,relu,dense:6,layer_norm,gelu:tanh,dense:3";

// The network of `file` with `layers`, on the fixture's inputs, against torch's outputs.
template <class T>
void require_torch_outputs(const std::string& file, const std::string& reference,
                           const std::string& layers)
{
    CAPTURE(file);
    xtnn::io::import_options options;
    options.layers = layers;
    const auto imported = xtnn::io::import_model<T>(fixtures + file, options);
    CHECK_FALSE(imported.carries_architecture);
    const auto io = xtnn::io::read_npz(fixtures + reference + ".io.npz");
    const xtnn::matrix<T> x = xtnn::io::find_array(io, "x")->as<T>();
    const xt::xarray<double> y = xtnn::io::find_array(io, "y")->as<double>();
    xtnn_test::require_all_close(imported.loaded.net.predict(x), y, 1e-5);
}

xtnn::io::ndarray array_of(std::vector<std::size_t> shape, float start = 0.5f)
{
    xt::xarray<float> a = xt::zeros<float>(shape);
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        a.data()[i] = start + 0.25f * static_cast<float>(i);
    }
    return xtnn::io::to_ndarray(a);
}

std::string failure(const xtnn::io::named_arrays& tensors, const std::string& layers,
                    std::size_t inputs = 0)
{
    try
    {
        xtnn::io::state_dict_network<float>(tensors, layers, "\"m.pt\"", inputs);
    }
    catch (const xtnn::error& e)
    {
        return e.what();
    }
    return "(no error)";
}

const std::string where = "xtnn::io::load_state_dict: \"m.pt\": ";
}  // namespace

TEST_CASE("state_dict: every PyTorch fixture computes torch's outputs, to 1e-5")
{
    require_torch_outputs<float>("mlp_a.pt", "mlp_a", layers_a);            // Sequential, BN
    require_torch_outputs<float>("mlp_a.safetensors", "mlp_a", layers_a);   // metadata, no model
    require_torch_outputs<float>("mlp_b.pt", "mlp_b", layers_b);            // ELU GELU Tanh Sigmoid
    require_torch_outputs<float>("named.pt", "named", layers_named);        // fc1, bn1 (later), ln2
    require_torch_outputs<float>("named.safetensors", "named", layers_named);
    require_torch_outputs<float>("strided.pt", "strided", "dense:4,relu,dense:3");  // views
    for (const char* type : {"f16", "bf16"})
    {
        require_torch_outputs<float>(std::string("mlp_a_") + type + ".pt",
                                     std::string("mlp_a_") + type, layers_a);
        require_torch_outputs<float>(std::string("mlp_a_") + type + ".safetensors",
                                     std::string("mlp_a_") + type, layers_a);
    }
    require_torch_outputs<double>("mlp_a_f64.pt", "mlp_a_f64", layers_a);
    require_torch_outputs<double>("mlp_a_f64.safetensors", "mlp_a_f64", layers_a);
    require_torch_outputs<double>("mlp_a.pt", "mlp_a", layers_a);  // float32 into double
}

TEST_CASE("state_dict: Linear.weight (out, in) becomes the kernel (in, out); BN's arrays map by name")
{
    xtnn::io::named_arrays tensors;
    tensors.emplace_back("fc.weight", array_of({3, 2}));  // (out 3, in 2)
    tensors.emplace_back("fc.bias", array_of({3}, -1.0f));
    tensors.emplace_back("bn.weight", array_of({3}, 2.0f));
    tensors.emplace_back("bn.bias", array_of({3}, 3.0f));
    tensors.emplace_back("bn.running_mean", array_of({3}, 4.0f));
    tensors.emplace_back("bn.running_var", array_of({3}, 5.0f));
    tensors.emplace_back("bn.num_batches_tracked", xtnn::io::to_ndarray(xt::xarray<std::int64_t>(7)));
    auto net = xtnn::io::state_dict_network<float>(tensors, "dense:3,batch_norm", "\"m.pt\"");
    CHECK(net.inputs() == 2);  // from fc.weight's columns
    const auto& dense = net.layer<xtnn::dense<float>>(0);
    xtnn_test::require_equal(dense.kernel(), xt::xarray<float>{{0.5f, 1.0f, 1.5f}, {0.75f, 1.25f, 1.75f}});
    xtnn_test::require_equal(dense.bias(), xt::xarray<float>{-1.0f, -0.75f, -0.5f});
    const auto& bn = net.layer<xtnn::batch_norm<float>>(1);
    xtnn_test::require_equal(bn.gamma(), xt::xarray<float>{2.0f, 2.25f, 2.5f});
    xtnn_test::require_equal(bn.beta(), xt::xarray<float>{3.0f, 3.25f, 3.5f});
    xtnn_test::require_equal(bn.running_mean(), xt::xarray<float>{4.0f, 4.25f, 4.5f});
    xtnn_test::require_equal(bn.running_variance(), xt::xarray<float>{5.0f, 5.25f, 5.5f});
    // PyTorch's BatchNorm1d defaults are xtnn's: eps 1e-5, momentum 0.1 (0.9 as the weight
    // of the old running value).
    CHECK(bn.epsilon() == 1e-5);
    CHECK(bn.momentum() == 0.9);

    // BatchNorm1d(affine=False): gamma 1, beta 0. Linear(bias=False) with use_bias=false.
    xtnn::io::named_arrays plain = {{"0.weight", array_of({3, 2})},
                                    {"1.running_mean", array_of({3})},
                                    {"1.running_var", array_of({3})}};
    auto net2 = xtnn::io::state_dict_network<float>(plain, "dense:3:use_bias=false,batch_norm", "x");
    xtnn_test::require_equal(net2.layer<xtnn::batch_norm<float>>(1).gamma(), xt::xarray<float>{1, 1, 1});
    xtnn_test::require_equal(net2.layer<xtnn::batch_norm<float>>(1).beta(), xt::xarray<float>{0, 0, 0});
}

TEST_CASE("state_dict: the first mismatch is named: layer, tensor, both shapes")
{
    const auto tensors = xtnn::io::read_torch_state_dict(fixtures + "mlp_a.pt");
    CHECK_THROWS_WITH(xtnn::io::state_dict_network<float>(tensors, "dense:16,batch_norm,relu,dense:7,dense:4",
                                                          "\"m.pt\""),
                      Equals(where + "layer 1 (dense_1): tensor '0.weight' has shape (8, 6); the "
                                     "layer expects (16, 6) (Linear.weight is (out, in))"));
    CHECK(failure(tensors, "dense:8,batch_norm,dense:7,dense:4", 5) ==
          where + "layer 1 (dense_1): tensor '0.weight' has shape (8, 6); the layer expects (8, 5) "
                  "(Linear.weight is (out, in))");
    CHECK(failure(tensors, "dense:8,batch_norm,dense:5,dense:4") ==
          where + "layer 3 (dense_2): tensor '4.weight' has shape (7, 8); the layer expects (5, 8) "
                  "(Linear.weight is (out, in))");
}

TEST_CASE("state_dict: tensors no layer takes, and layers no tensor fills, are refused by name")
{
    const auto tensors = xtnn::io::read_torch_state_dict(fixtures + "mlp_a.pt");
    CHECK(failure(tensors, "dense:8,batch_norm,relu,dense:7") ==
          where + "tensors 6.weight, 6.bias (a Linear module) match no layer: the layers have fewer "
                  "of that kind than the state_dict");
    CHECK(failure(tensors, "dense:8,batch_norm,dense:7,dense:4,dense:2") ==
          where + "layer 5 (dense_4) has no Linear module left in the state_dict (its Linear "
                  "modules: '0', '4', '6', taken by the layers before)");
    CHECK(failure(tensors, "dense:8,relu,dense:7,dense:4") ==
          where + "tensors 1.weight, 1.bias, 1.running_mean, 1.running_var, 1.num_batches_tracked "
                  "(a BatchNorm1d module) match no layer: the layers have fewer of that kind than "
                  "the state_dict");
    CHECK(failure(tensors, "dense:8,standardize,batch_norm,dense:7,dense:4") ==
          where + "layer 2 (standardize_1) of kind 'standardize' has arrays but no PyTorch "
                  "counterpart; the layers a state_dict fills are dense (Linear), batch_norm "
                  "(BatchNorm1d) and layer_norm (LayerNorm)");
    CHECK(failure(tensors, "dense:8:use_bias=false,batch_norm,dense:7,dense:4") ==
          where + "layer 1 (dense_1): the layer has no bias and module '0' has '0.bias'");
    const auto ints = xtnn::io::read_torch_state_dict(fixtures + "with_ints.pt");
    CHECK(failure(ints, layers_b) ==
          where + "module 'extra' (extra.steps (2, 3), extra.mask (3,), extra.codes (2,)) is not a "
                  "Linear, BatchNorm1d or LayerNorm, the modules xtnn maps to layers");
    xtnn::io::named_arrays odd = {{"fc.weight", array_of({2, 2})}, {"fc.weight_g", array_of({2})}};
    CHECK(failure(odd, "dense:2") ==
          where + "tensor 'fc.weight_g' is not one of a Linear module's tensors");
    xtnn::io::named_arrays no_bias = {{"fc.weight", array_of({2, 2})}};
    CHECK(failure(no_bias, "dense:2") ==
          where + "layer 1 (dense_1): the layer has a bias and module 'fc' has no 'fc.bias' (for "
                  "Linear(bias=False) say dense:N:use_bias=false)");
}

TEST_CASE("state_dict: a failed load leaves the network as it was")
{
    xtnn::network<float> net(6, xtnn::layer_registry<float>::global().parse_list("dense:8,batch_norm,dense:7,dense:4"));
    const auto before = net.layer<xtnn::dense<float>>(0).kernel();
    auto tensors = xtnn::io::read_torch_state_dict(fixtures + "mlp_a.pt");
    tensors[9].second = array_of({4, 6});  // 6.weight: wrong shape, found after dense_1's
    CHECK_THROWS_AS(xtnn::io::load_state_dict(net, tensors, "\"m.pt\""), xtnn::shape_error);
    xtnn_test::require_equal(net.layer<xtnn::dense<float>>(0).kernel(), before);
}

TEST_CASE("interop: formats are told by their bytes")
{
    using xtnn::io::model_format;
    CHECK(xtnn::io::detect_model_format(fixtures + "mlp_a.pt") == model_format::torch_state_dict);
    CHECK(xtnn::io::detect_model_format(fixtures + "legacy.pt") == model_format::torch_state_dict);
    CHECK(xtnn::io::detect_model_format(fixtures + "mlp_a.safetensors") == model_format::safetensors);
    CHECK(xtnn::io::detect_model_format(fixtures + "mlp_a.io.npz") == model_format::weights_npz);
    const xtnn_test::temp_dir dir;
    xtnn::network<float> net{xtnn::dense(3, 2), xtnn::softmax()};
    xtnn::io::save_model(net, dir.file("m.npz"));
    CHECK(xtnn::io::detect_model_format(dir.file("m.npz")) == model_format::xtnn_model);
    xtnn_test::write_text(dir.file("x.onnx"), "\x08\x07");
    CHECK(xtnn::io::detect_model_format(dir.file("x.onnx")) == model_format::onnx);
    xtnn_test::write_text(dir.file("x.h5"), "\x89HDF\r\n\x1a\n....");
    CHECK(xtnn::io::detect_model_format(dir.file("x.h5")) == model_format::hdf5);
    CHECK(xtnn::io::export_format("a/b.weights.npz") == model_format::weights_npz);
    CHECK(xtnn::io::export_format("B.SAFETENSORS") == model_format::safetensors);
    CHECK_THROWS_WITH(xtnn::io::export_format("m.pth"),
                      Contains("xtnn reads PyTorch and pickle files but does not write them"));
    CHECK_THROWS_WITH(xtnn::io::export_format("m.txt"), Contains("unknown ending"));
}

TEST_CASE("interop: import, prepend, export in every format, read back and checked")
{
    xtnn::io::import_options options;
    options.layers = layers_named;
    options.prepend = "rescale:0.5:-1";
    const auto imported = xtnn::io::import_model<float>(fixtures + "named.pt", options);
    const auto& net = imported.loaded.net;
    CHECK(net.describe() ==
          "6-10-6-3 (rescale, dense, batch_norm, relu, dense, layer_norm, gelu, dense)");
    CHECK(imported.tensors == 13);
    // Each module went to the layer of its kind, in order, bn1 and ln2 created after fc3.
    CHECK(imported.modules == std::vector<std::pair<std::string, std::string>>{
                                  {"dense_1", "fc1"},
                                  {"batch_norm_1", "bn1"},
                                  {"dense_2", "fc2"},
                                  {"layer_norm_1", "ln2"},
                                  {"dense_3", "fc3"}});
    // The prepended rescale is x * 0.5 - 1 in front of torch's network.
    const auto io = xtnn::io::read_npz(fixtures + "named.io.npz");
    const xtnn::matrix<float> x = xtnn::io::find_array(io, "x")->as<float>();
    const xtnn::matrix<float> raw = (x + 1.0f) * 2.0f;
    xtnn_test::require_all_close(net.predict(raw), xtnn::io::find_array(io, "y")->as<double>(), 1e-5);

    const xtnn_test::temp_dir dir;
    for (const char* name : {"n.npz", "n.safetensors"})
    {
        CAPTURE(name);
        xtnn::io::export_model(net, dir.file(name));
        const auto check = xtnn::io::verify_export(net, dir.file(name));
        CHECK(check.rows == 4);
        CHECK(check.largest_difference == 0);
        const auto back = xtnn::io::import_model<float>(dir.file(name));
        CHECK(back.carries_architecture);
        CHECK(back.loaded.net.describe() == net.describe());
        // Layers given for a file that has its own are refused.
        CHECK_THROWS_WITH(xtnn::io::import_model<float>(dir.file(name), options),
                          Contains("the file carries its own layers"));
    }
    // A prepended rescale in front of a model that starts with one keeps both, renamed.
    xtnn::io::import_options again;
    again.prepend = "rescale:2";
    const auto twice = xtnn::io::import_model<float>(dir.file("n.npz"), again).loaded.net;
    CHECK(twice.name(0) == "rescale_1");
    CHECK(twice.name(1) == "rescale_2");
    again.prepend = "dense:4";
    CHECK_THROWS_WITH(xtnn::io::import_model<float>(dir.file("n.npz"), again),
                      Contains("prepended layer 'dense' must keep the width and hold no arrays"));

    // W1, b1 ...: dense layers only; read back with the network's own layer list.
    options.prepend.clear();
    options.layers = layers_b;
    const auto b = xtnn::io::import_model<float>(fixtures + "mlp_b.pt", options).loaded.net;
    xtnn::io::export_model(b, dir.file("b.weights.npz"));
    CHECK(xtnn::io::verify_export(b, dir.file("b.weights.npz")).largest_difference == 0);
    CHECK_THROWS_WITH(xtnn::io::export_model(net, dir.file("n.weights.npz")),
                      Contains("the W1, b1 ... format holds dense layers' kernels and biases only"));
    // A state_dict saved with numpy (np.savez(**{k: v.numpy() ...})): PyTorch's names in an .npz.
    xtnn::io::save_npz(xtnn::io::read_torch_state_dict(fixtures + "mlp_b.pt"), dir.file("sd.npz"));
    const auto from_npz = xtnn::io::import_model<float>(dir.file("sd.npz"), options);
    CHECK(from_npz.modules.size() == 4);
    const auto io_b = xtnn::io::read_npz(fixtures + "mlp_b.io.npz");
    xtnn_test::require_all_close(
        from_npz.loaded.net.predict(xtnn::matrix<float>(xtnn::io::find_array(io_b, "x")->as<float>())),
        xtnn::io::find_array(io_b, "y")->as<double>(), 1e-5);
    CHECK_THROWS_WITH(xtnn::io::import_model<float>(fixtures + "mlp_b.pt"),
                      Contains("a PyTorch state_dict holds tensors but no layers (no activations): "
                               "give them as a layer list") &&
                          Contains("Its tensors: 0.weight (8, 5), 0.bias (8,)"));
}

TEST_CASE("interop: import_model_bytes reads a model file held in memory as import_model reads it")
{
    // The PyTorch fixture, read from its bytes: the same outputs torch computed.
    const auto bytes = xtnn::detail::read_file(fixtures + "mlp_a.pt", "test");
    xtnn::io::import_options options;
    options.layers = layers_a;
    const auto imported = xtnn::io::import_model_bytes<float>(bytes, "<memory>", options);
    CHECK(imported.format == xtnn::io::model_format::torch_state_dict);
    const auto io = xtnn::io::read_npz(fixtures + "mlp_a.io.npz");
    const xtnn::matrix<float> x = xtnn::io::find_array(io, "x")->as<float>();
    xtnn_test::require_all_close(imported.loaded.net.predict(x),
                                 xtnn::io::find_array(io, "y")->as<double>(), 1e-5);
    // Without layers, the message names "<memory>".
    CHECK_THROWS_WITH(xtnn::io::import_model_bytes<float>(bytes),
                      Contains("xtnn::io::import_model: \"<memory>\"") &&
                          Contains("holds tensors but no layers"));
}
