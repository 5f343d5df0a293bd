// The vectorised exp-and-sum loops (see exp.h), with the C library's exp as their reference
// (TAPEGRAD_KERNELS=reference, or =check to compare both). This file is compiled with -fno-trapping-math (see
// CMakeLists.txt), without which GCC will not turn exp_vectorizable's range checks into vector selects.
#include "kernels/exp.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "base/vectorize.h"
#include "kernels/kernel_mode.h"

namespace tapegrad::kernels {

namespace {

TAPEGRAD_VECTORIZE
double exp_and_sum_fast(const float* x, float scale, float shift, float* out, int64_t n) {
    float total = 0;  // summed in vector lanes (float: at most a few ulp from the double sum for n ≤ 10⁵)
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < n; ++i) {
        out[i] = exp_vectorizable(scale * x[i] - shift);
        total += out[i];
    }
    return total;
}

// The C library's exp (expf for float), summed in double: float's reference, and double's only path.
template <typename T>
double exp_and_sum_library(const T* x, T scale, T shift, T* out, int64_t n) {
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
        out[i] = std::exp(scale * x[i] - shift);
        total += out[i];
    }
    return total;
}

}  // namespace

double exp_and_sum(const float* x, float scale, float shift, float* out, int64_t n) {
    switch (kernel_mode()) {
        case KernelMode::Fast: return exp_and_sum_fast(x, scale, shift, out, n);
        case KernelMode::Reference: return exp_and_sum_library(x, scale, shift, out, n);
        case KernelMode::Check: break;
    }
    std::vector<float> expected(static_cast<std::size_t>(n));
    const double expected_total = exp_and_sum_library(x, scale, shift, expected.data(), n);
    const double total = exp_and_sum_fast(x, scale, shift, out, n);
    // Each exp within 2 ulp (2^-23 relative, with slack) of expf; the float sum within n ulp of the double one.
    for (int64_t i = 0; i < n; ++i)
        if (std::abs(out[i] - expected[i]) > 4.0 * 0x1p-24 * std::abs(expected[i]))
            throw std::runtime_error(fmt::format("check: exp_and_sum element {} is {} but expf gives {} (x = {})", i,
                                                 out[i], expected[i], scale * x[i] - shift));
    if (std::abs(total - expected_total) > (static_cast<double>(n) + 4) * 0x1p-24 * expected_total)
        throw std::runtime_error(fmt::format("check: exp_and_sum total {} but the reference gives {} over {} elements",
                                             total, expected_total, n));
    return total;
}

double exp_and_sum(const double* x, double scale, double shift, double* out, int64_t n) {
    return exp_and_sum_library(x, scale, shift, out, n);
}

}  // namespace tapegrad::kernels
