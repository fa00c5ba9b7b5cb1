// SPDX-License-Identifier: MIT
// load_onnx on models torch.onnx.export and onnx.helper wrote (tests/fixtures/onnx/, made by
// tests/fixtures/make_onnx_fixtures.py; the reference outputs are torch's, or numpy's for the
// hand-built model), malformed models with their messages pinned, and save_onnx read back.
// ONNX Runtime's view of save_onnx's files is checked by export_onnx_models.cpp and
// run_onnxruntime.js.
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/npy.hpp>
#include <xtnn/io/onnx.hpp>
#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "corruption.hpp"
#include "onnx/onnx_networks.hpp"
#include "temp_files.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace
{
std::string fixture(const std::string& name)
{
    return std::string(XTNN_ONNX_FIXTURES) + "/" + name;
}

template <class T>
xt::xarray<T> npy(const std::string& name)
{
    return xtnn::io::read_npy(fixture(name)).as<T>();
}

/// The fixture's outputs for its inputs, against torch's (or numpy's) to 1e-5.
template <class T>
void check_fixture(const std::string& name, const std::string& describe)
{
    const auto net = xtnn::io::load_onnx<T>(fixture(name + ".onnx"));
    CHECK(net.describe() == describe);
    xt::xarray<T> x = npy<T>(name + "_input.npy");
    const std::size_t rows = x.shape()[0];
    x.reshape({rows, x.size() / rows});  // (batch, 1, 2, 4) before the Flatten
    const xtnn::matrix<T> in = x;
    xtnn_test::require_all_close(net.predict(in), npy<T>(name + "_output.npy"), 1e-5);
}

onnx::ModelProto read_model(const std::string& name)
{
    std::ifstream file(fixture(name), std::ios::binary);
    onnx::ModelProto model;
    REQUIRE(model.ParseFromIstream(&file));
    return model;
}

/// parse_onnx on `model` as the file "m.onnx"; the message it throws.
std::string message_for(const onnx::ModelProto& model)
{
    const std::string bytes = model.SerializeAsString();
    try
    {
        xtnn::io::parse_onnx<float>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                    bytes.size(), "m.onnx");
    }
    catch (const xtnn::error& e)
    {
        return e.what();
    }
    return "no error";
}

onnx::NodeProto* find_node(onnx::ModelProto& model, const std::string& name)
{
    for (auto& node : *model.mutable_graph()->mutable_node())
    {
        if (node.name() == name)
        {
            return &node;
        }
    }
    FAIL("no node " + name);
    return nullptr;
}

onnx::TensorProto* find_initializer(onnx::ModelProto& model, const std::string& name)
{
    for (auto& tensor : *model.mutable_graph()->mutable_initializer())
    {
        if (tensor.name() == name)
        {
            return &tensor;
        }
    }
    FAIL("no initializer " + name);
    return nullptr;
}

const std::string where = "xtnn::io::load_onnx: \"m.onnx\"";
}  // namespace

// --- models the real tools wrote -------------------------------------------------------

TEMPLATE_TEST_CASE("load_onnx: torch.onnx.export's MLPs at opsets 13 to 17 give torch's outputs",
                   "", float, double)
{
    check_fixture<TestType>("relu_op13", "8-16-4 (dense, relu, dense)");
    check_fixture<TestType>("batchnorm_leaky_op14",
                            "8-12-5 (dense, batch_norm, leaky_relu, dense, softmax)");
    check_fixture<TestType>("elu_tanh_op15", "6-10-3 (dense, elu, dense, tanh)");
    check_fixture<TestType>("gelu_sigmoid_op16", "6-10-3 (dense, batch_norm, gelu, dense, sigmoid)");
    check_fixture<TestType>("flatten_layernorm_gelu_op17",
                            "8-10-4 (dense, layer_norm, gelu, dense, softmax)");
    check_fixture<TestType>("mnist_mlp", "784-32-10 (dense, relu, dense)");
}

TEST_CASE("load_onnx: the values torch wrote arrive in the layers")
{
    const auto net = xtnn::io::load_onnx<float>(fixture("batchnorm_leaky_op14.onnx"));
    // BatchNorm1d's eps 1e-5 and momentum 0.1 (xtnn's 0.9), LeakyReLU's 0.2
    const auto& bn = net.layer<xtnn::batch_norm<float>>(1);
    CHECK(bn.epsilon() == Approx(1e-5).epsilon(1e-6));
    CHECK(bn.momentum() == Approx(0.9).epsilon(1e-6));
    CHECK(net.layer<xtnn::leaky_relu<float>>(2).alpha() == Approx(0.2).epsilon(1e-6));
    // Linear.weight is (out, in) with transB = 1: xtnn's kernel is its transpose
    const auto w = xtnn::io::read_npy(fixture("relu_op13_input.npy"));  // (5, 8): just a shape
    CHECK(w.shape[1] == net.inputs());
}

TEST_CASE("load_onnx: a hand-built opset 20 model: MatMul + Add, Gelu, Dropout, Reshape, "
          "Identity, scalar and per-feature arithmetic, float_data")
{
    check_fixture<float>("hand_matmul_gelu_op20",
                         "5-7-3 (rescale, standardize, dense, gelu, dropout, dense)");
    const auto net = xtnn::io::load_onnx<float>(fixture("hand_matmul_gelu_op20.onnx"));
    CHECK(net.layer<xtnn::rescale<float>>(0).scale() == 0.5);
    CHECK(net.layer<xtnn::rescale<float>>(0).offset() == -0.25);
    CHECK(net.layer<xtnn::dropout<float>>(4).rate() == Approx(0.25));
    CHECK_FALSE(net.layer<xtnn::dense<float>>(5).use_bias());
}

// --- malformed files, each message pinned ------------------------------------------------

TEST_CASE("load_onnx: a file that is not protobuf, or is truncated, is refused naming it")
{
    xtnn_test::temp_dir dir;
    const std::string text = dir.file("notes.onnx");
    std::ofstream(text) << "these are my notes, not a model\n";
    CHECK_THROWS_WITH(xtnn::io::load_onnx<float>(text),
                      Equals("xtnn::io::load_onnx: \"" + text +
                             "\" is not an ONNX model: its 32 bytes do not parse as an ONNX "
                             "ModelProto (truncated, or another kind of file)"));

    std::ifstream in(fixture("relu_op13.onnx"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string cut = dir.file("cut.onnx");
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
    CHECK_THROWS_WITH(xtnn::io::load_onnx<float>(cut),
                      Equals("xtnn::io::load_onnx: \"" + cut + "\" is not an ONNX model: its " +
                             std::to_string(bytes.size() - 100) +
                             " bytes do not parse as an ONNX ModelProto (truncated, or another "
                             "kind of file)"));

    onnx::ModelProto empty;
    CHECK_THAT(message_for(empty), Equals(where + " is not an ONNX model: it has no graph"));
    CHECK_THROWS_AS(xtnn::io::load_onnx<float>(dir.file("absent.onnx")), xtnn::io_error);
}

TEST_CASE("load_onnx: an unsupported op is refused with the node's name and op type")
{
    auto model = read_model("relu_op13.onnx");
    auto* relu = find_node(model, "/1/Relu");
    relu->set_name("/conv/Conv");
    relu->set_op_type("Conv");
    CHECK_THAT(message_for(model), Contains(where + ": unsupported ONNX node '/conv/Conv' (Conv); "
                                                    "xtnn reads a chain of Gemm, MatMul"));
    relu->set_domain("com.microsoft");
    relu->set_op_type("Relu");
    CHECK_THAT(message_for(model),
               Contains(where + ": unsupported ONNX node '/conv/Conv' (com.microsoft.Relu)"));
}

TEST_CASE("load_onnx: torch's LayerNorm below opset 17, primitive ops, is refused at the first")
{
    const std::string path = fixture("layernorm_op13_refused.onnx");
    CHECK_THROWS_WITH(xtnn::io::load_onnx<float>(path),
                      Contains("xtnn::io::load_onnx: \"" + path +
                               "\": unsupported ONNX node '/1/ReduceMean' (ReduceMean)"));
}

TEST_CASE("load_onnx: a graph that is not a chain is refused")
{
    auto model = read_model("relu_op13.onnx");
    SECTION("a node skips the one before it")
    {
        find_node(model, "/2/Gemm")->set_input(0, "x");
        CHECK_THAT(message_for(model), Equals(where + ": the graph is not a linear chain: 'x' is "
                                                      "used by 2 nodes or outputs"));
    }
    SECTION("a node takes a tensor other than the chain's")
    {
        find_node(model, "/1/Relu")->set_output(0, "unused");
        CHECK_THAT(message_for(model), Equals(where + ": the graph is not a linear chain: node "
                                                      "'/2/Gemm' (Gemm) does not take 'unused', "
                                                      "the output of the node before it, as its "
                                                      "first input"));
    }
    SECTION("a residual connection")
    {
        auto* add = model.mutable_graph()->add_node();
        add->set_name("/residual/Add");
        add->set_op_type("Add");
        add->add_input("/1/Relu_output_0");
        add->add_input("/0/Gemm_output_0");
        add->add_output("sum");
        find_node(model, "/2/Gemm")->set_input(0, "sum");
        // the nodes in topological order: the Add before the last Gemm
        auto* nodes = model.mutable_graph()->mutable_node();
        nodes->SwapElements(nodes->size() - 1, nodes->size() - 2);
        CHECK_THAT(message_for(model), Equals(where + ": the graph is not a linear chain: "
                                                      "'/0/Gemm_output_0' is used by 2 nodes or "
                                                      "outputs"));
    }
    SECTION("two outputs")
    {
        *model.mutable_graph()->add_output() = model.graph().output(0);
        CHECK_THAT(message_for(model),
                   Equals(where + ": the graph has 2 outputs; xtnn reads models with one"));
    }
}

TEST_CASE("load_onnx: initializers whose data does not match their dims are refused before "
          "anything is allocated")
{
    auto model = read_model("relu_op13.onnx");
    auto* weight = find_initializer(model, "0.weight");  // (16, 8) float as raw_data
    SECTION("dims claiming a trillion values")
    {
        weight->set_dims(0, 1000000);
        weight->set_dims(1, 1000000);
        CHECK_THAT(message_for(model),
                   Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight': dims (1000000, "
                                  "1000000) need 1000000000000 values; the tensor holds 512 "
                                  "bytes of raw_data"));
    }
    SECTION("raw_data cut short")
    {
        weight->mutable_raw_data()->resize(500);
        CHECK_THAT(message_for(model),
                   Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight': dims (16, 8) need "
                                  "128 values; the tensor holds 500 bytes of raw_data"));
    }
    SECTION("float_data of the wrong length")
    {
        weight->clear_raw_data();
        for (int i = 0; i < 100; ++i)
        {
            weight->add_float_data(1.0f);
        }
        CHECK_THAT(message_for(model),
                   Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight': dims (16, 8) need "
                                  "128 values; the tensor holds 100 values"));
    }
    SECTION("negative dims")
    {
        weight->set_dims(0, -16);
        CHECK_THAT(message_for(model), Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight' "
                                                      "has dims that are negative or too large"));
    }
    SECTION("external data")
    {
        weight->clear_raw_data();
        weight->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
        auto* entry = weight->add_external_data();
        entry->set_key("location");
        entry->set_value("weights.bin");
        CHECK_THAT(message_for(model),
                   Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight' is stored in an "
                                  "external data file; xtnn reads only tensors stored in the model "
                                  "(save with save_as_external_data=False)"));
    }
    SECTION("a string tensor")
    {
        weight->set_data_type(onnx::TensorProto_DataType_STRING);
        CHECK_THAT(message_for(model), Equals(where + ": node '/0/Gemm' (Gemm): tensor '0.weight' "
                                                      "has type STRING; xtnn reads FLOAT, DOUBLE, "
                                                      "INT32, INT64 and BOOL tensors"));
    }
    SECTION("a weight of the wrong shape")
    {
        weight->set_dims(0, 8);
        weight->set_dims(1, 16);
        CHECK_THAT(message_for(model), Equals(where + ": node '/0/Gemm' (Gemm) has a weight for 16 "
                                                      "inputs, but the tensor before it has 8 "
                                                      "features"));
    }
}

TEST_CASE("load_onnx: a missing initializer is refused naming the node and the input")
{
    auto model = read_model("relu_op13.onnx");
    auto* inits = model.mutable_graph()->mutable_initializer();
    for (int i = 0; i < inits->size(); ++i)
    {
        if (inits->Get(i).name() == "2.bias")
        {
            inits->DeleteSubrange(i, 1);
        }
    }
    CHECK_THAT(message_for(model), Equals(where + ": node '/2/Gemm' (Gemm): input '2.bias' is not "
                                                  "an initializer, a Constant node or the "
                                                  "graph's input"));
}

TEST_CASE("load_onnx: opsets outside 13..20 are refused")
{
    auto model = read_model("relu_op13.onnx");
    for (const int opset : {12, 21})
    {
        model.mutable_opset_import(0)->set_version(opset);
        CHECK_THAT(message_for(model),
                   Equals(where + ": opset " + std::to_string(opset) +
                          " is not supported; xtnn reads opsets 13 to 20 "
                          "(torch.onnx.export(..., opset_version=17))"));
    }
    model.mutable_opset_import(0)->set_domain("ai.onnx.ml");
    CHECK_THAT(message_for(model), Contains("declares no opset of the default ONNX domain"));
    // Gelu is opset 20's; LayerNormalization opset 17's
    auto gelu = read_model("hand_matmul_gelu_op20.onnx");
    gelu.mutable_opset_import(0)->set_version(19);
    CHECK_THAT(message_for(gelu), Equals(where + ": node 'act/Gelu' (Gelu) needs opset 20; the model "
                                                 "declares opset 19"));
}

TEST_CASE("load_onnx: training-mode nodes and other axes are refused")
{
    auto model = read_model("batchnorm_leaky_op14.onnx");
    auto* bn = find_node(model, "/1/BatchNormalization");
    onnx::AttributeProto* mode = nullptr;
    for (auto& a : *bn->mutable_attribute())
    {
        mode = a.name() == "training_mode" ? &a : mode;
    }
    mode = mode ? mode : bn->add_attribute();
    mode->set_name("training_mode");
    mode->set_type(onnx::AttributeProto_AttributeType_INT);
    mode->set_i(1);
    CHECK_THAT(message_for(model), Equals(where + ": node '/1/BatchNormalization' "
                                                  "(BatchNormalization) is in training mode; "
                                                  "export the model in eval mode"));
    auto softmax = read_model("batchnorm_leaky_op14.onnx");
    find_node(softmax, "/5/Softmax")->mutable_attribute(0)->set_i(0);
    CHECK_THAT(message_for(softmax), Equals(where + ": node '/5/Softmax' (Softmax) has axis 0; "
                                                    "xtnn's layer works on the last axis (1 or -1)"));
}

TEST_CASE("load_onnx: nodes with the wrong inputs or attributes are refused naming the file")
{
    auto model = read_model("relu_op13.onnx");
    SECTION("a Gemm without its weight")
    {
        auto* gemm = find_node(model, "/0/Gemm");
        gemm->clear_input();
        gemm->add_input("x");
        CHECK_THAT(message_for(model), Equals(where + ": node '/0/Gemm' (Gemm) has 1 inputs; Gemm "
                                                      "takes 2 to 3"));
    }
    SECTION("an integer weight")
    {
        auto* weight = find_initializer(model, "0.weight");
        weight->set_data_type(onnx::TensorProto_DataType_INT64);
        weight->mutable_raw_data()->resize(16 * 8 * 8);
        CHECK_THAT(message_for(model), Equals(where + ": node '/0/Gemm' (Gemm): weight '0.weight' "
                                                      "is not a 2-D matrix of FLOAT or DOUBLE (2 "
                                                      "dims)"));
    }
    SECTION("an attribute the layer refuses")
    {
        auto* relu = find_node(model, "/1/Relu");
        relu->set_op_type("Elu");
        auto* alpha = relu->add_attribute();
        alpha->set_name("alpha");
        alpha->set_type(onnx::AttributeProto_AttributeType_FLOAT);
        alpha->set_f(std::numeric_limits<float>::infinity());
        CHECK_THAT(message_for(model),
                   Equals(where + ": xtnn::elu: alpha must be finite; got inf"));
    }
}

TEST_CASE("load_onnx: every truncation is refused, and a flipped byte never crashes")
{
    for (const char* name : {"relu_op13.onnx", "hand_matmul_gelu_op20.onnx"})
    {
        INFO(name);
        std::ifstream in(fixture(name), std::ios::binary);
        const std::vector<std::uint8_t> valid((std::istreambuf_iterator<char>(in)),
                                              std::istreambuf_iterator<char>());
        xtnn_test::require_damage_is_refused(valid, [](const std::vector<std::uint8_t>& bytes) {
            return xtnn::io::parse_onnx<float>(bytes.data(), bytes.size(), "m.onnx");
        });
    }
}

// --- save_onnx ---------------------------------------------------------------------------

TEMPLATE_TEST_CASE("save_onnx: every layer kind, read back by load_onnx, computes the same",
                   "", float, double)
{
    xtnn_test::temp_dir dir;
    for (const auto& [name, net] : xtnn_test::onnx_test_networks<TestType>())
    {
        INFO(name);
        const std::string path = dir.file(name + ".onnx");
        xtnn::io::save_onnx(net, path);
        const auto loaded = xtnn::io::load_onnx<TestType>(path);
        // the same layers (configurations agree to float precision only: ONNX attributes are
        // float32; standardize comes back with its epsilon folded into its std; an identity
        // layer is written as an Identity node, which load_onnx skips)
        const auto x = xtnn_test::onnx_test_inputs<TestType>(7, net.inputs(), 3);
        std::string expected = net.describe();
        for (auto at = expected.find(", identity"); at != std::string::npos;
             at = expected.find(", identity"))
        {
            expected.erase(at, 10);
        }
        CHECK(loaded.describe() == expected);
        xtnn_test::require_all_close(loaded.predict(x), net.predict(x), 1e-6);
    }
}

TEST_CASE("save_onnx: the file has named input and output with a symbolic batch, opset 17")
{
    xtnn_test::temp_dir dir;
    const auto nets = xtnn_test::onnx_test_networks<float>();
    const std::string path = dir.file("m.onnx");
    xtnn::io::save_onnx(nets.front().second, path);
    std::ifstream file(path, std::ios::binary);
    onnx::ModelProto model;
    REQUIRE(model.ParseFromIstream(&file));
    CHECK(model.opset_import(0).version() == 17);
    CHECK(model.graph().input(0).name() == "input");
    CHECK(model.graph().output(0).name() == "output");
    const auto& shape = model.graph().input(0).type().tensor_type().shape();
    CHECK(shape.dim(0).dim_param() == "batch");
    CHECK(shape.dim(1).dim_value() == 6);
    CHECK(model.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == 4);
    CHECK_THROWS_WITH(xtnn::io::save_onnx(xtnn::network<float>(3), dir.file("empty.onnx")),
                      Equals("xtnn::io::save_onnx: the network has no layers"));
    CHECK_THROWS_AS(xtnn::io::save_onnx(nets.front().second, dir.file("no/such/dir/m.onnx")),
                    xtnn::io_error);
}
