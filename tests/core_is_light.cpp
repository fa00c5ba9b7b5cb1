// SPDX-License-Identifier: MIT
// Including the core for inference stays cheap: xtnn/xtnn.hpp brings neither the file formats
// (zlib, nlohmann-json) nor the plots. Built with the tests, so the build fails if it does;
// benchmarks/README.md reports what the core costs to compile.
#include <xtnn/xtnn.hpp>

#if defined(ZLIB_VERSION) || defined(NLOHMANN_JSON_VERSION_MAJOR) || defined(PNG_LIBPNG_VER)
#error "xtnn/xtnn.hpp includes zlib, nlohmann-json or libpng; the core needs only xtensor"
#endif

// A namespace cannot share its name with a class: this fails to compile once
// xtnn/plot/figure.hpp (class xtnn::plot::figure) is included.
namespace xtnn::plot::figure
{
}
