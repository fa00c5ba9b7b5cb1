// SPDX-License-Identifier: MIT
// examples/mnist_predict end to end on real digits: 200 MNIST test digits written as image
// files of eight kinds (PNG 28x28 and 4x, dark ink on white RGB, a photo-like grey page,
// 16-bit gray + alpha, an interlaced palette with transparency, PGM, raw bytes), a model
// from mnist_train --epochs 1, and the agreement with the true labels of each kind; errors
// for unreadable files. Built by examples/CMakeLists.txt; exits 77 without XTNN_DATA_DIR.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <array>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <png.h>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"
#include "temp_files.hpp"

#if !defined(XTNN_MNIST_TRAIN) || !defined(XTNN_MNIST_PREDICT)
#error "examples/CMakeLists.txt defines XTNN_MNIST_TRAIN and XTNN_MNIST_PREDICT, the programs"
#endif

namespace
{
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using xtnn::io::gray_image;

/// How many test digits each kind of file gets: every 50th of the 10,000.
constexpr std::size_t digit_count = 200;
constexpr std::size_t digit_step = 50;

struct command_result
{
    int status = -1;
    std::string output;
};

std::string shell_quoted(const std::string& word)
{
    std::string quoted = "'";
    for (char c : word)
    {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

/// Runs `words` through the shell with `redirect` appended; its standard output and status.
command_result run(const std::vector<std::string>& words, const std::string& redirect = "")
{
    std::string command;
    for (const auto& word : words)
    {
        command += shell_quoted(word) + " ";
    }
    command += redirect;
    command_result result;
    std::FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    {
        result.output.append(buffer, got);
    }
    const int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
    {
        lines.push_back(line);
    }
    return lines;
}

/// Where the fixtures go: $XTNN_PREDICT_KEEP if set (kept, to look at), else a temporary
/// directory removed at exit.
const std::string& work_dir()
{
    static const xtnn_test::temp_dir temporary;
    static const std::string dir = []
    {
        const char* keep = std::getenv("XTNN_PREDICT_KEEP");
        if (keep && *keep)
        {
            std::filesystem::create_directories(keep);
            return std::string(keep);
        }
        return temporary.path();
    }();
    return dir;
}

/// A model trained for one epoch by the example itself (about 5 s), once for all cases.
const std::string& model_file()
{
    static const std::string path = []
    {
        const std::string file = work_dir() + "/model.npz";
        const auto trained = run({XTNN_MNIST_TRAIN, "--epochs", "1", "--quiet", "--save", file});
        INFO(trained.output);
        REQUIRE(trained.status == 0);
        return file;
    }();
    return path;
}

struct test_digits
{
    std::vector<gray_image> images;
    std::vector<std::size_t> labels;
    std::vector<std::size_t> direct;  // the model's answer on the digit as MNIST gives it
    double test_accuracy = 0;         // the model's on all 10,000
};

const test_digits& digits()
{
    static const test_digits loaded = []
    {
        xtnn::data::mnist_options options;
        options.normalize = false;
        const auto test = xtnn::data::load_mnist_part<float>(xtnn_test::data_dir(),
                                                             xtnn::data::mnist_part::test, options);
        const auto labels = xtnn::class_indices(test.labels);
        const auto model = xtnn::io::load_model<float>(model_file());
        const auto predicted = xtnn::predict_labels(model.net, test.images);
        test_digits d;
        d.test_accuracy = xtnn::accuracy(predicted, labels);
        for (std::size_t k = 0; k < digit_count; ++k)
        {
            const std::size_t i = k * digit_step;
            d.images.push_back(xtnn::io::to_gray_image(xt::view(test.images, i, xt::all())));
            d.labels.push_back(labels[i]);
            d.direct.push_back(predicted[i]);
        }
        return d;
    }();
    return loaded;
}

/// Bilinear enlargement by `factor` (sample points at pixel centres), smooth like a digit
/// drawn large rather than blocky.
gray_image upscale(const gray_image& image, std::size_t factor)
{
    gray_image big{image.width * factor, image.height * factor, {}};
    const auto at = [&](long r, long c)
    {
        r = std::clamp<long>(r, 0, long(image.height) - 1);
        c = std::clamp<long>(c, 0, long(image.width) - 1);
        return double(image(std::size_t(r), std::size_t(c)));
    };
    for (std::size_t y = 0; y < big.height; ++y)
    {
        for (std::size_t x = 0; x < big.width; ++x)
        {
            const double sy = (y + 0.5) / double(factor) - 0.5,
                         sx = (x + 0.5) / double(factor) - 0.5;
            const long r = long(std::floor(sy)), c = long(std::floor(sx));
            const double fy = sy - r, fx = sx - c;
            const double v = (1 - fy) * ((1 - fx) * at(r, c) + fx * at(r, c + 1)) +
                             fy * ((1 - fx) * at(r + 1, c) + fx * at(r + 1, c + 1));
            big.pixels.push_back(static_cast<std::uint8_t>(std::lround(v)));
        }
    }
    return big;
}

/// A PNG to write with libpng: rows packed as the colour type and bit depth say (16-bit
/// samples big-endian).
struct png_picture
{
    png_uint_32 width = 0;
    png_uint_32 height = 0;
    int colour_type = PNG_COLOR_TYPE_GRAY;
    int bit_depth = 8;
    std::vector<std::uint8_t> bytes;
    std::vector<png_color> palette;
    std::vector<png_byte> palette_alpha;  // tRNS: one alpha per leading palette entry
    bool interlaced = false;
};

png_picture picture(std::size_t width, std::size_t height, int colour_type, int bit_depth)
{
    png_picture p;
    p.width = png_uint_32(width);
    p.height = png_uint_32(height);
    p.colour_type = colour_type;
    p.bit_depth = bit_depth;
    return p;
}

// libpng reports errors by longjmp to this setjmp; no C++ object lives in this frame.
bool write_png_steps(png_structp png, png_infop info, const png_picture& p, png_bytepp rows)
{
    if (setjmp(png_jmpbuf(png)))
    {
        return false;
    }
    png_set_IHDR(png, info, p.width, p.height, p.bit_depth, p.colour_type,
                 p.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!p.palette.empty())
    {
        png_set_PLTE(png, info, p.palette.data(), int(p.palette.size()));
    }
    if (!p.palette_alpha.empty())
    {
        png_set_tRNS(png, info, p.palette_alpha.data(), int(p.palette_alpha.size()), nullptr);
    }
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, nullptr);
    return true;
}

void write_png(const png_picture& p, const std::string& path)
{
    std::FILE* file = std::fopen(path.c_str(), "wb");
    REQUIRE(file != nullptr);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, file);
    const std::size_t row_bytes = p.bytes.size() / p.height;
    std::vector<png_bytep> rows;
    for (std::size_t r = 0; r < p.height; ++r)
    {
        rows.push_back(const_cast<png_bytep>(p.bytes.data() + r * row_bytes));
    }
    const bool written = write_png_steps(png, info, p, rows.data());
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    REQUIRE(written);
}

// ---- the kinds of file, each from one MNIST digit (white on black, 0..255) ---------------

/// What a kind writes for digit k (its 28x28 MNIST image): the file's path.
using writer = std::string (*)(const gray_image& digit, std::size_t k, const std::string& dir);

std::string write_gray28(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const std::string path = dir + "/gray28-" + std::to_string(k) + ".png";
    xtnn::io::save_png(digit, path);  // xtnn's own writer: 8-bit gray
    return path;
}

std::string write_gray112(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const std::string path = dir + "/gray112-" + std::to_string(k) + ".png";
    xtnn::io::save_png(upscale(digit, 4), path);
    return path;
}

/// Blue-black ink on white paper, 4x, RGB: c = paper + (ink - paper) · v / 255.
std::string write_rgb_on_white(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const gray_image big = upscale(digit, 4);
    const std::array<double, 3> ink{25, 35, 110};
    png_picture p = picture(big.width, big.height, PNG_COLOR_TYPE_RGB, 8);
    for (std::uint8_t v : big.pixels)
    {
        for (double channel : ink)
        {
            p.bytes.push_back(std::uint8_t(std::lround(255 + (channel - 255) * v / 255.0)));
        }
    }
    const std::string path = dir + "/rgb_on_white-" + std::to_string(k) + ".png";
    write_png(p, path);
    return path;
}

/// Like a photo: 3x, pencil-grey ink (60) on a 200x150 page whose grey falls from 210 on
/// the left to 195 on the right, noise of up to ±6 levels, the digit off-centre.
std::string write_photo(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const gray_image big = upscale(digit, 3);
    gray_image page{150, 200, {}};
    std::mt19937 engine(static_cast<unsigned>(k));
    std::uniform_int_distribution<int> noise(-6, 6);
    const std::size_t top = 20 + (k * 37) % 90, left = 10 + (k * 53) % 50;
    for (std::size_t y = 0; y < page.height; ++y)
    {
        for (std::size_t x = 0; x < page.width; ++x)
        {
            double v = 210.0 - 15.0 * double(x) / double(page.width);
            if (y >= top && y < top + big.height && x >= left && x < left + big.width)
            {
                v += (60.0 - v) * big(y - top, x - left) / 255.0;
            }
            page.pixels.push_back(
                std::uint8_t(std::clamp(std::lround(v) + noise(engine), 0L, 255L)));
        }
    }
    const std::string path = dir + "/photo-" + std::to_string(k) + ".png";
    xtnn::io::save_png(page, path);
    return path;
}

/// 16-bit gray + alpha, 2x: black ink whose opacity is the digit, on a transparent page.
std::string write_gray_alpha16(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const gray_image big = upscale(digit, 2);
    png_picture p = picture(big.width, big.height, PNG_COLOR_TYPE_GRAY_ALPHA, 16);
    for (std::uint8_t v : big.pixels)
    {
        const unsigned alpha = v * 257u;  // 0..255 -> 0..65535
        p.bytes.insert(p.bytes.end(), {0, 0, std::uint8_t(alpha >> 8), std::uint8_t(alpha)});
    }
    const std::string path = dir + "/gray_alpha16-" + std::to_string(k) + ".png";
    write_png(p, path);
    return path;
}

/// 4-bit palette, interlaced: entry 0 is transparent black (the page: white once composed),
/// entries 1..15 opaque greys 255 - 17 n for ink of level n = round(v / 17).
std::string write_palette(const gray_image& digit, std::size_t k, const std::string& dir)
{
    png_picture p = picture(28, 28, PNG_COLOR_TYPE_PALETTE, 4);
    p.interlaced = true;
    p.palette.push_back(png_color{0, 0, 0});
    for (int n = 1; n < 16; ++n)
    {
        const auto grey = png_byte(255 - 17 * n);
        p.palette.push_back(png_color{grey, grey, grey});
    }
    p.palette_alpha = {0};
    for (std::size_t r = 0; r < 28; ++r)
    {
        for (std::size_t c = 0; c < 28; c += 2)
        {
            const auto level = [&](std::size_t col) { return (digit(r, col) + 8) / 17; };
            p.bytes.push_back(std::uint8_t(level(c) << 4 | level(c + 1)));
        }
    }
    const std::string path = dir + "/palette-" + std::to_string(k) + ".png";
    write_png(p, path);
    return path;
}

std::string write_pgm(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const std::string path = dir + "/pgm-" + std::to_string(k) + ".pgm";
    xtnn::io::save_pgm(digit, path, 2);  // 56x56
    return path;
}

std::string write_raw(const gray_image& digit, std::size_t k, const std::string& dir)
{
    const std::string path = dir + "/raw-" + std::to_string(k) + ".bin";
    xtnn_test::write_raw(path, digit.pixels);
    return path;
}

struct kind
{
    const char* name;
    writer write;
    bool mnist_pixels;  // the file holds MNIST's own 28x28 pixels, unchanged
};

const std::vector<kind> kinds = {
    {"PNG 28x28 gray", write_gray28, true},
    {"PNG 112x112 gray (4x)", write_gray112, false},
    {"PNG RGB, dark ink on white (4x)", write_rgb_on_white, false},
    {"PNG photo-like grey page (3x, off-centre, noise)", write_photo, false},
    {"PNG 16-bit gray + alpha (2x)", write_gray_alpha16, false},
    {"PNG 4-bit palette, tRNS, interlaced", write_palette, false},
    {"PGM 56x56", write_pgm, false},
    {"raw 784 bytes", write_raw, true},
};

/// "FILE: 7 (0.998), 3 (0.001), 2 (0.000)": the file, three classes and probabilities.
const std::regex result_line(
    R"(^(.+): (\S+) \(([01]\.\d{3})\), (\S+) \(([01]\.\d{3})\), (\S+) \(([01]\.\d{3})\)$)");

/// Requires `line` to be a result line for `path`; its first class.
std::string check_result_line(const std::string& line, const std::string& path)
{
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, result_line));
    CHECK(m[1] == path);
    const double p1 = std::stod(m[3]), p2 = std::stod(m[5]), p3 = std::stod(m[7]);
    CHECK(p1 >= p2);
    CHECK(p2 >= p3);
    CHECK(p1 + p2 + p3 <= 1.0015);
    CHECK(m[2] != m[4]);
    CHECK(m[4] != m[6]);
    return m[2];
}
}  // namespace

TEST_CASE("mnist_predict: digits of every kind of file agree with their labels")
{
    const test_digits& d = digits();
    std::vector<std::string> command{XTNN_MNIST_PREDICT, "--model", model_file()};
    for (const auto& k : kinds)
    {
        for (std::size_t i = 0; i < digit_count; ++i)
        {
            command.push_back(k.write(d.images[i], i, work_dir()));
        }
    }
    const auto result = run(command);
    INFO(result.output);
    REQUIRE(result.status == 0);
    const auto lines = lines_of(result.output);
    REQUIRE(lines.size() == kinds.size() * digit_count);

    std::size_t direct = 0;
    for (std::size_t i = 0; i < digit_count; ++i)
    {
        direct += d.direct[i] == d.labels[i];
    }
    const double direct_rate = double(direct) / digit_count;
    std::printf("the model: test accuracy %.4f; on these %zu digits as MNIST gives them %.3f\n",
                d.test_accuracy, digit_count, direct_rate);
    for (std::size_t k = 0; k < kinds.size(); ++k)
    {
        std::size_t agree = 0, same = 0;
        for (std::size_t i = 0; i < digit_count; ++i)
        {
            const std::size_t at = k * digit_count + i;
            const std::string first = check_result_line(lines[at], command[3 + at]);
            agree += first == std::to_string(d.labels[i]);
            same += first == std::to_string(d.direct[i]);
        }
        const double rate = double(agree) / digit_count;
        std::printf("%-48s %zu/%zu agree with the labels (%.2f), %zu with the model on MNIST's\n",
                    kinds[k].name, agree, digit_count, rate, same);
        INFO(kinds[k].name << ": " << agree << "/" << digit_count);
        CHECK(rate >= 0.9);
        CHECK(rate >= direct_rate - 0.03);  // at most 6 of 200 fewer than on MNIST's own
        if (kinds[k].mnist_pixels)
        {
            // MNIST's digits are preprocessed already: doing it again changes almost nothing.
            CHECK(same >= digit_count - 2);
        }
    }
    std::printf("e.g.\n  %s\n  %s\n  %s\n", lines[0].c_str(), lines[2 * digit_count].c_str(),
                lines[5 * digit_count + 1].c_str());
}

TEST_CASE("mnist_predict: a file it cannot read gets an error line; the others still go through")
{
    const test_digits& d = digits();
    const std::string dir = work_dir();
    const std::string good1 = write_gray28(d.images[0], 1000, dir);
    const std::string good2 = write_rgb_on_white(d.images[1], 1001, dir);
    const std::string missing = dir + "/no such file.png";
    const std::string truncated = dir + "/truncated.png";
    auto png = xtnn::detail::read_file(good2, "test");
    png.resize(png.size() / 2);
    xtnn_test::write_raw(truncated, png);
    const std::string text = dir + "/notes.txt";
    xtnn_test::write_text(text, "not a digit at all\n");
    const std::string blank = dir + "/blank.png";
    xtnn::io::save_png(gray_image{40, 30, std::vector<std::uint8_t>(1200, 255)}, blank);
    const std::string p6 = dir + "/colour.ppm";
    xtnn_test::write_text(p6, "P6\n1 1\n255\nabc");
    const std::string bad_pgm = dir + "/short.pgm";
    xtnn_test::write_text(bad_pgm, "P5\n# a comment\n4 4\n255\nabc");

    const auto result = run({XTNN_MNIST_PREDICT, "--model", model_file(), good1, missing, truncated,
                             text, blank, p6, bad_pgm, good2},
                            "2>&1");
    INFO(result.output);
    CHECK(result.status == 1);
    const auto lines = lines_of(result.output);
    REQUIRE(lines.size() == 8);
    check_result_line(lines[0], good1);
    CHECK(lines[1] == "error: " + missing + ": cannot open: No such file or directory");
    CHECK_THAT(lines[2], StartsWith("error: " + truncated + ": PNG: "));
    CHECK_THAT(lines[3], StartsWith("error: " + text + ": not an image: 19 bytes"));
    CHECK_THAT(lines[4], StartsWith("error: " + blank + ": xtnn::data::to_mnist_digit: no ink"));
    CHECK(lines[5] ==
          "error: " + p6 + ": a Netpbm file of type P6; expected a binary gray PGM (P5)");
    CHECK_THAT(lines[6], StartsWith("error: " + bad_pgm + ": PGM: the file ends early") &&
                             Contains("needs 16 bytes of pixels, got 3"));
    check_result_line(lines[7], good2);
}

TEST_CASE("mnist_predict: usage errors exit 2, --help exits 0")
{
    const auto help = run({XTNN_MNIST_PREDICT, "--help"});
    CHECK(help.status == 0);
    CHECK_THAT(help.output, StartsWith("usage: mnist_predict --model FILE"));
    const auto no_model = run({XTNN_MNIST_PREDICT, "x.png"}, "2>&1");
    CHECK(no_model.status == 2);
    CHECK_THAT(no_model.output, StartsWith("error: --model FILE is required"));
    const auto no_image = run({XTNN_MNIST_PREDICT, "--model", model_file()}, "2>&1");
    CHECK(no_image.status == 2);
    CHECK_THAT(no_image.output, Contains("no image given"));
    const auto bad_model =
        run({XTNN_MNIST_PREDICT, "--model", "/nonexistent.npz", "x.png"}, "2>&1");
    CHECK(bad_model.status == 1);
    CHECK_THAT(bad_model.output, Contains("/nonexistent.npz"));
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
