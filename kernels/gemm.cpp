// gemm(): runs the fast or the reference kernel as TAPEGRAD_KERNELS says, or both and compares them.
#include "kernels/gemm.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "kernels/gemm_fast.h"
#include "kernels/gemm_system_blas.h"
#include "kernels/kernel_mode.h"

namespace tapegrad::kernels {
namespace {

// The fast path: the system BLAS when it is built in and selected (and can express the operands), else ours.
template <typename T>
void gemm_selected(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
                   bool accumulate) {
    if (gemm_backend() == GemmBackend::SystemBlas && gemm_system_blas(shape, a, b, c, accumulate)) return;
    gemm_fast(shape, a, b, c, accumulate);
}

// |X| of every problem's operand, as a dense row-major (batch, rows, cols) array.
template <typename T>
std::vector<T> absolute(const GemmOperand<T>& x, int64_t batch, int64_t rows, int64_t cols) {
    std::vector<T> out(static_cast<std::size_t>(batch * rows * cols));
    for (int64_t p = 0; p < batch; ++p)
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
                out[(p * rows + i) * cols + j] = std::abs(x.data[x.offset(p) + i * x.row_stride + j * x.col_stride]);
    return out;
}

// Check mode. Both kernels compute fl(A·B) within |fl(A·B) − A·B| ≤ γ_k·|A|·|B|, γ_k ≈ k·ε, whatever
// order they sum in, so two correct kernels differ by at most 2·k·ε·(|A|·|B|) (+ the rounding of C's old
// value when accumulating). A bug (a wrong element, a missed slice of k) is orders of magnitude larger.
// The fast result is what C keeps: check mode verifies a run without changing what it computes.
template <typename T>
void gemm_checked(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
                  bool accumulate) {
    const int64_t batch = shape.batch, m = shape.m, n = shape.n, k = shape.k;
    if (batch <= 0 || m <= 0 || n <= 0) return;
    auto at = [&](const GemmOutput<T>& out, int64_t p, int64_t i, int64_t j) -> T& {
        return out.data[p * out.batch_stride + i * out.row_stride + j];
    };

    std::vector<T> old_c(static_cast<std::size_t>(batch * m * n), T(0));
    if (accumulate)
        for (int64_t p = 0; p < batch; ++p)
            for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) old_c[(p * m + i) * n + j] = at(c, p, i, j);
    else if (c.bias)  // what the sums start from
        for (int64_t p = 0; p < batch; ++p)
            for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) old_c[(p * m + i) * n + j] = c.bias[j];
    std::vector<T> expected = old_c;
    gemm_reference(shape, a, b, GemmOutput<T>{expected.data(), n, m * n, c.bias}, accumulate);
    const std::vector<T> abs_a = absolute(a, batch, m, k), abs_b = absolute(b, batch, k, n);
    std::vector<T> bound(expected.size());
    gemm_reference(shape, GemmOperand<T>::row_major(abs_a.data(), k, m * k),
                   GemmOperand<T>::row_major(abs_b.data(), n, k * n), GemmOutput<T>{bound.data(), n, m * n});

    gemm_selected(shape, a, b, c, accumulate);

    const T eps = std::numeric_limits<T>::epsilon();
    double worst_ratio = 0;
    int64_t worst_p = 0, worst_i = 0, worst_j = 0;
    for (int64_t p = 0; p < batch; ++p)
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                const std::size_t e = static_cast<std::size_t>((p * m + i) * n + j);
                const T fast = at(c, p, i, j), reference = expected[e];
                if (fast == reference || (std::isnan(fast) && std::isnan(reference))) continue;
                const double allowed = 2.0 * double(k + 1) * eps * (double(bound[e]) + std::abs(double(old_c[e]))) +
                                       std::numeric_limits<T>::min();
                double ratio = std::abs(double(fast) - double(reference)) / allowed;
                if (std::isnan(ratio)) ratio = INFINITY;  // one NaN, the other not
                if (ratio > worst_ratio) {
                    worst_ratio = ratio;
                    worst_p = p, worst_i = i, worst_j = j;
                }
            }
    if (worst_ratio > 1) {
        const std::size_t e = static_cast<std::size_t>((worst_p * m + worst_i) * n + worst_j);
        throw std::runtime_error(fmt::format(
            "gemm check: the {} kernel differs from the reference at problem {}, C[{}, {}]: {} vs {} "
            "(|diff| is {:.3g}x the rounding bound 2·k·ε·|A|·|B| = {:.3g}) for batch {}, m {}, n {}, k {}",
            gemm_isa_name(gemm_best_isa()), worst_p, worst_i, worst_j, at(c, worst_p, worst_i, worst_j), expected[e],
            worst_ratio, 2.0 * double(k + 1) * eps * double(bound[e]), batch, m, n, k));
    }
}

}  // namespace

template <typename T>
void gemm(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
          bool accumulate) {
    if (c.bias && accumulate) throw std::invalid_argument("gemm: a bias is added only when not accumulating (C = A·B + bias)");
    switch (kernel_mode()) {
        case KernelMode::Fast: return gemm_selected(shape, a, b, c, accumulate);
        case KernelMode::Reference: return gemm_reference(shape, a, b, c, accumulate);
        case KernelMode::Check: return gemm_checked(shape, a, b, c, accumulate);
    }
}

template void gemm<float>(const GemmShape&, const GemmOperand<float>&, const GemmOperand<float>&,
                          const GemmOutput<float>&, bool);
template void gemm<double>(const GemmShape&, const GemmOperand<double>&, const GemmOperand<double>&,
                           const GemmOutput<double>&, bool);

}  // namespace tapegrad::kernels
