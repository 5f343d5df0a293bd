// Portable micro-kernel in plain C++: the fallback for CPUs without AVX2 and the float64 kernel.
//
// Tile sizes fill the 16 vector registers of the baselines (SSE2, NEON): float 4 x 8 = 8 vectors of 4,
// double 4 x 4 = 8 vectors of 2, leaving room for a row of B and a broadcast element of A.
#include <algorithm>
#include <cstring>

#include "kernels/gemm_microkernel.h"
#include "kernels/gemm_pack.h"

namespace tapegrad::kernels {
namespace {

// What a tile stores in column j: the old value plus the sum, or the sum (plus the bias).
template <typename T>
inline T stored(const MicroStrip<T>& s, T old, int j, T sum) {
    return s.accumulate ? old + sum : s.bias ? s.bias[j] + sum : sum;
}

// A whole MR x NR tile read (packed panels are zero-padded, so a packed tile always is). The tile is
// held in 128-bit generic vectors (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64), MR x
// NR/lanes of them, which the compiler keeps in registers.
template <typename T, int MR, int NR>
void full_tile(const MicroStrip<T>& s, const T* a, T* c, int rows) {
    typedef T Vec __attribute__((vector_size(16)));
    constexpr int kLanes = 16 / sizeof(T), V = NR / kLanes;
    static_assert(NR % kLanes == 0);
    Vec acc[MR][V] = {};
    const T* b = s.b;
    const int64_t a_row = s.packed ? 1 : s.a_row_stride, a_col = s.packed ? MR : s.a_col_stride;
    for (int64_t l = 0; l < s.k; ++l, a += a_col, b += s.b_row_stride) {
        Vec b_l[V];
        std::memcpy(b_l, b, sizeof(b_l));  // (an unaligned load)
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) {
            const T a_il = a[i * a_row];
#pragma GCC unroll 8
            for (int v = 0; v < V; ++v) acc[i][v] += a_il * b_l[v];
        }
    }
    T out_tile[MR][NR];
    std::memcpy(out_tile, acc, sizeof(out_tile));
    for (int i = 0; i < rows; ++i) {
        T* out = c + i * s.c_row_stride;
        for (int j = 0; j < s.cols; ++j) out[j] = stored(s, out[j], j, out_tile[i][j]);
    }
}

// The last rows or columns of an unpacked operand: only what exists is read.
template <typename T, int MR, int NR>
void edge_tile(const MicroStrip<T>& s, const T* a, T* c, int rows) {
    T acc[MR][NR] = {};
    const T* b = s.b;
    for (int64_t l = 0; l < s.k; ++l, a += s.a_col_stride, b += s.b_row_stride)
        for (int i = 0; i < rows; ++i) {
            const T a_il = a[i * s.a_row_stride];
            for (int j = 0; j < s.cols; ++j) acc[i][j] += a_il * b[j];
        }
    for (int i = 0; i < rows; ++i) {
        T* out = c + i * s.c_row_stride;
        for (int j = 0; j < s.cols; ++j) out[j] = stored(s, out[j], j, acc[i][j]);
    }
}

template <typename T, int MR, int NR>
void tile(const MicroStrip<T>& s, const T* a, T* c, int rows) {
    if (s.packed || (rows == MR && s.cols == NR))
        full_tile<T, MR, NR>(s, a, c, rows);
    else
        edge_tile<T, MR, NR>(s, a, c, rows);
}

template <typename T, int MR, int NR>
void strip(const MicroStrip<T>& s) {
    const T* a = s.a;
    T* c = s.c;
    for (int64_t row = 0; row < s.rows; row += MR, a += s.a_tile_stride, c += MR * s.c_row_stride)
        tile<T, MR, NR>(s, a, c, static_cast<int>(std::min<int64_t>(MR, s.rows - row)));
}

}  // namespace

MicroKernel<float> portable_microkernel_f32() {
    return {.name = "portable", .mr = 4, .nr = 8, .kc = 256, .mc = 128, .nc = 2048, .strip = strip<float, 4, 8>,
            .transpose = transpose_portable<float>};
}

MicroKernel<double> portable_microkernel_f64() {
    return {.name = "portable", .mr = 4, .nr = 4, .kc = 256, .mc = 128, .nc = 1024, .strip = strip<double, 4, 4>,
            .transpose = transpose_portable<double>};
}

}  // namespace tapegrad::kernels
