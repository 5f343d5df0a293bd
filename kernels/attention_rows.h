// The per-row arithmetic of attention's softmax and dropout, shared by the standalone ops
// (masked_softmax, dropout) and by fused_attention, so that the fused op gives the standalone ops'
// numbers to the bit by construction rather than by care.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/exp.h"

namespace tapegrad::kernels {

// One row of masked_softmax: s = softmax(factor · x) over the entries whose mask byte is 0; entries
// whose byte is 1 get exactly 0, and a row with every entry blocked is all zeros (no distribution).
// mask may be null (nothing blocked); mask_stride is 1 for a key-padding or causal row, 0 for a
// broadcast one. x and s may be the same array.
template <typename T>
inline void masked_softmax_row(const T* x, T factor, const uint8_t* mask, int64_t mask_stride, T* s, int64_t size) {
    // The scaled scores, with blocked entries −inf (whose exp is exactly 0). Masks are read as bytes
    // (GCC does not vectorise loads of bool).
    constexpr T blocked = -std::numeric_limits<T>::infinity();
    if (mask == nullptr || (mask_stride == 0 && !mask[0])) {
#pragma omp simd
        for (int64_t j = 0; j < size; ++j) s[j] = factor * x[j];
    } else if (mask_stride == 1) {
#pragma omp simd
        for (int64_t j = 0; j < size; ++j) s[j] = mask[j] ? blocked : factor * x[j];
    } else {
        for (int64_t j = 0; j < size; ++j) s[j] = mask[j * mask_stride] ? blocked : factor * x[j];
    }
    T largest = blocked;
#pragma omp simd reduction(max : largest)
    for (int64_t j = 0; j < size; ++j) largest = std::max(largest, s[j]);
    // OpenMP leaves the max reduction's starting value to the compiler: GCC's is −inf, clang's the lowest
    // finite value, which an all-blocked row then returns. Such a row's maximum is taken again exactly.
    if (largest == std::numeric_limits<T>::lowest()) largest = *std::max_element(s, s + size);
    if (largest == blocked) {  // every key blocked: no distribution
        std::fill(s, s + size, T(0));
        return;
    }
    // Then the softmax's own arithmetic (softmax.cpp's softmax_line), so that bool and additive masks
    // agree to the bit.
    const double total = exp_and_sum(s, T(1), largest, s, size);
    const T inverse_total = static_cast<T>(1.0 / total);
    for (int64_t j = 0; j < size; ++j) s[j] *= inverse_total;
}

// One row of the softmax backward: dx = scale · s ⊙ (ds − Σ_j ds_j s_j), the sum in double.
// dx may be the same array as ds (each entry is read before it is written). The sum runs in four
// interleaved partial sums (entry j into sum j mod 4, added pairwise at the end): a fixed order, so the
// same on every CPU and thread count, without the chain of dependent additions a single sum makes.
template <typename T>
inline void softmax_backward_row(const T* s, const T* ds, double scale, T* dx, int64_t size) {
    double partial[4] = {0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 4 <= size; j += 4)
        for (int lane = 0; lane < 4; ++lane) partial[lane] += static_cast<double>(ds[j + lane]) * s[j + lane];
    for (int lane = 0; j < size; ++j, ++lane) partial[lane] += static_cast<double>(ds[j]) * s[j];
    const double dot = (partial[0] + partial[1]) + (partial[2] + partial[3]);
    for (j = 0; j < size; ++j) dx[j] = static_cast<T>(scale * s[j] * (ds[j] - dot));
}

// Dropout's arithmetic for one element: x · keep · scale, with keep a byte holding 0 or 1 and scale
// 1/(1 − p). A multiply, not `keep ? x·scale : 0`: a branch on a random bit mispredicts p of the time
// and costs more than the math.
template <typename T>
inline T scale_if_kept(T x, uint8_t keep, T scale) {
    return x * (static_cast<T>(keep) * scale);
}

}  // namespace tapegrad::kernels
