// General matrix multiply on strided operands, batched: the one kernel every matmul calls.
//
// For each problem p < batch:  C_p (m x n) = A_p (m x k) · B_p (k x n)   (or C_p += ... with accumulate).
// An operand is a strided view, so a transposed, sliced or broadcast tensor is read in place:
//   A_p(i, l) = a.data[offset_a(p) + i * a.row_stride + l * a.col_stride]
//   B_p(l, j) = b.data[offset_b(p) + l * b.row_stride + j * b.col_stride]
//   C_p(i, j) = c.data[p * c.batch_stride + i * c.row_stride + j]            (rows of C are contiguous)
// where offset(p) = p * batch_stride, or batch_offsets[p] when an operand supplies a table of offsets
// (a batch of several axes whose strides do not merge into one, e.g. heads split out of the features).
//   row-major X (r x s), leading dimension ld:   row_stride = ld, col_stride = 1
//   its transpose Xᵀ read in place:               row_stride = 1,  col_stride = ld
//   one matrix shared by every problem:           batch_stride = 0 (no copy per batch entry)
// The fast kernels are fastest when an operand is row- or column-contiguous (col_stride or row_stride
// is 1); any other strides are correct but gathered element by element. C must not overlap A or B.
//
// Which implementation runs is chosen per process by TAPEGRAD_KERNELS (see kernel_mode.h): the fast
// packed kernels (gemm_fast.h), the readable reference below, or both compared. A build with
// -DTAPEGRAD_SYSTEM_BLAS=ON may run the fast path on the system BLAS instead (gemm_system_blas.h).
// Results depend only on the shapes, strides and data, never on the thread count: every element of C is
// summed in the same order whichever thread computes it (our kernels; a system BLAS promises no such thing).
#pragma once

#include <cstdint>

namespace tapegrad::kernels {

// The sizes of a batched product: batch problems of (m x k) · (k x n).
struct GemmShape {
    int64_t batch = 1;
    int64_t m = 0;  // rows of A and C
    int64_t n = 0;  // columns of B and C
    int64_t k = 0;  // columns of A, rows of B (the summed dimension)
};

// A read-only operand, A or B. See the header comment for the layout it describes.
template <typename T>
struct GemmOperand {
    const T* data = nullptr;
    int64_t row_stride = 0;
    int64_t col_stride = 1;
    int64_t batch_stride = 0;                // 0: every problem reads the same matrix
    const int64_t* batch_offsets = nullptr;  // when set: problem p at data + batch_offsets[p] (batch_stride unused)

    int64_t offset(int64_t p) const { return batch_offsets ? batch_offsets[p] : p * batch_stride; }

    // A row-major matrix (rows of `ld` elements), or its transpose read in place.
    static GemmOperand row_major(const T* data, int64_t ld, int64_t batch_stride = 0) {
        return {data, ld, 1, batch_stride, nullptr};
    }
    static GemmOperand transposed(const T* data, int64_t ld, int64_t batch_stride = 0) {
        return {data, 1, ld, batch_stride, nullptr};
    }
};

// The written operand C: row-major, rows `row_stride` apart, problem p at data + p * batch_stride.
// With a bias (only when not accumulating), C = A·B + bias: bias[j] is added to column j of every row
// of every problem as the result is stored (a Linear layer's bias, at no extra pass over C).
template <typename T>
struct GemmOutput {
    T* data = nullptr;
    int64_t row_stride = 0;
    int64_t batch_stride = 0;
    const T* bias = nullptr;  // n values, or null
};

// C = A·B (+ bias) (accumulate = false: C's old contents are never read, NaNs included) or C += A·B, with
// the implementation TAPEGRAD_KERNELS selects. Throws std::invalid_argument for a bias with accumulate. Throws std::runtime_error in check mode when the fast result
// differs from the reference by more than the rounding bound 2·k·ε·(|A|·|B|).
template <typename T>
void gemm(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
          bool accumulate = false);

// The readable reference: a cache-blocked triple loop, OpenMP over rows. Same contract as gemm().
template <typename T>
void gemm_reference(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b,
                    const GemmOutput<T>& c, bool accumulate = false);

}  // namespace tapegrad::kernels
