// The system-BLAS backend of gemm() (see gemm_system_blas.h): the mapping from our strided operands to
// CBLAS's (layout, transpose, leading dimension), and the run-time choice of backend.
#include "kernels/gemm_system_blas.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#ifdef TAPEGRAD_HAVE_SYSTEM_BLAS
#include <cblas.h>
#endif

namespace tapegrad::kernels {
namespace {

std::atomic<int> current_backend{-1};  // -1: not read from the environment yet

#ifdef TAPEGRAD_HAVE_SYSTEM_BLAS
// How CBLAS (row-major) reads one operand X (rows x cols): as itself with rows `leading` apart, or as the
// transpose of a row-major (cols x rows) matrix with rows `leading` apart.
struct BlasOperand {
    bool usable = false;
    CBLAS_TRANSPOSE transpose = CblasNoTrans;
    int64_t leading = 0;
};

template <typename T>
BlasOperand blas_operand(const GemmOperand<T>& x, int64_t rows, int64_t cols) {
    // A single row or column has one meaningful stride; the other is whatever keeps BLAS's checks happy.
    if ((x.col_stride == 1 || cols == 1) && (x.row_stride >= std::max<int64_t>(cols, 1) || rows == 1))
        return {true, CblasNoTrans, std::max<int64_t>({x.row_stride, cols, 1})};
    if ((x.row_stride == 1 || rows == 1) && (x.col_stride >= std::max<int64_t>(rows, 1) || cols == 1))
        return {true, CblasTrans, std::max<int64_t>({x.col_stride, rows, 1})};
    return {};
}

// CBLAS takes int sizes: larger products stay on our kernels.
bool fits_int(int64_t value) { return value <= 0x7fffffff; }

void call_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float beta, const float* a, int lda,
               const float* b, int ldb, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
void call_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double beta, const double* a, int lda,
               const double* b, int ldb, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}
#endif

}  // namespace

bool system_blas_available() {
#ifdef TAPEGRAD_HAVE_SYSTEM_BLAS
    return true;
#else
    return false;
#endif
}

GemmBackend parse_gemm_backend(std::string_view text) {
    if (text == "tapegrad") return GemmBackend::Tapegrad;
    if (text == "blas") return GemmBackend::SystemBlas;
    throw std::invalid_argument(
        fmt::format("TAPEGRAD_GEMM: expected 'tapegrad' or 'blas', got '{}'", std::string(text)));
}

std::string_view gemm_backend_name(GemmBackend backend) {
    return backend == GemmBackend::SystemBlas ? "blas" : "tapegrad";
}

void set_gemm_backend(GemmBackend backend) {
    if (backend == GemmBackend::SystemBlas && !system_blas_available())
        throw std::invalid_argument(
            "gemm: the system BLAS was asked for, but tapegrad was built without it (configure with "
            "-DTAPEGRAD_SYSTEM_BLAS=ON and a CBLAS such as libopenblas-openmp-dev)");
    current_backend.store(static_cast<int>(backend));
}

GemmBackend gemm_backend() {
    int backend = current_backend.load(std::memory_order_relaxed);
    if (backend < 0) {
        const char* text = std::getenv("TAPEGRAD_GEMM");
        const GemmBackend chosen = text && *text ? parse_gemm_backend(text)
                                   : system_blas_available() ? GemmBackend::SystemBlas
                                                             : GemmBackend::Tapegrad;
        if (chosen == GemmBackend::SystemBlas && !system_blas_available())
            throw std::invalid_argument(
                "TAPEGRAD_GEMM=blas, but tapegrad was built without the system BLAS (-DTAPEGRAD_SYSTEM_BLAS=ON)");
        int unread = -1;  // a concurrent set_gemm_backend() wins over the environment
        backend = static_cast<int>(chosen);
        if (!current_backend.compare_exchange_strong(unread, backend)) backend = unread;
    }
    return static_cast<GemmBackend>(backend);
}

template <typename T>
bool gemm_system_blas([[maybe_unused]] const GemmShape& shape, [[maybe_unused]] const GemmOperand<T>& a,
                      [[maybe_unused]] const GemmOperand<T>& b, [[maybe_unused]] const GemmOutput<T>& c,
                      [[maybe_unused]] bool accumulate) {
#ifdef TAPEGRAD_HAVE_SYSTEM_BLAS
    const int64_t m = shape.m, n = shape.n, k = shape.k;
    if (shape.batch <= 0 || m <= 0 || n <= 0) return true;
    const BlasOperand op_a = blas_operand(a, m, k), op_b = blas_operand(b, k, n);
    if (!op_a.usable || !op_b.usable || k <= 0 || !fits_int(m) || !fits_int(n) || !fits_int(k) ||
        !fits_int(op_a.leading) || !fits_int(op_b.leading) || !fits_int(std::max<int64_t>(c.row_stride, n)))
        return false;
    auto problem = [&](int64_t p) {
        T* C = c.data + p * c.batch_stride;
        if (c.bias && !accumulate)  // C = bias, then C += A·B
            for (int64_t i = 0; i < m; ++i) std::copy(c.bias, c.bias + n, C + i * c.row_stride);
        const T beta = accumulate || c.bias ? T(1) : T(0);
        call_gemm(op_a.transpose, op_b.transpose, int(m), int(n), int(k), beta, a.data + a.offset(p), int(op_a.leading),
                  b.data + b.offset(p), int(op_b.leading), C, int(std::max<int64_t>(c.row_stride, n)));
    };
    // One call threads itself; a batch of small products (attention heads) is split across threads, each
    // call then running on one (OpenBLAS does not start threads inside a parallel region).
    if (shape.batch == 1 || omp_in_parallel()) {
        for (int64_t p = 0; p < shape.batch; ++p) problem(p);
    } else {
#pragma omp parallel for schedule(static)
        for (int64_t p = 0; p < shape.batch; ++p) problem(p);
    }
    return true;
#else
    return false;
#endif
}

template bool gemm_system_blas<float>(const GemmShape&, const GemmOperand<float>&, const GemmOperand<float>&,
                                      const GemmOutput<float>&, bool);
template bool gemm_system_blas<double>(const GemmShape&, const GemmOperand<double>&, const GemmOperand<double>&,
                                       const GemmOutput<double>&, bool);

}  // namespace tapegrad::kernels
