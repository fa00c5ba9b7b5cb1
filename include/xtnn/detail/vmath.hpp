// SPDX-License-Identifier: MIT
// Elementwise exp over contiguous buffers, SIMD-friendly. Scalar expf costs more than the
// GEMMs of a batched MLP forward pass; this version is 1-2 ulp accurate for float and never
// overflows (arguments are clamped to the finite range), so sigmoid and softmax cannot
// produce inf or NaN. With GCC/Clang it uses their portable vector extensions, so it is
// vectorised at every optimisation level (-O2 alone does not auto-vectorise this loop).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace xtnn::detail
{
/// exp of a float or of a vector of floats, x clamped to [-87, 88]: exp(-87) is near the
/// smallest normal float and exp(88) < FLT_MAX. Cephes-style: x = n ln2 + r, |r| <= ln2/2,
/// exp(r) by a degree-6 polynomial, 2^n by writing n + 127 into the exponent bits.
/// F is float or a GNU vector of floats; I the matching int32 type.
template <class F, class I>
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline F
exp_kernel(F x)
{
    constexpr float log2e = 1.44269504088896341f;
    constexpr float ln2_hi = 0.693359375f;  // ln 2 split in two so n*ln2_hi is exact
    constexpr float ln2_lo = -2.12194440e-4f;
    constexpr float round_magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to integer
    x = x < -87.0f ? F{} - 87.0f : x;
    x = x > 88.0f ? F{} + 88.0f : x;
    const F shifted = x * log2e + round_magic;
    const F n = shifted - round_magic;
    const F r = (x - n * ln2_hi) - n * ln2_lo;
    F p = F{} + 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // The low mantissa bits of `shifted` hold n in two's complement; n + 127 is 1..254 for
    // every clamped x. A NaN x (not clamped: every comparison with it is false) leaves junk
    // there, so only 8 bits are kept before the shift, which then never overflows (undefined
    // behaviour for int); p is NaN then, and so is the result.
    I n_bits;
    std::memcpy(&n_bits, &shifted, sizeof n_bits);
    const I scale_bits = (((n_bits - 0x4B400000) + 127) & 0xFF) << 23;
    F scale;
    std::memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

/// out[i] = exp(clamp(in[i], -87, 88)). `in` and `out` may be the same buffer.
inline void exp_clamped(const float* in, float* out, std::size_t size)
{
    std::size_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
    // One vector register wide: 8 floats where AVX is enabled, else 4 (SSE2, NEON).
#if defined(__AVX__)
    constexpr std::size_t width = 8;
#else
    constexpr std::size_t width = 4;
#endif
    typedef float floats __attribute__((vector_size(width * sizeof(float))));
    typedef std::int32_t ints __attribute__((vector_size(width * sizeof(std::int32_t))));
    for (; i + width <= size; i += width)
    {
        floats x;
        std::memcpy(&x, in + i, sizeof x);
        x = exp_kernel<floats, ints>(x);
        std::memcpy(out + i, &x, sizeof x);
    }
#endif
    for (; i < size; ++i)
    {
        out[i] = exp_kernel<float, std::int32_t>(in[i]);
    }
}

/// out[i] = exp(clamp(in[i], -708, 709)) for double, so it stays finite.
/// Double is the accuracy type, not the speed type: this is std::exp.
inline void exp_clamped(const double* in, double* out, std::size_t size)
{
    for (std::size_t i = 0; i < size; ++i)
    {
        const double x = in[i] < -708.0 ? -708.0 : (in[i] > 709.0 ? 709.0 : in[i]);
        out[i] = std::exp(x);
    }
}

/// out[i] = √in[i] + add, for in[i] >= 0 (the update rules' √v + ε). A loop over std::sqrt
/// stays scalar under GCC's and clang's default -fmath-errno: the call to sqrtf that sets
/// errno for a negative input is kept, and a call blocks vectorisation. SSE2's sqrtps and
/// sqrtpd (every x86-64) are the same correctly rounded square root, four floats or two
/// doubles at a time, so the result is bit-identical to std::sqrt's.
inline void sqrt_plus(const float* in, float add, float* out, std::size_t size)
{
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128 a = _mm_set1_ps(add);
    for (; i + 4 <= size; i += 4)
    {
        _mm_storeu_ps(out + i, _mm_add_ps(_mm_sqrt_ps(_mm_loadu_ps(in + i)), a));
    }
#endif
    for (; i < size; ++i)
    {
        out[i] = std::sqrt(in[i]) + add;
    }
}

inline void sqrt_plus(const double* in, double add, double* out, std::size_t size)
{
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128d a = _mm_set1_pd(add);
    for (; i + 2 <= size; i += 2)
    {
        _mm_storeu_pd(out + i, _mm_add_pd(_mm_sqrt_pd(_mm_loadu_pd(in + i)), a));
    }
#endif
    for (; i < size; ++i)
    {
        out[i] = std::sqrt(in[i]) + add;
    }
}
}  // namespace xtnn::detail
