// AVX2 + FMA float micro-kernel: a 6 x 16 tile of C held in 12 ymm registers.
//
// Why 6 x 16: with 16 ymm registers, 12 accumulators + 2 B vectors + 1 broadcast is the largest tile
// that does not spill, and 12 independent FMAs cover two FMA pipes of latency 4-5.
// Compiled for AVX2 by target attributes; reached only through avx2_microkernel_f32() once the CPU said yes.
#include "kernels/gemm_microkernel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/gemm_pack.h"

namespace tapegrad::kernels {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;
constexpr int kLanes = 8;

// All-ones in the lanes that hold one of the `left` remaining columns (AVX2 masks are vectors).
__attribute__((target("avx2,fma"))) inline __m256i lane_mask(int left) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// C tile (R x 8V) (+)= A panel (R x k) · B (k x 8V); see the AVX-512 kernel for the packed/strided contract.
template <int R, int V, bool kPacked>
__attribute__((target("avx2,fma")))
void tile(const MicroStrip<float>& s, const float* a, float* c) {
    const int64_t a_row = kPacked ? 1 : s.a_row_stride;
    const int64_t a_col = kPacked ? kMr : s.a_col_stride;
    const int64_t b_row = kPacked ? kNr : s.b_row_stride;
    __m256i mask[V];
    bool full[V];
    for (int v = 0; v < V; ++v) {
        mask[v] = lane_mask(s.cols - v * kLanes);
        full[v] = s.cols - v * kLanes >= kLanes;
    }

    __m256 acc[R][V];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();

    const float* b = s.b;
    for (int64_t l = 0; l < s.k; ++l, a += a_col, b += b_row) {
        __m256 b_row_l[V];
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v)
            b_row_l[v] = kPacked ? _mm256_load_ps(b + v * kLanes) : _mm256_maskload_ps(b + v * kLanes, mask[v]);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const __m256 a_rl = _mm256_broadcast_ss(a + r * a_row);
#pragma GCC unroll 2
            for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(a_rl, b_row_l[v], acc[r][v]);
        }
    }

#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) {
            float* out = c + r * s.c_row_stride + v * kLanes;
            __m256 value = acc[r][v];
            if (full[v]) {
                if (s.accumulate)
                    value = _mm256_add_ps(_mm256_loadu_ps(out), value);
                else if (s.bias)
                    value = _mm256_add_ps(_mm256_loadu_ps(s.bias + v * kLanes), value);
                _mm256_storeu_ps(out, value);
            } else if (s.cols > v * kLanes) {
                if (s.accumulate)
                    value = _mm256_add_ps(_mm256_maskload_ps(out, mask[v]), value);
                else if (s.bias)
                    value = _mm256_add_ps(_mm256_maskload_ps(s.bias + v * kLanes, mask[v]), value);
                _mm256_maskstore_ps(out, mask[v], value);
            }
        }
}

using TileFn = void (*)(const MicroStrip<float>&, const float*, float*);

template <int V, bool kPacked, std::size_t... R>
constexpr std::array<TileFn, kMr> make_tiles(std::index_sequence<R...>) {
    return {&tile<static_cast<int>(R) + 1, V, kPacked>...};
}

template <int V, bool kPacked>
void run_strip(const MicroStrip<float>& s) {
    static constexpr std::array<TileFn, kMr> tiles = make_tiles<V, kPacked>(std::make_index_sequence<kMr>());
    const float* a = s.a;
    float* c = s.c;
    for (int64_t row = 0; row < s.rows; row += kMr, a += s.a_tile_stride, c += kMr * s.c_row_stride)
        tiles[std::min<int64_t>(kMr, s.rows - row) - 1](s, a, c);
}

void strip(const MicroStrip<float>& s) {
    if (s.cols > kLanes)
        s.packed ? run_strip<2, true>(s) : run_strip<2, false>(s);
    else
        s.packed ? run_strip<1, true>(s) : run_strip<1, false>(s);
}

}  // namespace

// A 256 x 16 panel of B is 16 KiB (L1 on every AVX2 core); a 192 x 256 block of A is 192 KiB (L2).
MicroKernel<float> avx2_microkernel_f32() {
    return {.name = "avx2", .mr = kMr, .nr = kNr, .kc = 256, .mc = 192, .nc = 3072, .strip = strip,
            .transpose = transpose_portable<float>};
}

}  // namespace tapegrad::kernels

#else  // not x86: the symbol exists for the linker; gemm_isa_supported() never lets it be called.

namespace tapegrad::kernels {
MicroKernel<float> avx2_microkernel_f32() { return portable_microkernel_f32(); }
}  // namespace tapegrad::kernels

#endif
