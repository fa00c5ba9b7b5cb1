// SPDX-License-Identifier: MIT
// Model files: a network of every layer kind comes back exactly (layers, settings, parameter
// options, BatchNorm's running statistics, names), a layer of your own through its
// registration, and every way a file can be wrong is refused with what is wrong: a changed
// byte, a missing or extra array, a newer format, an unknown kind, outputs that differ.
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/model.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "corruption.hpp"
#include "temp_files.hpp"

namespace
{
using Catch::Matchers::Contains;
using xtnn_test::temp_path;

xtnn::network<float> every_kind()
{
    xtnn::network<float> net{xtnn::rescale(1 / 255.0), xtnn::dense(6, 8), xtnn::batch_norm(0.8),
                             xtnn::leaky_relu(0.2),     xtnn::dropout(0.25), xtnn::dense(5, xtnn::no_bias),
                             xtnn::layer_norm(1e-4),    xtnn::gelu("tanh"),  xtnn::elu(0.5),
                             xtnn::silu(),              xtnn::softplus(),    xtnn::tanh(),
                             xtnn::sigmoid(),           xtnn::identity(),    xtnn::relu(),
                             xtnn::dense(3),            xtnn::softmax()};
    std::mt19937_64 engine(7);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    auto& bn = net.layer<xtnn::batch_norm<float>>(2);
    bn.running_mean() = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f};
    bn.running_variance() = {1.1f, 1.2f, 0.3f, 0.4f, 2.5f, 1.6f, 0.7f, 0.8f};
    bn.gamma_options().weight_decay = 0.5;  // a changed option must survive too
    net.layer<xtnn::dense<float>>(15).kernel_options().trainable = false;
    return net;
}

const xtnn::matrix<float> x{{0, 50, 100, 150, 200, 255}, {255, 0, 128, 64, 32, 16}};

/// The members of a saved model, to damage one and write the archive back.
std::vector<xtnn::io::zip_member> members_of(const std::string& path)
{
    const auto bytes = xtnn::detail::read_file(path, "test");
    return xtnn::io::parse_zip(bytes.data(), bytes.size(), path);
}
void write_members(const std::string& path, const std::vector<xtnn::io::zip_member>& members)
{
    xtnn::detail::write_file_atomically(path, xtnn::io::detail::format_zip(members, true, "test"),
                                        "test");
}
xtnn::io::zip_member& member(std::vector<xtnn::io::zip_member>& members, const std::string& name)
{
    for (auto& m : members)
    {
        if (m.name == name)
        {
            return m;
        }
    }
    FAIL("no member " << name);
    return members.front();
}
std::string text_of(const xtnn::io::zip_member& m)
{
    return std::string(m.data.begin(), m.data.end());
}
void set_text(xtnn::io::zip_member& m, const std::string& text)
{
    m.data.assign(text.begin(), text.end());
}
void replace(std::string& text, const std::string& from, const std::string& to)
{
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
}
}  // namespace

TEST_CASE("model: a network of every layer kind comes back exactly")
{
    const auto net = every_kind();
    const std::string path = temp_path("every_kind.npz");
    xtnn::io::model_info info;
    info.classes = {"a", "b", "c"};
    info.input_description = "raw values 0..255";
    info.training["optimizer"] = "adam";
    info.training["epochs"] = 3;
    xtnn::io::save_model(net, path, info);

    const auto loaded = xtnn::io::load_model<float>(path);
    REQUIRE(loaded.net.describe() == net.describe());
    REQUIRE(loaded.info.classes == info.classes);
    REQUIRE(loaded.info.input_description == "raw values 0..255");
    REQUIRE(loaded.info.input_shape == std::vector<std::size_t>{6});
    REQUIRE(loaded.info.training["epochs"] == 3);
    REQUIRE(loaded.written_by == xtnn::version_string);
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        INFO("layer " << net.name(i));
        REQUIRE(loaded.net.name(i) == net.name(i));
        REQUIRE(loaded.net.layer(i).config() == net.layer(i).config());
        for (std::size_t p = 0; p < net.layer(i).parameter_count(); ++p)
        {
            const auto a = net.layer(i).parameter(p);
            const auto b = loaded.net.layer(i).parameter(p);
            REQUIRE(std::vector<float>(a.data, a.data + a.size()) ==
                    std::vector<float>(b.data, b.data + b.size()));
            REQUIRE(b.options->trainable == a.options->trainable);
            REQUIRE(b.options->weight_decay == a.options->weight_decay);
        }
    }
    const auto& bn = loaded.net.layer<xtnn::batch_norm<float>>(2);
    REQUIRE((bn.running_variance() == net.layer<xtnn::batch_norm<float>>(2).running_variance()));
    xtnn_test::require_equal(loaded.net.predict(x), net.predict(x));

    // One .npy member per parameter and state, named by layer, after model.json: what np.load
    // shows as "dense_1/kernel" ... (tests/tools/test_xtnn_model.py opens it with numpy).
    const auto members = members_of(path);
    REQUIRE(members.at(0).name == "model.json");
    REQUIRE(members.at(1).name == "dense_1/kernel.npy");
    REQUIRE(members.at(2).name == "dense_1/bias.npy");
    REQUIRE(members.at(3).name == "batch_norm_1/gamma.npy");
    REQUIRE(members.at(5).name == "batch_norm_1/moving_mean.npy");
    REQUIRE(members.at(6).name == "batch_norm_1/moving_variance.npy");
    REQUIRE(members.at(7).name == "dense_2/kernel.npy");  // no bias: use_bias false
    REQUIRE(members.at(8).name == "layer_norm_1/gamma.npy");
}

TEST_CASE("model: a float model loads as double, and the golden check still holds")
{
    const auto net = every_kind();
    const std::string path = temp_path("as_double.npz");
    xtnn::io::save_model(net, path);
    const auto loaded = xtnn::io::load_model<double>(path);
    xtnn_test::require_all_close(loaded.net.predict(xtnn::matrix<double>(xt::cast<double>(x))),
                                 net.predict(x), 1e-5);
}

TEST_CASE("model: any changed byte of any array is caught, naming the array")
{
    const std::string path = temp_path("changed.npz");
    xtnn::io::save_model(every_kind(), path);
    for (const char* name : {"dense_1/kernel.npy", "batch_norm_1/moving_variance.npy",
                             "check/outputs.npy"})
    {
        auto members = members_of(path);
        auto& m = member(members, name);
        m.data.back() ^= 0x01;  // the last byte of the array's data
        const std::string damaged = temp_path("damaged.npz");
        write_members(damaged, members);
        const std::string array = std::string(name).substr(0, std::string(name).size() - 4);
        REQUIRE_THROWS_AS(xtnn::io::load_model<float>(damaged), xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(damaged),
                            Contains("array \"" + array + "\" has CRC-32") &&
                                Contains("the array was changed") && Contains(damaged));
    }
}

TEST_CASE("model: outputs that differ from the saved ones name the row, column and values")
{
    const std::string path = temp_path("golden.npz");
    xtnn::io::save_model(every_kind(), path);
    auto members = members_of(path);
    // Change a weight, with checksums off: the network now computes other outputs.
    auto& kernel = member(members, "dense_2/kernel.npy");
    kernel.data[kernel.data.size() - 2] ^= 0x40;
    const std::string changed = temp_path("golden_changed.npz");
    write_members(changed, members);
    xtnn::io::model_load_options options;
    options.verify_checksums = false;
    REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(changed, options),
                        Contains("the golden check fails at output row") &&
                            Contains("column") && Contains("the file expects"));
    options.verify_outputs = false;
    REQUIRE_NOTHROW(xtnn::io::load_model<float>(changed, options));
}

TEST_CASE("model: missing, extra and misnamed arrays are named")
{
    const std::string path = temp_path("arrays.npz");
    xtnn::io::save_model(every_kind(), path);
    {
        auto members = members_of(path);
        members.erase(members.begin() + 2);  // the second array after model.json
        write_members(temp_path("missing.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("missing.npz")),
                            Contains("no array \"dense_1/bias\" in the archive; model.json lists it"));
    }
    {
        auto members = members_of(path);
        members.push_back({"stray.npy", member(members, "dense_1/bias.npy").data});
        write_members(temp_path("extra.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("extra.npz")),
                            Contains("array \"stray\" is not listed in model.json"));
    }
    {
        // A weights-only file is not a model file, and says what to use instead.
        const std::string weights = temp_path("weights_only.npz");
        xtnn::io::save_weights(xtnn::network<float>({3, 2}, xtnn::relu(), xtnn::softmax()), weights);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(weights),
                            Contains("no member model.json") && Contains("load_network"));
    }
}

TEST_CASE("model: a newer format version, a foreign file and an unknown kind are refused")
{
    const std::string path = temp_path("versions.npz");
    xtnn::io::save_model(every_kind(), path);
    {
        auto members = members_of(path);
        auto& json = member(members, "model.json");
        std::string text = text_of(json);
        replace(text, "\"format_version\": 1", "\"format_version\": 7");
        set_text(json, text);
        write_members(temp_path("newer.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("newer.npz")),
                            Contains("written in model format version 7") &&
                                Contains("reads format versions 1 to 1"));
    }
    {
        auto members = members_of(path);
        auto& json = member(members, "model.json");
        std::string text = text_of(json);
        replace(text, "\"kind\": \"gelu\"", "\"kind\": \"swiglu\"");
        set_text(json, text);
        write_members(temp_path("unknown.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("unknown.npz")),
                            Contains("layer 8 (gelu_1): unknown layer kind 'swiglu'") &&
                                Contains("register_layer"));
    }
    {
        auto members = members_of(path);
        set_text(member(members, "model.json"), "{\"format\": \"keras\"}");
        write_members(temp_path("foreign.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("foreign.npz")),
                            Contains("\"format\" is not \"xtnn-model\""));
        set_text(member(members, "model.json"), "{not json");
        write_members(temp_path("broken.npz"), members);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("broken.npz")),
                            Contains("model.json is not valid JSON"));
    }
    {
        // An array of another shape than its layer needs.
        auto members = members_of(path);
        auto& json = member(members, "model.json");
        std::string text = text_of(json);
        replace(text, "\"units\": 3", "\"units\": 4");
        replace(text, "\"output_width\": 3", "\"output_width\": 4");
        set_text(json, text);
        write_members(temp_path("shape.npz"), members);
        // Its settings need other arrays than the file holds: refused before it allocates.
        REQUIRE_THROWS_AS(xtnn::io::load_model<float>(temp_path("shape.npz")), xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(temp_path("shape.npz")),
                            Contains("layer 16 (dense_3): its settings for 5 inputs need 24 "
                                     "values; the file holds 18"));
    }
}

TEST_CASE("model: class names must match the outputs; a failed save keeps the old file")
{
    xtnn::io::model_info info;
    info.classes = {"only one"};
    REQUIRE_THROWS_WITH(xtnn::io::save_model(every_kind(), temp_path("c.npz"), info),
                        Contains("1 class names for a network of 3 outputs"));
    const xtnn_test::temp_dir scratch;
    REQUIRE_THROWS_AS(xtnn::io::save_model(every_kind(), scratch.file("missing/m.npz")),
                      xtnn::io_error);
}

TEST_CASE("model: every layer kind round-trips in double too")
{
    const std::string float_path = temp_path("every_kind_float.npz");
    xtnn::io::save_model(every_kind(), float_path);
    const xtnn::network<double> net = xtnn::io::load_model<double>(float_path).net;
    const std::string path = temp_path("every_kind_double.npz");
    xtnn::io::save_model(net, path);
    const auto loaded = xtnn::io::load_model<double>(path);
    const xtnn::matrix<double> xd = xt::cast<double>(x);
    xtnn_test::require_equal(loaded.net.predict(xd), net.predict(xd));
    REQUIRE(loaded.net.describe() == net.describe());
}

TEST_CASE("model: a model.json that lacks a field or lies about a width is refused before "
          "anything is allocated from it")
{
    const std::string path = temp_path("fields.npz");
    xtnn::io::save_model(every_kind(), path);
    const auto with_json = [&](const std::string& from, const std::string& to)
    {
        auto members = members_of(path);
        auto& json = member(members, "model.json");
        std::string text = text_of(json);
        replace(text, from, to);
        set_text(json, text);
        const std::string changed = temp_path("fields_changed.npz");
        write_members(changed, members);
        return changed;
    };
    REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(with_json("\"layers\"", "\"strata\"")),
                        Contains("model.json has no \"layers\""));
    REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(with_json("\"kind\": \"dense\"", "\"kind\": 7")),
                        Contains("model.json's \"kind\" is 7; expected a string"));
    // 2^40 units on dense_1: its kernel would be 6·2^40 values; the file holds 56.
    const std::string huge = with_json("\"units\": 8", "\"units\": 1099511627776");
    REQUIRE_THROWS_AS(xtnn::io::load_model<float>(huge), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_model<float>(huge),
                        Contains("layer 2 (dense_1): its settings for 6 inputs need "
                                 "7696581394432 values; the file holds 56"));
    // A string where a number belongs, deep in a layer: a format_error, not the JSON library's.
    REQUIRE_THROWS_AS(
        xtnn::io::load_model<float>(with_json("\"trainable\": true", "\"trainable\": \"yes\"")),
        xtnn::format_error);
}

TEST_CASE("model: a truncated or damaged file is refused, never a crash or another exception")
{
    // A small model, so that every prefix and every byte flip can be tried.
    xtnn::network<float> net{xtnn::rescale(0.5), xtnn::dense(2, 3), xtnn::batch_norm(),
                             xtnn::relu(), xtnn::dense(2), xtnn::softmax()};
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    xtnn::io::model_info info;
    info.check_inputs = {{1, 2}};
    const auto bytes = xtnn::io::format_model(net, info);
    xtnn_test::require_damage_is_refused(bytes, [](const std::vector<std::uint8_t>& b)
                                         { return xtnn::io::parse_model<float>(b.data(), b.size()); });

    // The same inside a valid zip: every byte of model.json damaged in turn.
    auto members = xtnn::io::parse_zip(bytes.data(), bytes.size(), "small.npz");
    const auto json_bytes = members.at(0).data;
    std::size_t foreign = 0;
    for (std::size_t at = 0; at < json_bytes.size(); ++at)
    {
        for (std::uint8_t mask : {0x01, 0x20, 0x80})
        {
            members.at(0).data = json_bytes;
            members.at(0).data[at] ^= mask;
            const auto damaged = xtnn::io::detail::format_zip(members, false, "test");
            try
            {
                xtnn::io::parse_model<float>(damaged.data(), damaged.size());
            }
            catch (const xtnn::error&)
            {
            }
            catch (...)
            {
                ++foreign;
            }
        }
    }
    CHECK(foreign == 0);
}
