// Reference GEMM: cache-blocked and OpenMP-parallel, written for clarity. It is what TAPEGRAD_KERNELS=reference
// runs and what the fast packed kernels (gemm_fast.cpp) are checked against, so it stays plain.
#include <algorithm>
#include <vector>

#include "kernels/gemm.h"

namespace tapegrad::kernels {
namespace {
// A block of B (kBlockK rows x up to kBlockN columns) is reused by every row of a row block, so it
// should sit in L2: 128 x 512 floats = 256 KiB.
constexpr int64_t kBlockRows = 32;
constexpr int64_t kBlockK = 128;
constexpr int64_t kBlockN = 512;

// The inner loop below walks a row of B. When B's rows are not contiguous (B is a transpose), each
// problem's B is first copied to row-major so that loop stays unit-stride and vectorisable.
template <typename T>
GemmOperand<T> row_major_copy(const GemmShape& shape, const GemmOperand<T>& b, std::vector<T>& storage) {
    const int64_t k = shape.k, n = shape.n;
    storage.resize(static_cast<std::size_t>(shape.batch * k * n));
#pragma omp parallel for schedule(static) if (shape.batch * k * n > 65536)
    for (int64_t p = 0; p < shape.batch; ++p) {
        const T* source = b.data + b.offset(p);
        T* destination = storage.data() + p * k * n;
        for (int64_t l = 0; l < k; ++l)
            for (int64_t j = 0; j < n; ++j) destination[l * n + j] = source[l * b.row_stride + j * b.col_stride];
    }
    return GemmOperand<T>::row_major(storage.data(), n, k * n);
}
}  // namespace

template <typename T>
void gemm_reference(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b_in,
                    const GemmOutput<T>& c, bool accumulate) {
    const int64_t m = shape.m, n = shape.n, k = shape.k;
    if (shape.batch <= 0 || m <= 0 || n <= 0) return;
    std::vector<T> b_storage;
    const GemmOperand<T> b = (b_in.col_stride == 1 || n == 1) ? b_in : row_major_copy(shape, b_in, b_storage);

    const int64_t row_blocks = (m + kBlockRows - 1) / kBlockRows;
    const double flops = 2.0 * static_cast<double>(shape.batch) * m * n * k;
#pragma omp parallel for collapse(2) schedule(static) if (flops > 1e6)
    for (int64_t p = 0; p < shape.batch; ++p)
        for (int64_t block = 0; block < row_blocks; ++block) {
            const T* A = a.data + a.offset(p);
            const T* B = b.data + b.offset(p);
            T* C = c.data + p * c.batch_stride;
            const int64_t row_begin = block * kBlockRows, row_end = std::min(m, row_begin + kBlockRows);
            if (!accumulate)  // the sums start from the bias, or from 0
                for (int64_t i = row_begin; i < row_end; ++i) {
                    T* c_row = C + i * c.row_stride;
                    if (c.bias)
                        std::copy(c.bias, c.bias + n, c_row);
                    else
                        std::fill(c_row, c_row + n, T(0));
                }
            for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
                const int64_t j1 = std::min(n, j0 + kBlockN);
                for (int64_t l0 = 0; l0 < k; l0 += kBlockK) {
                    const int64_t l1 = std::min(k, l0 + kBlockK);
                    for (int64_t i = row_begin; i < row_end; ++i) {
                        T* c_row = C + i * c.row_stride;
                        // c_row += Σ_l A[i][l] · B[l][j0:j1]: the inner loop over j vectorises.
                        for (int64_t l = l0; l < l1; ++l) {
                            const T a_il = A[i * a.row_stride + l * a.col_stride];
                            const T* b_row = B + l * b.row_stride;
                            for (int64_t j = j0; j < j1; ++j) c_row[j] += a_il * b_row[j];
                        }
                    }
                }
            }
        }
}

template void gemm_reference<float>(const GemmShape&, const GemmOperand<float>&, const GemmOperand<float>&,
                                    const GemmOutput<float>&, bool);
template void gemm_reference<double>(const GemmShape&, const GemmOperand<double>&, const GemmOperand<double>&,
                                     const GemmOutput<double>&, bool);

}  // namespace tapegrad::kernels
