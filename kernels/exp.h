// e^x for float32 as straight-line arithmetic the compiler can vectorise. std::exp is an opaque
// library call per element, and softmax, cross-entropy and their backwards spend most of their time in
// it (16 million calls per step for an 8000-word vocabulary). float64 keeps std::exp: it is what the
// gradchecks run in, and there exactness matters more than speed.
//
// Range reduction: e^x = 2^n · e^r with n = round(x / ln 2) and r = x − n·ln 2, so |r| ≤ ln(2)/2 ≈ 0.347.
// ln 2 is split into a high part with few mantissa bits (n·high is exact) and a low correction, so r
// keeps its precision (Cody & Waite, 1980). e^r is its Taylor series to r⁷/7!: the first omitted term,
// 0.347⁸/8! ≈ 5·10⁻⁹, is below float's half-ulp (6·10⁻⁸), so the result is within a few ulp of e^x.
// 2^n is built directly in the exponent bits. Below −86 the
// result is 0 (e^−86 ≈ 4·10⁻³⁸, the bottom of float's range), which also makes e^−inf exactly 0 as masked
// softmax needs; above 88.7 it is +inf.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace tapegrad::kernels {

inline float exp_vectorizable(float x) {
    constexpr float kLog2e = 1.44269504088896341f;
    constexpr float kLn2High = 0.693145751953125f;       // ln 2 to 16 bits: n · kLn2High is exact
    constexpr float kLn2Low = 1.428606820309417232e-6f;  // ln 2 − kLn2High
    constexpr float kRoundingShift = 12582912.0f;         // 1.5 · 2^23: adding it rounds to an integer
    constexpr float kLowest = -86.0f, kHighest = 88.72283f;  // n stays within 2^(n−1)'s normal range
    const float clamped = x < kLowest ? kLowest : (x > kHighest ? kHighest : x);  // (NaN passes through)
    const float n = (clamped * kLog2e + kRoundingShift) - kRoundingShift;
    const float r = (clamped - n * kLn2High) - n * kLn2Low;
    // Horner form of 1 + r + r²/2! + ... + r⁷/7!
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    // 2^(n−1) then ×2, since 2^n itself overflows for n = 128 while e^x ≤ e^88.72 does not.
    const float two_to_n_minus_1 = std::bit_cast<float>((static_cast<int32_t>(n) + 126) << 23);
    const float result = p * two_to_n_minus_1 * 2.0f;
    return x < kLowest ? 0.0f : (x > kHighest ? INFINITY : (x != x ? x : result));
}

// out[i] = e^(scale · x[i] − shift) for i < n, returning Σ out[i] — the inner loop of every softmax.
// Compiled for AVX-512, AVX2 and baseline x86-64 (TAPEGRAD_VECTORIZE); float uses exp_vectorizable,
// double std::exp. x and out may be the same array. x = −inf gives exactly 0. For float,
// TAPEGRAD_KERNELS=reference uses the C library's expf instead, and =check runs both and throws when
// they differ by more than rounding allows.
double exp_and_sum(const float* x, float scale, float shift, float* out, int64_t n);
double exp_and_sum(const double* x, double scale, double shift, double* out, int64_t n);

}  // namespace tapegrad::kernels
