// The register-blocked micro-kernels behind gemm_fast, one per instruction set, behind one interface.
//
// A micro-kernel keeps an MR x NR tile of C in vector registers and, for each l < k, adds the outer
// product of an MR-long column of A (broadcast one element at a time) with an NR-long row of B (loaded
// as NR/lanes vectors). It is called for a strip: any number of rows (MR at a time), at most NR columns.
// Each ISA's kernels live in their own file, compiled with __attribute__((target(...))), and are reached
// only through these function pointers after the CPU has been asked what it supports, so the library
// built for generic x86-64 runs anywhere.
#pragma once

#include <cstdint>

namespace tapegrad::kernels {

// One call: C[rows x cols] (+)= A[rows x k] · B[k x cols].
template <typename T>
struct MicroStrip {
    int64_t k = 0;
    int64_t rows = 0;  // any count: processed as tiles of MR rows, the last one shorter
    int cols = 0;      // 1..NR
    // A(i, l) of tile t at a[t * a_tile_stride + (i % MR) * a_row_stride + l * a_col_stride].
    const T* a = nullptr;
    int64_t a_row_stride = 0, a_col_stride = 0, a_tile_stride = 0;
    // B(l, j) = b[l * b_row_stride + j]: rows of B are contiguous.
    const T* b = nullptr;
    int64_t b_row_stride = 0;
    T* c = nullptr;
    int64_t c_row_stride = 0;
    bool accumulate = false;  // C += A·B, else C = A·B (+ bias)
    const T* bias = nullptr;  // when not accumulating: bias[j] added to column j of the strip, or null
    // Packed: A comes in MR-row panels (a_row_stride 1, a_col_stride MR, zero-padded rows) and B in an
    // NR-wide panel (b_row_stride NR, zero-padded columns, 64-byte aligned); the kernel may then read
    // whole vectors and use compile-time strides. Otherwise only the valid rows and columns are read.
    bool packed = false;
};

// destination[c * destination_stride + r] = source[r * source_stride + c] for r < rows, c < cols: the
// copy behind every pack that reads an operand across its unit stride (row-major A into column panels,
// a transposed B into row panels). Reading along the source's rows, it walks both sides in runs.
template <typename T>
using TransposeFn = void (*)(T* destination, int64_t destination_stride, const T* source, int64_t source_stride,
                             int64_t rows, int64_t cols);

// Register block and cache blocking of one micro-kernel, chosen for the caches of the CPUs that run it.
template <typename T>
struct MicroKernel {
    const char* name;
    int mr, nr;  // register tile
    int64_t kc;  // depth of a packed block: a KC x NR panel of B stays in L1/L2 while A panels stream past it
    int64_t mc;  // rows of a packed A block (MC x KC, in L2), a multiple of mr
    int64_t nc;  // columns of a packed B block (KC x NC, in L2/L3), a multiple of nr
    void (*strip)(const MicroStrip<T>& strip);
    TransposeFn<T> transpose;
};

// Portable C++ (auto-vectorised for whatever the library was compiled for): float 4x8, double 4x4.
MicroKernel<float> portable_microkernel_f32();
MicroKernel<double> portable_microkernel_f64();
// AVX2 + FMA, 6x16 float. Call only when the CPU supports avx2 and fma.
MicroKernel<float> avx2_microkernel_f32();
// AVX-512F + FMA, 12x32 float. Call only when the CPU supports avx512f and fma.
MicroKernel<float> avx512_microkernel_f32();

}  // namespace tapegrad::kernels
