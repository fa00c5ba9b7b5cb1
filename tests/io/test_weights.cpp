// SPDX-License-Identifier: MIT
// Weight files onto networks: the book's pickle, .npz round trips, and every way a file can
// fail to fit a network. Expected outputs from numpy (see test_network.cpp for the math).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "temp_files.hpp"

namespace
{
// A 3-2-2 network as the book stores its weights, made by:
//   W1 = np.asfortranarray(np.array([[0.1,-0.2],[0.3,0.4],[-0.5,0.6]], np.float32))
//   b1 = np.array([0.01,-0.02], np.float32)
//   W2 = np.asfortranarray(np.array([[1,-1],[0,2]], np.float32)); b2 = np.array([0.5,0],
//   np.float32) pickle.dumps({'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}, protocol=3)
const std::vector<unsigned char> book_style_pickle{
    0x80, 0x03, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x02, 0x00, 0x00, 0x00, 0x57, 0x31, 0x71, 0x01, 0x63,
    0x6e, 0x75, 0x6d, 0x70, 0x79, 0x2e, 0x63, 0x6f, 0x72, 0x65, 0x2e, 0x6d, 0x75, 0x6c, 0x74, 0x69,
    0x61, 0x72, 0x72, 0x61, 0x79, 0x0a, 0x5f, 0x72, 0x65, 0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75,
    0x63, 0x74, 0x0a, 0x71, 0x02, 0x63, 0x6e, 0x75, 0x6d, 0x70, 0x79, 0x0a, 0x6e, 0x64, 0x61, 0x72,
    0x72, 0x61, 0x79, 0x0a, 0x71, 0x03, 0x4b, 0x00, 0x85, 0x71, 0x04, 0x43, 0x01, 0x62, 0x71, 0x05,
    0x87, 0x71, 0x06, 0x52, 0x71, 0x07, 0x28, 0x4b, 0x01, 0x4b, 0x03, 0x4b, 0x02, 0x86, 0x71, 0x08,
    0x63, 0x6e, 0x75, 0x6d, 0x70, 0x79, 0x0a, 0x64, 0x74, 0x79, 0x70, 0x65, 0x0a, 0x71, 0x09, 0x58,
    0x02, 0x00, 0x00, 0x00, 0x66, 0x34, 0x71, 0x0a, 0x89, 0x88, 0x87, 0x71, 0x0b, 0x52, 0x71, 0x0c,
    0x28, 0x4b, 0x03, 0x58, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x71, 0x0d, 0x4e, 0x4e, 0x4e, 0x4a, 0xff,
    0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0x00, 0x74, 0x71, 0x0e, 0x62, 0x88, 0x43,
    0x18, 0xcd, 0xcc, 0xcc, 0x3d, 0x9a, 0x99, 0x99, 0x3e, 0x00, 0x00, 0x00, 0xbf, 0xcd, 0xcc, 0x4c,
    0xbe, 0xcd, 0xcc, 0xcc, 0x3e, 0x9a, 0x99, 0x19, 0x3f, 0x71, 0x0f, 0x74, 0x71, 0x10, 0x62, 0x58,
    0x02, 0x00, 0x00, 0x00, 0x62, 0x31, 0x71, 0x11, 0x68, 0x02, 0x68, 0x03, 0x4b, 0x00, 0x85, 0x71,
    0x12, 0x68, 0x05, 0x87, 0x71, 0x13, 0x52, 0x71, 0x14, 0x28, 0x4b, 0x01, 0x4b, 0x02, 0x85, 0x71,
    0x15, 0x68, 0x0c, 0x89, 0x43, 0x08, 0x0a, 0xd7, 0x23, 0x3c, 0x0a, 0xd7, 0xa3, 0xbc, 0x71, 0x16,
    0x74, 0x71, 0x17, 0x62, 0x58, 0x02, 0x00, 0x00, 0x00, 0x57, 0x32, 0x71, 0x18, 0x68, 0x02, 0x68,
    0x03, 0x4b, 0x00, 0x85, 0x71, 0x19, 0x68, 0x05, 0x87, 0x71, 0x1a, 0x52, 0x71, 0x1b, 0x28, 0x4b,
    0x01, 0x4b, 0x02, 0x4b, 0x02, 0x86, 0x71, 0x1c, 0x68, 0x0c, 0x88, 0x43, 0x10, 0x00, 0x00, 0x80,
    0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x40, 0x71, 0x1d, 0x74,
    0x71, 0x1e, 0x62, 0x58, 0x02, 0x00, 0x00, 0x00, 0x62, 0x32, 0x71, 0x1f, 0x68, 0x02, 0x68, 0x03,
    0x4b, 0x00, 0x85, 0x71, 0x20, 0x68, 0x05, 0x87, 0x71, 0x21, 0x52, 0x71, 0x22, 0x28, 0x4b, 0x01,
    0x4b, 0x02, 0x85, 0x71, 0x23, 0x68, 0x0c, 0x89, 0x43, 0x08, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00,
    0x00, 0x00, 0x71, 0x24, 0x74, 0x71, 0x25, 0x62, 0x75, 0x2e};

// numpy: softmax(sigmoid(X@W1 + b1)@W2 + b2) for X = [[1,2,3],[-1,0.5,2]].
const std::vector<double> expected_output{0.33042986, 0.66957014, 0.35512003, 0.64487997};

using xtnn_test::temp_path;

std::string write_temp(const std::string& name, const std::vector<unsigned char>& bytes)
{
    const std::string path = temp_path(name);
    xtnn_test::write_raw(path, bytes);
    return path;
}

template <class T>
const xtnn::matrix<T> example_x{{1, 2, 3}, {-1, 0.5, 2}};
}  // namespace

TEMPLATE_TEST_CASE("weights: load_network builds the network from a pickle's shapes", "", float,
                   double)
{
    const std::string path = write_temp("book_style.pkl", book_style_pickle);
    const auto net = xtnn::io::load_network<TestType>(path);
    REQUIRE(net.describe() == "3-2 (dense, sigmoid, dense, softmax)");
    REQUIRE(net.widths() == std::vector<std::size_t>{3, 2, 2, 2, 2});
    // W1 was stored in Fortran order: row 2 must read (-0.5, 0.6).
    const auto& w1 = net.template layer<xtnn::dense<TestType>>(0).kernel();
    REQUIRE(w1(2, 0) == Approx(-0.5));
    REQUIRE(w1(2, 1) == Approx(0.6));
    // The activations are the caller's: the format does not record them.
    const auto relu_net = xtnn::io::load_network<TestType>(path, xtnn::relu(), xtnn::softmax());
    REQUIRE(relu_net.layer(1).kind() == "relu");
    xtnn_test::require_all_close(net.predict(example_x<TestType>), expected_output, 1e-6);
}

TEST_CASE("weights: save_weights then load_weights gives identical predictions")
{
    const std::string pkl = write_temp("book_style2.pkl", book_style_pickle);
    const auto original = xtnn::io::load_network<float>(pkl);
    const std::string npz = temp_path("saved.npz");
    xtnn::io::save_weights(original, npz);

    xtnn::network<float> restored({3, 2, 2}, xtnn::sigmoid(), xtnn::softmax());
    xtnn::io::load_weights(restored, npz);
    const bool same_after_load =
        restored.predict(example_x<float>) == original.predict(example_x<float>);
    REQUIRE(same_after_load);
    // load_network reads the same file back with the same widths.
    REQUIRE(xtnn::io::load_network<float>(npz).describe() == original.describe());

    // Saving over an existing file replaces it whole and leaves no temporary behind.
    xtnn::io::save_weights(restored, npz);
    REQUIRE_FALSE(xtnn_test::temporary_left_beside(npz));
    const bool same_after_resave = xtnn::io::load_network<float>(npz).predict(example_x<float>) ==
                                   original.predict(example_x<float>);
    REQUIRE(same_after_resave);
}

TEST_CASE("weights: an array that does not fit names the layer and both shapes")
{
    const std::string path = write_temp("book_style3.pkl", book_style_pickle);
    xtnn::network<float> wider({3, 4, 2}, xtnn::sigmoid(), xtnn::softmax());
    REQUIRE_THROWS_AS(xtnn::io::load_weights(wider, path), xtnn::shape_error);
    REQUIRE_THROWS_WITH(
        xtnn::io::load_weights(wider, path),
        Catch::Matchers::Contains("W1 has shape (3, 2) but layer 1 expects (3, 4)") &&
            Catch::Matchers::Contains(path));
    // The failed load changed nothing.
    const bool unchanged = xt::all(xt::equal(wider.layer<xtnn::dense<float>>(0).kernel(), 0.0f));
    REQUIRE(unchanged);

    xtnn::network<float> deeper({3, 2, 2, 2}, xtnn::sigmoid(), xtnn::softmax());
    REQUIRE_THROWS_WITH(xtnn::io::load_weights(deeper, path),
                        Catch::Matchers::Contains("holds 2 layers") &&
                            Catch::Matchers::Contains("network has 3 dense layers"));
}

TEST_CASE("weights: missing arrays and files that are not weight files are refused")
{
    const std::string npz = temp_path("no_bias.npz");
    xtnn::io::named_arrays arrays;
    arrays.emplace_back("W1", xtnn::io::to_ndarray(xtnn::matrix<float>(xt::zeros<float>({3, 2}))));
    xtnn::io::save_npz(arrays, npz);
    REQUIRE_THROWS_AS(xtnn::io::load_network<float>(npz), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_network<float>(npz),
                        Catch::Matchers::Contains("no array named b1") &&
                            Catch::Matchers::Contains("holds W1"));

    const std::string text = write_temp("not_weights.txt", {'h', 'e', 'l', 'l', 'o'});
    REQUIRE_THROWS_AS(xtnn::io::read_weight_file(text), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_weight_file(text),
                        Catch::Matchers::Contains("not a weight file"));
    REQUIRE_THROWS_AS(xtnn::io::read_weight_file(temp_path("does_not_exist.npz")), xtnn::io_error);

    // Widths that do not chain: W2 of (3, 2) after W1 of (3, 2).
    const std::string broken = temp_path("broken_chain.npz");
    xtnn::io::named_arrays chain;
    chain.emplace_back("W1", xtnn::io::to_ndarray(xtnn::matrix<float>(xt::zeros<float>({3, 2}))));
    chain.emplace_back("b1", xtnn::io::to_ndarray(xtnn::vector<float>(xt::zeros<float>({2}))));
    chain.emplace_back("W2", xtnn::io::to_ndarray(xtnn::matrix<float>(xt::zeros<float>({3, 2}))));
    chain.emplace_back("b2", xtnn::io::to_ndarray(xtnn::vector<float>(xt::zeros<float>({2}))));
    xtnn::io::save_npz(chain, broken);
    REQUIRE_THROWS_WITH(xtnn::io::load_network<float>(broken),
                        Catch::Matchers::Contains("W2 has shape (3, 2); expected (2, out)"));
}

TEST_CASE("weights: a lying W1 shape is refused by its b1 before any layer is made")
{
    // W1 claims (0, 500000000): no values, so the file is tiny, but a network built from it
    // would allocate a bias of 500M floats (2 GB) before noticing. b1 must be there, and be
    // (500000000,), which the file would have to hold: it is checked first.
    const std::string path = temp_path("lying_w1.npz");
    xtnn::io::ndarray w1;
    w1.type = xtnn::io::dtype::f4;
    w1.shape = {0, 500000000};
    xtnn::io::named_arrays arrays;
    arrays.emplace_back("W1", w1);
    xtnn::io::save_npz(arrays, path);
    REQUIRE(std::filesystem::file_size(path) < 1000);
    REQUIRE_THROWS_WITH(xtnn::io::load_network<float>(path),
                        Catch::Matchers::Contains(path) &&
                            Catch::Matchers::Contains("no array named b1"));
    // With a b1 of another length: a shape error naming the file and both arrays.
    arrays.emplace_back("b1", xtnn::io::to_ndarray(xtnn::vector<float>(xt::zeros<float>({3}))));
    xtnn::io::save_npz(arrays, path);
    REQUIRE_THROWS_AS(xtnn::io::load_network<float>(path), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::io::load_network<float>(path),
                        Catch::Matchers::Contains(path) &&
                            Catch::Matchers::Contains("b1 has shape (3,); expected (500000000,), "
                                                      "the W1 (0, 500000000) it goes with"));
}

TEST_CASE("weights: arrays are found by name among many, the first of equal names winning")
{
    // 20,000 other arrays before the weights (a pickle's memo can give one array many names):
    // load_network looks each name up in an index, not by scanning them all per layer.
    xtnn::io::named_arrays arrays;
    const auto tiny = xtnn::io::to_ndarray(xtnn::vector<float>(xt::zeros<float>({1})));
    for (int i = 0; i < 20000; ++i)
    {
        arrays.emplace_back("other" + std::to_string(i), tiny);
    }
    arrays.emplace_back("W1", xtnn::io::to_ndarray(xtnn::matrix<float>({{1, 2}, {3, 4}, {5, 6}})));
    arrays.emplace_back("b1", xtnn::io::to_ndarray(xtnn::vector<float>({0.5f, -0.5f})));
    arrays.emplace_back("W1", tiny);  // a second W1: not the one used
    const xtnn::io::array_index index(arrays);
    REQUIRE(index.find("W1") == &arrays[20000].second);
    REQUIRE(index.find("other19999") == &arrays[19999].second);
    REQUIRE(index.find("W2") == nullptr);
    REQUIRE(xtnn::io::find_array(arrays, "W1") == index.find("W1"));

    xtnn::network<float> net(std::vector<std::size_t>{3, 2}, xtnn::identity(), xtnn::identity());
    xtnn::io::load_weights(net, arrays, "arrays");
    // x (1, 3) = (1, 1, 1): x W1 + b1 = (1+3+5+0.5, 2+4+6-0.5) = (9.5, 11.5)
    const xtnn::matrix<float> x = {{1, 1, 1}};
    REQUIRE((net.predict(x) == xtnn::matrix<float>({{9.5f, 11.5f}})));
}

TEST_CASE("weights: a save that cannot complete leaves what was there and no temporary")
{
    const std::string pkl = write_temp("book_style4.pkl", book_style_pickle);
    const auto net = xtnn::io::load_network<float>(pkl);

    // The rename onto a non-empty directory fails after the data was written: the directory
    // and its contents must survive, and the temporary must be gone.
    const xtnn_test::temp_dir scratch;
    const std::string occupied = scratch.file("occupied.npz");
    std::filesystem::create_directory(occupied);
    xtnn_test::write_text(occupied + "/keep.txt", "precious");
    REQUIRE_THROWS_AS(xtnn::io::save_weights(net, occupied), xtnn::io_error);
    REQUIRE_THROWS_WITH(xtnn::io::save_weights(net, occupied), Catch::Matchers::Contains(occupied));
    REQUIRE(std::filesystem::is_directory(occupied));
    REQUIRE(std::filesystem::exists(occupied + "/keep.txt"));
    REQUIRE_FALSE(xtnn_test::temporary_left_beside(occupied));

    // A missing directory is reported with the path.
    REQUIRE_THROWS_WITH(xtnn::io::save_weights(net, scratch.file("missing/w.npz")),
                        Catch::Matchers::Contains("missing/w.npz"));
}

TEST_CASE("weights: the W1, b1 format refuses a layer it cannot hold, naming it")
{
    const xtnn::network<float> net{xtnn::dense(3, 4), xtnn::batch_norm(), xtnn::relu(),
                                   xtnn::dense(2), xtnn::softmax()};
    REQUIRE_THROWS_AS(xtnn::io::save_weights(net, temp_path("bn.npz")), xtnn::format_error);
    REQUIRE_THROWS_WITH(
        xtnn::io::save_weights(net, temp_path("bn.npz")),
        Catch::Matchers::Contains("layer 2 (batch_norm_1) has parameters gamma, beta"));
    // Layers without parameters (activations, dropout, rescaling) are no obstacle.
    xtnn::network<float> plain{xtnn::rescale(0.5), xtnn::dense(3, 2), xtnn::dropout(0.5),
                               xtnn::sigmoid(),    xtnn::dense(2),    xtnn::softmax()};
    plain.layer<xtnn::dense<float>>(1).kernel() = {{0.1f, -0.2f}, {0.3f, 0.4f}, {-0.5f, 0.6f}};
    const std::string path = temp_path("plain.npz");
    xtnn::io::save_weights(plain, path);
    xtnn::network<float> back{xtnn::rescale(0.5), xtnn::dense(3, 2), xtnn::dropout(0.5),
                              xtnn::sigmoid(),    xtnn::dense(2),    xtnn::softmax()};
    xtnn::io::load_weights(back, path);
    REQUIRE((back.predict(example_x<float>) == plain.predict(example_x<float>)));
}

TEST_CASE("weights: a save removes the temporaries of killed saves, never a running program's")
{
    const xtnn_test::temp_dir scratch;
    const std::string path = scratch.file("w.npz");
    // A pid no process has (above Linux's pid_max), and this program's own.
    const std::string stale = path + ".tmp-xtnn-2147483600-12345";
    const std::string running =
        path + ".tmp-xtnn-" + std::to_string(xtnn::detail::process_id()) + "-678";
    xtnn_test::write_text(stale, "left by a save that was killed");
    xtnn_test::write_text(running, "another save in this program");
    xtnn::io::save_weights(xtnn::network<float>({3, 2}, xtnn::relu(), xtnn::softmax()), path);
    REQUIRE_FALSE(std::filesystem::exists(stale));
    REQUIRE(std::filesystem::exists(running));
    REQUIRE(std::filesystem::exists(path));
}

TEST_CASE("weights: parse_network builds a network from weight-file bytes held in memory")
{
    // W1 (2, 2) = [[1, 0], [0, 1]], b1 = [0, 0]; W2 (2, 1) = [[2], [3]], b2 = [1]; identity
    // activations: x = (1, 2) gives 1 + 2*1 + 3*2 = 9.
    xtnn::io::named_arrays arrays;
    arrays.emplace_back("W1", xtnn::io::to_ndarray(xtnn::matrix<float>{{1, 0}, {0, 1}}));
    arrays.emplace_back("b1", xtnn::io::to_ndarray(xtnn::vector<float>{0, 0}));
    arrays.emplace_back("W2", xtnn::io::to_ndarray(xtnn::matrix<float>{{2}, {3}}));
    arrays.emplace_back("b2", xtnn::io::to_ndarray(xtnn::vector<float>{1}));
    const auto npz = xtnn::io::detail::format_npz(arrays, true, "test");
    const auto net = xtnn::io::parse_network<float>(npz.data(), npz.size(), "<memory>",
                                                    xtnn::identity<float>(), xtnn::identity<float>());
    const xtnn::matrix<float> x{{1, 2}};
    REQUIRE(net.predict(x)(0, 0) == 9.0f);
    const std::vector<std::uint8_t> text = {'n', 'o', 'p', 'e'};
    REQUIRE_THROWS_WITH(xtnn::io::parse_network<float>(text.data(), text.size()),
                        Catch::Matchers::Contains("\"<memory>\": not a weight file"));
    arrays.pop_back();
    const auto short_npz = xtnn::io::detail::format_npz(arrays, false, "test");
    REQUIRE_THROWS_WITH(xtnn::io::parse_network<float>(short_npz.data(), short_npz.size(), "m.npz"),
                        Catch::Matchers::Contains("\"m.npz\"") &&
                            Catch::Matchers::Contains("no array named b2"));
}
