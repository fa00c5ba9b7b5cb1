// SPDX-License-Identifier: MIT
// Classifies pictures of handwritten digits with a model file: PNG (decoded by libpng, any
// colour type and bit depth), binary PGM or raw 784-byte MNIST images, of any size, each
// made MNIST-like by xtnn/data/digit_image.hpp. One line per file with the top three
// classes; a file it cannot read gets an error line and the others still go through.
#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <png.h>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/digit_image.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Classifies pictures of handwritten digits with a model file that takes raw 28x28\n"
    "pixels 0..255 (mnist_train --save writes one). Each picture is made into an MNIST\n"
    "digit as LeCun et al. made theirs: gray, white ink on black (a light background is\n"
    "inverted), the background to 0 and the ink to 255, cropped to the ink, scaled to fit\n"
    "20x20 keeping its aspect ratio, and placed in 28x28 with its centre of mass at the\n"
    "centre. Prints one line per file, the three likeliest classes and their probabilities:\n"
    "  digit.png: 7 (0.998), 3 (0.001), 2 (0.000)\n";

/// What --help says after the options.
const char* const footer =
    "A file that cannot be read or holds no digit prints \"error: FILE: ...\" and the others\n"
    "are still classified; the exit status is then 1.\n";

/// What goes wrong with one image file: reported on its error line, without the file's name.
struct image_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// Files above this are refused before reading: no digit picture is this large.
constexpr std::uintmax_t max_file_bytes = 256u << 20;
/// libpng refuses wider or taller images, so that a header cannot ask for gigabytes.
constexpr png_uint_32 max_png_side = 1u << 14;

std::vector<std::uint8_t> read_bytes(const std::string& path)
{
    std::error_code failed;
    if (std::filesystem::is_directory(path, failed))
    {
        throw image_error("is a directory; expected an image file");
    }
    const std::uintmax_t size = std::filesystem::file_size(path, failed);
    if (!failed && size > max_file_bytes)
    {
        throw image_error("is " + std::to_string(size >> 20) +
                          " MB; expected an image file of at most " +
                          std::to_string(max_file_bytes >> 20) + " MB");
    }
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
    {
        throw image_error(std::string("cannot open: ") + std::strerror(errno));
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0)
    {
        bytes.insert(bytes.end(), chunk, chunk + got);
    }
    const bool read_failed = std::ferror(file) != 0;
    std::fclose(file);
    if (read_failed)
    {
        throw image_error("read error");
    }
    return bytes;
}

// ---- PNG, by libpng ---------------------------------------------------------------------

/// The bytes libpng reads from, and libpng's last error message.
struct png_source
{
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::size_t at = 0;
    char message[256] = "";
};

void read_png_bytes(png_structp png, png_bytep out, png_size_t count)
{
    auto* source = static_cast<png_source*>(png_get_io_ptr(png));
    if (count > source->size - source->at)
    {
        png_error(png, "the file ends early (truncated?)");
    }
    std::memcpy(out, source->data + source->at, count);
    source->at += count;
}

// libpng reports an error by calling this, which must not return: it keeps the message and
// jumps back to the setjmp of the step that was running.
void on_png_error(png_structp png, png_const_charp message)
{
    auto* source = static_cast<png_source*>(png_get_error_ptr(png));
    std::snprintf(source->message, sizeof source->message, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (an ancillary chunk with a bad CRC, an odd colour profile) change nothing here.
void on_png_warning(png_structp, png_const_charp) {}

/// Owns libpng's read structures.
struct png_reader
{
    png_structp png = nullptr;
    png_infop info = nullptr;

    explicit png_reader(png_source& source)
    {
        png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_png_error, on_png_warning);
        info = png ? png_create_info_struct(png) : nullptr;
        if (!png || !info)
        {
            png_destroy_read_struct(&png, &info, nullptr);
            throw std::bad_alloc();
        }
        png_set_read_fn(png, &source, read_png_bytes);
        png_set_user_limits(png, max_png_side, max_png_side);
    }
    ~png_reader() { png_destroy_read_struct(&png, &info, nullptr); }
    png_reader(const png_reader&) = delete;
    png_reader& operator=(const png_reader&) = delete;
};

// The two steps that call into libpng. libpng reports errors with longjmp back to their
// setjmp; they construct no C++ object, so the jump skips no destructor. false: an error,
// whose message is in the png_source.

/// Reads the header and asks for 8-bit gray, alpha composed onto white.
bool start_png(png_structp png, png_infop info, png_uint_32& width, png_uint_32& height,
               png_size_t& row_bytes)
{
    if (setjmp(png_jmpbuf(png)))
    {
        return false;
    }
    png_read_info(png, info);
    const png_byte colour_type = png_get_color_type(png, info);
    const png_byte bit_depth = png_get_bit_depth(png, info);
    if (colour_type == PNG_COLOR_TYPE_PALETTE)
    {
        png_set_palette_to_rgb(png);
    }
    if (colour_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
    {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (png_get_valid(png, info, PNG_INFO_tRNS))
    {
        png_set_tRNS_to_alpha(png);  // a transparent colour or palette entries: an alpha channel
    }
    if (bit_depth == 16)
    {
        png_set_scale_16(png);  // v · 255 / 65535, rounded
    }
    if (colour_type & PNG_COLOR_MASK_COLOR)
    {
        // gray = 0.2126 R + 0.7152 G + 0.0722 B (libpng's default, sRGB's luminance; in
        // linear light when the file gives its gamma)
        png_set_rgb_to_gray_fixed(png, PNG_ERROR_ACTION_NONE, -1, -1);
    }
    // gray = alpha · g + (1 - alpha) · white, in the file's own values (no gamma): a
    // transparent background is white paper.
    png_color_16 white{};
    white.red = white.green = white.blue = white.gray = 255;
    png_set_background_fixed(png, &white, PNG_BACKGROUND_GAMMA_SCREEN, 0, PNG_FP_1);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_channels(png, info) != 1 || png_get_bit_depth(png, info) != 8)
    {
        png_error(png, "libpng did not turn the image into 8-bit gray");
    }
    width = png_get_image_width(png, info);
    height = png_get_image_height(png, info);
    row_bytes = png_get_rowbytes(png, info);
    return true;
}

/// Decodes every row (all passes of an interlaced image) and checks the end of the file.
bool finish_png(png_structp png, png_bytepp rows)
{
    if (setjmp(png_jmpbuf(png)))
    {
        return false;
    }
    png_read_image(png, rows);
    png_read_end(png, nullptr);
    return true;
}

xtnn::io::gray_image decode_png(const std::vector<std::uint8_t>& bytes)
{
    png_source source{bytes.data(), bytes.size()};
    png_reader reader(source);
    png_uint_32 width = 0, height = 0;
    png_size_t row_bytes = 0;
    if (!start_png(reader.png, reader.info, width, height, row_bytes))
    {
        throw image_error(std::string("PNG: ") + source.message);
    }
    xtnn::io::gray_image image{width, height, std::vector<std::uint8_t>(height * row_bytes)};
    std::vector<png_bytep> rows(height);
    for (std::size_t r = 0; r < height; ++r)
    {
        rows[r] = image.pixels.data() + r * row_bytes;
    }
    if (!finish_png(reader.png, rows.data()))
    {
        throw image_error(std::string("PNG: ") + source.message);
    }
    return image;
}

// ---- PGM, by hand -----------------------------------------------------------------------

/// A binary PGM: "P5", width, height, maxval (whitespace between, '#' comments to the end
/// of a line), one whitespace byte, then width x height bytes, each scaled by 255 / maxval.
xtnn::io::gray_image decode_pgm(const std::vector<std::uint8_t>& bytes)
{
    std::size_t at = 2;  // after "P5"
    const auto is_space = [](std::uint8_t c)
    { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    const auto number = [&](const char* what)
    {
        while (at < bytes.size() && (is_space(bytes[at]) || bytes[at] == '#'))
        {
            if (bytes[at] == '#')
            {
                while (at < bytes.size() && bytes[at] != '\n')
                {
                    ++at;
                }
            }
            else
            {
                ++at;
            }
        }
        std::size_t value = 0, digits = 0;
        for (; at < bytes.size() && bytes[at] >= '0' && bytes[at] <= '9' && digits < 10; ++digits)
        {
            value = value * 10 + (bytes[at++] - '0');
        }
        if (digits == 0 || digits == 10 || value == 0)
        {
            throw image_error(std::string("PGM: bad header: expected the ") + what +
                              ", a whole number from 1, at byte " + std::to_string(at));
        }
        return value;
    };
    const std::size_t width = number("width");
    const std::size_t height = number("height");
    const std::size_t maxval = number("maxval");
    if (maxval > 255)
    {
        throw image_error("PGM: maxval " + std::to_string(maxval) +
                          " (16 bits a pixel) is not supported; expected 1 .. 255");
    }
    if (at == bytes.size() || !is_space(bytes[at]))
    {
        throw image_error("PGM: bad header: expected one whitespace byte after maxval, at byte " +
                          std::to_string(at));
    }
    ++at;
    if ((bytes.size() - at) / width < height)
    {
        throw image_error("PGM: the file ends early (truncated?): " + std::to_string(width) +
                          " x " + std::to_string(height) + " needs " +
                          std::to_string(width * height) + " bytes of pixels, got " +
                          std::to_string(bytes.size() - at));
    }
    xtnn::io::gray_image image{width, height, {}};
    image.pixels.reserve(width * height);
    for (std::size_t i = 0; i < width * height; ++i)
    {
        // p · 255 / maxval, rounded; values above maxval (invalid) count as maxval
        const std::size_t p = std::min<std::size_t>(bytes[at + i], maxval);
        image.pixels.push_back(static_cast<std::uint8_t>((p * 255 + maxval / 2) / maxval));
    }
    return image;
}

// ---- any image --------------------------------------------------------------------------

/// The file as an 8-bit gray image, by its contents (not its name).
xtnn::io::gray_image read_image(const std::string& path)
{
    const std::vector<std::uint8_t> bytes = read_bytes(path);
    if (bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0)
    {
        return decode_png(bytes);
    }
    if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == '5')
    {
        try
        {
            return decode_pgm(bytes);
        }
        catch (const image_error&)
        {
            if (bytes.size() != 784)
            {
                throw;
            }
            // 784 bytes that only begin like a PGM: raw pixels, taken below
        }
    }
    if (bytes.size() == 784)
    {
        return xtnn::io::gray_image{28, 28, bytes};  // MNIST's layout: row by row, 0 = black
    }
    if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7')
    {
        throw image_error(std::string("a Netpbm file of type P") + char(bytes[1]) +
                          "; expected a binary gray PGM (P5)");
    }
    throw image_error("not an image: " + std::to_string(bytes.size()) +
                      " bytes that are neither a PNG, a binary PGM (P5) nor a raw 28x28 image "
                      "(exactly 784 bytes)");
}

/// "7 (0.998), 3 (0.001), 2 (0.000)": the likeliest classes first (at most three), ties in
/// class order.
std::string top_classes(const float* scores, const std::vector<std::string>& names)
{
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const std::size_t shown = std::min<std::size_t>(3, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown),
                      order.end(),
                      [&](std::size_t a, std::size_t b)
                      { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
    std::string line;
    for (std::size_t k = 0; k < shown; ++k)
    {
        char probability[32];
        std::snprintf(probability, sizeof probability, " (%.3f)", double(scores[order[k]]));
        line += (k ? ", " : "") + names[order[k]] + probability;
    }
    return line;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("mnist_predict", description);
    std::string model_path;
    cli.text("--model", model_path, "FILE",
             "the model file (required); loaded once for all the images")
        ->required();
    std::string preprocessed;
    cli.text("--preprocessed", preprocessed, "DIR",
             "also save the 28x28 digit each image became, as DIR/<N>-<name>.png (N: the "
             "image's place on the command line)")
        ->check(CLI::Validator(
            [](std::string& dir)
            {
                return std::filesystem::is_directory(dir)
                           ? std::string()
                           : "expects an existing folder; got \"" + dir + "\"";
            },
            ""));
    std::vector<std::string> images;
    cli.positionals("IMAGE", images,
                    "a PNG (gray or colour, 1 to 16 bits, palette; transparency is composed onto "
                    "white), a binary PGM (P5, 8 bits) or a raw 28x28 image as MNIST stores it (a "
                    "file of exactly 784 bytes); any size. After \"--\" every argument is an "
                    "image, even one starting with -")
        ->required();
    cli.footer(footer);

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            xtnn::use_default_blas_threads();

            const auto model = xtnn::io::load_model<float>(model_path);
            constexpr std::size_t side = 28;
            if (model.net.inputs() != side * side)
            {
                throw xtnn::shape_error("mnist_predict: \"" + model_path + "\": the model takes " +
                                        std::to_string(model.net.inputs()) +
                                        " inputs; expected 784, a 28x28 digit");
            }
            std::vector<std::string> names = model.info.classes;
            if (names.size() != model.net.outputs())
            {
                names.clear();  // a model without class names: the outputs' numbers
                for (std::size_t k = 0; k < model.net.outputs(); ++k)
                {
                    names.push_back(std::to_string(k));
                }
            }

            xtnn::workspace<float> ws(model.net, 1);
            xtnn::matrix<float> input = xt::zeros<float>({std::size_t{1}, side * side});
            int status = 0;
            for (std::size_t i = 0; i < images.size(); ++i)
            {
                const std::string& path = images[i];
                try
                {
                    const xtnn::io::gray_image digit = xtnn::data::to_mnist_digit(read_image(path));
                    if (!preprocessed.empty())
                    {
                        const auto name = std::filesystem::path(path).stem().string();
                        xtnn::io::save_png(digit, preprocessed + "/" + std::to_string(i + 1) + "-" +
                                                      name + ".png");
                    }
                    // raw pixels 0..255, row-major: the model's first layer rescales them
                    std::copy(digit.pixels.begin(), digit.pixels.end(), input.begin());
                    const auto scores = model.net.predict(input, ws);
                    std::cout << path << ": " << top_classes(scores.data(), names) << '\n';
                }
                catch (const std::exception& e)
                {
                    std::cout << std::flush;  // keep the lines in the order of the files
                    std::cerr << "error: " << path << ": " << e.what() << '\n';
                    status = 1;
                }
            }
            return status;
        });
}
