// SPDX-License-Identifier: MIT
// Layers by name: every built-in kind from the registry, the layer-list syntax programs take
// ("dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax"), and its errors.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>

TEST_CASE("registry: a layer list builds the network it names")
{
    const auto net =
        xtnn::parse_network<float>("dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax", 784);
    REQUIRE(net.describe() == "784-256-10 (dense, batch_norm, relu, dropout, dense, softmax)");
    REQUIRE(net.layer<xtnn::dropout<float>>(3).rate() == 0.2);
    REQUIRE(net.layer<xtnn::dense<float>>(4).units() == 10);

    // Settings after colons, positional or named; spaces around items are allowed.
    const auto other = xtnn::parse_network<double>(
        "rescale:0.00392157, dense:64:false, leaky_relu:0.1, elu:1.0, gelu:tanh, "
        "batch_norm:momentum=0.99:epsilon=0.001, layer_norm:1e-3, silu, swish, softplus, tanh, "
        "sigmoid, identity, dense:3, softmax",
        8);
    REQUIRE(other.layer<xtnn::rescale<double>>(0).scale() == 0.00392157);
    REQUIRE_FALSE(other.layer<xtnn::dense<double>>(1).use_bias());
    REQUIRE(other.layer<xtnn::leaky_relu<double>>(2).alpha() == 0.1);
    REQUIRE(other.layer<xtnn::elu<double>>(3).alpha() == 1.0);
    REQUIRE(other.layer<xtnn::gelu<double>>(4).approximate() == "tanh");
    REQUIRE(other.layer<xtnn::batch_norm<double>>(5).momentum() == 0.99);
    REQUIRE(other.layer<xtnn::batch_norm<double>>(5).epsilon() == 0.001);
    REQUIRE(other.layer<xtnn::layer_norm<double>>(6).epsilon() == 1e-3);
    REQUIRE(other.layer(8).kind() == "silu");  // swish is SiLU's other name
    REQUIRE(other.outputs() == 3);
}

TEST_CASE("registry: a bad item is named, and an unknown kind lists the known ones")
{
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("dense:256,relux,dense:10", 784),
                        Catch::Matchers::Contains("'relux'") &&
                            Catch::Matchers::Contains("unknown layer kind") &&
                            Catch::Matchers::Contains("batch_norm, dense, dropout, elu, gelu") &&
                            Catch::Matchers::Contains("softmax"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("dense:many", 784),
                        Catch::Matchers::Contains("'dense:many'") &&
                            Catch::Matchers::Contains("units = many; expected a number"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("dropout:1.5", 784),
                        Catch::Matchers::Contains("'dropout:1.5'") &&
                            Catch::Matchers::Contains("0 <= rate < 1"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("relu:0.1", 784),
                        Catch::Matchers::Contains("'relu:0.1'") &&
                            Catch::Matchers::Contains("takes 0 settings without a name"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("batch_norm:mass=2", 784),
                        Catch::Matchers::Contains("no setting 'mass'"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("dense:10,,softmax", 784),
                        Catch::Matchers::Contains("empty item"));
    REQUIRE_THROWS_WITH(xtnn::parse_network<float>("dense:10:true:3", 784),
                        Catch::Matchers::Contains("takes 2 settings without a name (units, use_bias)"));
}

TEST_CASE("registry: every built-in kind is registered and rebuilds from its configuration")
{
    auto& registry = xtnn::layer_registry<float>::global();
    const std::vector<std::string> kinds{"batch_norm", "dense",   "dropout",  "elu",      "gelu",
                                         "identity",   "layer_norm", "leaky_relu", "relu",
                                         "rescale",    "sigmoid", "silu",     "softmax",  "softplus",
                                         "standardize", "swish",  "tanh"};
    REQUIRE(registry.kinds() == kinds);
    const xtnn::network<float> net{xtnn::dense(4, 3),      xtnn::batch_norm(0.8, 1e-4, false),
                                   xtnn::leaky_relu(0.3),  xtnn::elu(0.5),
                                   xtnn::gelu("tanh"),     xtnn::dropout(0.25),
                                   xtnn::layer_norm(1e-6), xtnn::rescale(2, -1),
                                   xtnn::softmax()};
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const auto& layer = net.layer(i);
        INFO("layer " << net.name(i));
        const auto rebuilt = registry.make(layer.kind(), layer.config());
        REQUIRE(rebuilt.kind() == layer.kind());
        REQUIRE(rebuilt.config() == layer.config());
    }
    REQUIRE(xtnn::make_layer<double>("leaky_relu:0.2").get<xtnn::leaky_relu<double>>().alpha() == 0.2);
}
