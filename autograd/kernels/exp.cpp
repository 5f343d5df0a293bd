// The vectorised exp-and-sum loops (see exp.h). This file is compiled with -fno-trapping-math (see
// CMakeLists.txt), without which GCC will not turn exp_vectorizable's range checks into vector selects.
#include "autograd/kernels/exp.h"

#include "autograd/kernels/vectorize.h"

namespace tapegrad::kernels {

TAPEGRAD_VECTORIZE
double exp_and_sum(const float* x, float scale, float shift, float* out, int64_t n) {
    float total = 0;  // summed in vector lanes (float: at most a few ulp from the double sum for n ≤ 10⁵)
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < n; ++i) {
        out[i] = exp_vectorizable(scale * x[i] - shift);
        total += out[i];
    }
    return total;
}

double exp_and_sum(const double* x, double scale, double shift, double* out, int64_t n) {
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
        out[i] = std::exp(scale * x[i] - shift);
        total += out[i];
    }
    return total;
}

}  // namespace tapegrad::kernels
