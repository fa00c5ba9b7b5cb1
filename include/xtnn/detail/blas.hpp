// SPDX-License-Identifier: MIT
// Thin wrappers over BLAS level 2/3 on raw row-major buffers, through xtensor-blas's cxxblas
// layer. They exist so the hot paths call gemm/gemv on preallocated memory with no views,
// no temporaries and no allocation (xt::linalg::dot returns a fresh xarray every call).
#pragma once

#include <cstddef>

#include <xtnn/tensor.hpp>

// xtensor-blas 0.20 and 0.21 include xtensor's headers by their old names, 0.22 and later by
// the folders of xtensor 0.26 and later: a system xtensor-blas beside an xtensor installed
// elsewhere would mix two xtensors and fail deep in their templates. (Tested pairs: 0.20 with
// xtensor 0.24, 0.21 with 0.25, 0.22 with 0.26, 0.23 with 0.27.)
#include <xtensor-blas/xblas_config.hpp>
#if XTENSOR_BLAS_VERSION_MAJOR != 0 || XTENSOR_BLAS_VERSION_MINOR < 20 ||                          \
    (XTENSOR_BLAS_VERSION_MINOR >= 22) != (XTENSOR_VERSION_MINOR >= 26)
#error "xtnn: xtensor-blas does not match xtensor (0.20-0.21: xtensor 0.24-0.25; 0.22+: 0.26+)"
#endif
#include <xtensor-blas/xblas.hpp>

namespace xtnn::detail
{
/// C (m, n) = alpha * op(A) * op(B) + beta * C, all row-major and contiguous.
/// op(A) is (m, k): A is (m, k), or (k, m) when trans_a. op(B) is (k, n) likewise.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c)
{
    using index = xt::blas_index_t;
    const auto lda = static_cast<index>(trans_a ? m : k);
    const auto ldb = static_cast<index>(trans_b ? k : n);
    cxxblas::gemm<index>(cxxblas::StorageOrder::RowMajor,
                         trans_a ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                         trans_b ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                         static_cast<index>(m), static_cast<index>(n), static_cast<index>(k), alpha,
                         a, lda, b, ldb, beta, c, static_cast<index>(n));
}

/// y (n) = alpha * x (1, k) * B (k, n) + beta * y: one sample through a weight matrix.
/// Row-major x·B is column-major B'·x, i.e. gemv with B transposed.
template <class T>
void gemv_row(std::size_t k, std::size_t n, T alpha, const T* x, const T* b, T beta, T* y)
{
    using index = xt::blas_index_t;
    cxxblas::gemv<index>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::Trans,
                         static_cast<index>(k), static_cast<index>(n), alpha, b,
                         static_cast<index>(n), x, 1, beta, y, 1);
}

/// y (m) = alpha * A (m, n) * x (n) + beta * y, A row-major: a gradient through a kernel.
template <class T>
void gemv(std::size_t m, std::size_t n, T alpha, const T* a, const T* x, T beta, T* y)
{
    using index = xt::blas_index_t;
    cxxblas::gemv<index>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::NoTrans,
                         static_cast<index>(m), static_cast<index>(n), alpha, a,
                         static_cast<index>(n), x, 1, beta, y, 1);
}
}  // namespace xtnn::detail
