// Reference GEMM: cache-blocked and OpenMP-parallel, written for clarity. (A packed, register-blocked
// micro-kernel is a later, separate kernel; this one stays as the readable reference.)
#include "autograd/kernels/gemm.h"

#include <algorithm>
#include <cstring>

namespace tapegrad::kernels {
namespace {
// A block of B (kBlockK rows x up to kBlockM columns) is reused by every row of a row block, so it
// should sit in L2: 128 x 512 floats = 256 KiB.
constexpr int64_t kBlockRows = 32;
constexpr int64_t kBlockK = 128;
constexpr int64_t kBlockM = 512;
}  // namespace

template <typename T>
void gemm(int64_t batch, int64_t n, int64_t m, int64_t k, const T* a, const T* b, T* c) {
    const int64_t row_blocks = (n + kBlockRows - 1) / kBlockRows;
    const double flops = 2.0 * static_cast<double>(batch) * n * m * k;
#pragma omp parallel for collapse(2) schedule(static) if (flops > 1e6)
    for (int64_t p = 0; p < batch; ++p)
        for (int64_t block = 0; block < row_blocks; ++block) {
            const T* A = a + p * n * k;
            const T* B = b + p * k * m;
            T* C = c + p * n * m;
            const int64_t row_end = std::min(n, (block + 1) * kBlockRows);
            for (int64_t i = block * kBlockRows; i < row_end; ++i) std::memset(C + i * m, 0, sizeof(T) * m);
            for (int64_t j0 = 0; j0 < m; j0 += kBlockM) {
                const int64_t j1 = std::min(m, j0 + kBlockM);
                for (int64_t k0 = 0; k0 < k; k0 += kBlockK) {
                    const int64_t k1 = std::min(k, k0 + kBlockK);
                    for (int64_t i = block * kBlockRows; i < row_end; ++i) {
                        T* c_row = C + i * m;
                        // c_row += Σ_kk A[i][kk] · B[kk][j0:j1]: the inner loop over j vectorises.
                        for (int64_t kk = k0; kk < k1; ++kk) {
                            const T a_ik = A[i * k + kk];
                            const T* b_row = B + kk * m;
                            for (int64_t j = j0; j < j1; ++j) c_row[j] += a_ik * b_row[j];
                        }
                    }
                }
            }
        }
}

template void gemm<float>(int64_t, int64_t, int64_t, int64_t, const float*, const float*, float*);
template void gemm<double>(int64_t, int64_t, int64_t, int64_t, const double*, const double*, double*);

}  // namespace tapegrad::kernels
