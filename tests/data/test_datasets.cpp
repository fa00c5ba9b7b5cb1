// SPDX-License-Identifier: MIT
// Tests for xtnn/data/datasets.hpp on tiny data sets written here: each set read from its own
// folder with its class names, EMNIST's transposed images and letters' labels from 1, the
// folder rules, and the errors (unknown names, missing files, another set's files).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/datasets.hpp>

#include "idx_files.hpp"
#include "temp_files.hpp"

namespace
{
namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;
using Catch::Matchers::Contains;
using xtnn_test::images_file;
using xtnn_test::labels_file;
using xtnn_test::temp_dir;
using xtnn_test::write_gz;

/// Writes <dir>/<stem>-images-idx3-ubyte.gz with n images, image i all zero but for byte
/// `marked` = 10 + i, and <stem>-labels-idx1-ubyte.gz with `labels`.
void write_part(const fs::path& dir, const std::string& stem, const bytes& labels,
                std::size_t marked)
{
    fs::create_directories(dir);
    bytes pixels(labels.size() * 784, 0);
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        pixels[i * 784 + marked] = static_cast<std::uint8_t>(10 + i);
    }
    write_gz((dir / (stem + "-images-idx3-ubyte.gz")).string(), images_file(labels.size(), pixels));
    write_gz((dir / (stem + "-labels-idx1-ubyte.gz")).string(), labels_file(labels));
}
}  // namespace

TEST_CASE("datasets: every known set has its folder and one class name per label",
          "[datasets]")
{
    const auto& sets = xtnn::data::known_datasets();
    REQUIRE(sets.size() == 10);
    REQUIRE(xtnn::data::known_dataset_names() ==
            "mnist, fashion-mnist, kmnist, emnist-digits, emnist-letters, emnist-balanced, "
            "emnist-mnist, emnist-byclass, emnist-bymerge, notmnist");
    // Class counts as the data sets publish them (Cohen et al. 2017 for EMNIST).
    const std::vector<std::pair<const char*, std::size_t>> classes = {
        {"mnist", 10},          {"fashion-mnist", 10}, {"kmnist", 10},
        {"emnist-digits", 10},  {"emnist-letters", 26}, {"emnist-balanced", 47},
        {"emnist-mnist", 10},   {"emnist-byclass", 62}, {"emnist-bymerge", 47},
        {"notmnist", 10}};
    for (const auto& [name, count] : classes)
    {
        CAPTURE(name);
        REQUIRE(xtnn::data::find_dataset(name).class_names.size() == count);
    }
    const auto& fashion = xtnn::data::find_dataset("fashion-mnist").class_names;
    REQUIRE(fashion.front() == "T-shirt/top");
    REQUIRE(fashion[1] == "Trouser");
    REQUIRE(fashion.back() == "Ankle boot");
    const auto& balanced = xtnn::data::find_dataset("emnist-balanced").class_names;
    REQUIRE(balanced[10] == "A");
    REQUIRE(balanced[36] == "a");
    REQUIRE(balanced[46] == "t");
    const auto& byclass = xtnn::data::find_dataset("emnist-byclass").class_names;
    REQUIRE(byclass[35] == "Z");
    REQUIRE(byclass[61] == "z");
    REQUIRE(xtnn::data::find_dataset("notmnist").class_names.back() == "J");
    REQUIRE(xtnn::data::find_dataset("kmnist").class_names[3] == "tsu");
}

TEST_CASE("datasets: an unknown name lists the known ones", "[datasets][errors]")
{
    temp_dir dir;
    const auto call = [&] { return xtnn::data::load_dataset("fashon-mnist", dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::data::unknown_dataset);
    REQUIRE_THROWS_AS(call(), xtnn::error);
    REQUIRE_THROWS_WITH(call(), Contains("unknown data set \"fashon-mnist\"") &&
                                    Contains("known: mnist, fashion-mnist, kmnist, emnist-digits"));
}

TEST_CASE("datasets: fashion-mnist comes from DIR/fashion-mnist with its class names",
          "[datasets]")
{
    temp_dir dir;
    write_part(fs::path(dir.path()) / "fashion-mnist", "train", {9, 0, 1}, 100);
    write_part(fs::path(dir.path()) / "fashion-mnist", "t10k", {3, 8}, 200);
    const auto set = xtnn::data::load_dataset<float>("fashion-mnist", dir.path());
    REQUIRE(set.info->name == "fashion-mnist");
    REQUIRE(set.classes() == 10);
    REQUIRE(set.class_names()[9] == "Ankle boot");
    REQUIRE(set.train.size() == 3);
    REQUIRE(set.test.size() == 2);
    REQUIRE(set.train.labels(0) == 9);
    REQUIRE(set.test.labels(1) == 8);
    REQUIRE(set.train.images(2, 100) == Approx(12.0 / 255));  // image 2's mark 12, / 255
    REQUIRE(set.test.images(0, 200) == Approx(10.0 / 255));
    REQUIRE(set.notes.empty());
    REQUIRE_THAT(set.source, Contains("IDX files in") && Contains("fashion-mnist"));

    // The same files found when --data names the folder itself.
    const auto direct =
        xtnn::data::load_dataset<float>("fashion-mnist", dir.file("fashion-mnist"));
    REQUIRE(direct.train.size() == 3);
}

TEST_CASE("datasets: MNIST files in DIR are never read as another data set", "[datasets][errors]")
{
    temp_dir dir;
    // DIR itself holds MNIST-named files, DIR/kmnist is missing: kmnist must not take them.
    write_part(dir.path(), "train", {1, 2}, 0);
    write_part(dir.path(), "t10k", {3}, 0);
    REQUIRE(xtnn::data::load_dataset<float>("mnist", dir.path()).train.size() == 2);
    const auto call = [&] { return xtnn::data::load_dataset<float>("kmnist", dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::data::data_not_found);
    REQUIRE_THROWS_WITH(call(), Contains("Kuzushiji-MNIST") &&
                                    Contains("\"" + dir.file("kmnist") + "\"") &&
                                    !Contains("\"" + dir.path() + "\" or") &&
                                    Contains("train-images: tried train-images-idx3-ubyte") &&
                                    Contains("cmake -P cmake/fetch-data.cmake kmnist DIR"));
    try
    {
        call();
    }
    catch (const xtnn::data::data_not_found& e)
    {
        REQUIRE(e.dataset() == "kmnist");
        REQUIRE(e.directory() == dir.path());
    }
}

TEST_CASE("datasets: EMNIST images are turned the right way up, letters' labels start at 0",
          "[datasets]")
{
    temp_dir dir;
    const fs::path emnist = fs::path(dir.path()) / "emnist";
    // Stored (transposed) byte at row 5, column 2 = index 5 * 28 + 2 = 142: the image's pixel
    // at row 2, column 5 = flat index 2 * 28 + 5 = 61.
    write_part(emnist, "emnist-letters-train", {1, 26, 13}, 142);
    write_part(emnist, "emnist-letters-test", {2}, 142);
    const auto set = xtnn::data::load_dataset<double>("emnist-letters", dir.path());
    REQUIRE(set.classes() == 26);
    REQUIRE(set.train.labels(0) == 0);   // A
    REQUIRE(set.train.labels(1) == 25);  // Z
    REQUIRE(set.train.labels(2) == 12);  // M
    REQUIRE(set.class_names()[12] == "M");
    REQUIRE(set.test.labels(0) == 1);
    REQUIRE(set.train.images(1, 61) == Approx(11.0 / 255));
    REQUIRE(set.train.images(1, 142) == 0);
    REQUIRE(set.notes.size() == 2);
    REQUIRE_THAT(set.notes[0], Contains("transposed"));
    REQUIRE_THAT(set.notes[1], Contains("1..26 are returned as 0..25 (A..Z)"));

    // One-hot over the 26 classes, from 0.
    xtnn::data::mnist_options one_hot;
    one_hot.one_hot_label = true;
    const auto hot = xtnn::data::load_dataset_part<float>("emnist-letters", dir.path(),
                                                          xtnn::data::mnist_part::train, one_hot);
    REQUIRE(hot.train.labels.shape()[1] == 26);
    REQUIRE(hot.train.labels(1, 25) == 1);
    REQUIRE(hot.train.labels(1, 24) == 0);
    REQUIRE(hot.test.size() == 0);

    // EMNIST's names carry the split, so the files may also sit in DIR itself.
    const auto flat = xtnn::data::load_dataset<float>("emnist-letters", emnist.string());
    REQUIRE(flat.train.size() == 3);
}

TEST_CASE("datasets: another data set's files are refused by their labels",
          "[datasets][errors]")
{
    temp_dir dir;
    // EMNIST letters' files (labels 1..26) renamed into a kmnist folder (labels 0..9)...
    write_part(fs::path(dir.path()) / "kmnist", "train", {1, 26}, 0);
    write_part(fs::path(dir.path()) / "kmnist", "t10k", {3}, 0);
    const auto call = [&] { return xtnn::data::load_dataset<float>("kmnist", dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::format_error);
    REQUIRE_THROWS_WITH(call(), Contains("train-labels-idx1-ubyte.gz") &&
                                    Contains("label 26 at index 1; expected 0..9 (kmnist)"));

    // ... and a letters label 0 (no such letter) in an EMNIST letters file.
    write_part(fs::path(dir.path()) / "emnist", "emnist-letters-train", {0}, 0);
    write_part(fs::path(dir.path()) / "emnist", "emnist-letters-test", {1}, 0);
    REQUIRE_THROWS_WITH(xtnn::data::load_dataset<float>("emnist-letters", dir.path()),
                        Contains("label 0 at index 0; expected 1..26 (emnist-letters)"));

    // Images and labels of different sets: the counts disagree, both files named.
    write_part(fs::path(dir.path()) / "notmnist", "train", {1, 2, 3}, 0);
    write_part(fs::path(dir.path()) / "notmnist", "t10k", {1}, 0);
    write_gz(dir.file("notmnist/train-labels-idx1-ubyte.gz"), labels_file({1, 2}));
    REQUIRE_THROWS_WITH(xtnn::data::load_dataset<float>("notmnist", dir.path()),
                        Contains("holds 3 images but") && Contains("holds 2 labels") &&
                            Contains("same data set"));
}
