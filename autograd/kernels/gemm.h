// General matrix multiply on contiguous row-major matrices: the one kernel every matmul calls.
#pragma once

#include <cstdint>

namespace tapegrad::kernels {

// For each of `batch` problems: C (n x m) = A (n x k) · B (k x m), all row-major and contiguous,
// problem p at a + p·n·k, b + p·k·m, c + p·n·m. C is overwritten.
template <typename T>
void gemm(int64_t batch, int64_t n, int64_t m, int64_t k, const T* a, const T* b, T* c);

}  // namespace tapegrad::kernels
