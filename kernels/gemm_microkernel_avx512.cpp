// AVX-512 float micro-kernel: a 12 x 32 tile of C held in 24 zmm registers.
//
// Why 12 x 32: each step l loads two vectors of B (32 columns) and broadcasts 12 elements of A, feeding
// 24 independent FMAs. Zen 4/5 and Intel cores retire two 512-bit FMAs per cycle with a latency of 4,
// so at least 8 accumulators must be in flight; 24 hide the latency with room to spare, and the 14
// loads per step (12 cycles of FMAs) stay well under the load ports' limit.
// 24 accumulators + 2 B vectors + 1 broadcast = 27 of the 32 registers: nothing spills.
//
// Every function here is compiled for AVX-512F (+FMA) by its target attribute, exactly the features
// gemm_isa_supported(GemmIsa::Avx512) checks; nothing outside this file calls them except through the
// pointers in avx512_microkernel_f32(), taken only after the CPU said yes.
#include "kernels/gemm_microkernel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

namespace tapegrad::kernels {
namespace {

constexpr int kMr = 12;
constexpr int kNr = 32;
constexpr int kLanes = 16;

// Lanes of a 16-wide vector that hold one of the `left` remaining columns.
constexpr __mmask16 lane_mask(int left) {
    return left >= kLanes ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
}

// C tile (R x 16V) (+)= A panel (R x k) · B (k x 16V). A packed strip reads A with the compile-time panel
// strides and B as aligned whole vectors; otherwise strides come from the strip and B's loads are
// masked to the valid columns (masked loads never fault, so the last row of a matrix is safe).
template <int R, int V, bool kPacked>
__attribute__((target("avx512f,fma")))
void tile(const MicroStrip<float>& s, const float* a, float* c) {
    const int64_t a_row = kPacked ? 1 : s.a_row_stride;
    const int64_t a_col = kPacked ? kMr : s.a_col_stride;
    const int64_t b_row = kPacked ? kNr : s.b_row_stride;
    __mmask16 mask[V];
    for (int v = 0; v < V; ++v) mask[v] = lane_mask(s.cols - v * kLanes);

    __m512 acc[R][V];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();

    const float* b = s.b;
    for (int64_t l = 0; l < s.k; ++l, a += a_col, b += b_row) {
        __m512 b_row_l[V];
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v)
            b_row_l[v] = kPacked ? _mm512_load_ps(b + v * kLanes) : _mm512_maskz_loadu_ps(mask[v], b + v * kLanes);
#pragma GCC unroll 32
        for (int r = 0; r < R; ++r) {
            const __m512 a_rl = _mm512_set1_ps(a[r * a_row]);
#pragma GCC unroll 2
            for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(a_rl, b_row_l[v], acc[r][v]);
        }
    }

#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) {
            float* out = c + r * s.c_row_stride + v * kLanes;
            __m512 value = acc[r][v];
            if (mask[v] == 0xFFFF) {
                if (s.accumulate)
                    value = _mm512_add_ps(_mm512_loadu_ps(out), value);
                else if (s.bias)
                    value = _mm512_add_ps(_mm512_loadu_ps(s.bias + v * kLanes), value);
                _mm512_storeu_ps(out, value);
            } else if (mask[v] != 0) {
                if (s.accumulate)
                    value = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], out), value);
                else if (s.bias)
                    value = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], s.bias + v * kLanes), value);
                _mm512_mask_storeu_ps(out, mask[v], value);
            }
        }
}

using TileFn = void (*)(const MicroStrip<float>&, const float*, float*);

// tiles[R - 1] computes R rows: the full 12-row tile and every shorter last tile.
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

// A strip of at most 16 columns skips the second vector: half the FMAs when n is 16 (a head of D = 16).
void strip(const MicroStrip<float>& s) {
    if (s.cols > kLanes)
        s.packed ? run_strip<2, true>(s) : run_strip<2, false>(s);
    else
        s.packed ? run_strip<1, true>(s) : run_strip<1, false>(s);
}

// Interleaving steps of the transpose below. (The zero-masked forms with a full mask compile to the plain
// unpacks; GCC 12's plain intrinsics start from an "undefined" vector that -Wall reports as uninitialised.)
constexpr __mmask16 kAll16 = 0xFFFF;
constexpr __mmask8 kAll8 = 0xFF;
__attribute__((target("avx512f,fma"))) inline __m512 floats_low(__m512 x, __m512 y) {
    return _mm512_maskz_unpacklo_ps(kAll16, x, y);
}
__attribute__((target("avx512f,fma"))) inline __m512 floats_high(__m512 x, __m512 y) {
    return _mm512_maskz_unpackhi_ps(kAll16, x, y);
}
__attribute__((target("avx512f,fma"))) inline __m512 pairs_low(__m512 x, __m512 y) {
    return _mm512_castpd_ps(_mm512_maskz_unpacklo_pd(kAll8, _mm512_castps_pd(x), _mm512_castps_pd(y)));
}
__attribute__((target("avx512f,fma"))) inline __m512 pairs_high(__m512 x, __m512 y) {
    return _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(kAll8, _mm512_castps_pd(x), _mm512_castps_pd(y)));
}
__attribute__((target("avx512f,fma"))) inline __m512 quarters(__m512 x, __m512 y, bool odd) {
    return odd ? _mm512_maskz_shuffle_f32x4(kAll16, x, y, 0xdd) : _mm512_maskz_shuffle_f32x4(kAll16, x, y, 0x88);
}

// 16 x 16 transpose in registers: interleave single floats, then pairs, then 128-bit quarters twice
// (64 shuffles for 256 elements, against 256 scalar loads and stores).
__attribute__((target("avx512f,fma"))) inline void transpose_16x16(__m512 v[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = floats_low(v[2 * i], v[2 * i + 1]);
        t[2 * i + 1] = floats_high(v[2 * i], v[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i) {
        v[4 * i] = pairs_low(t[4 * i], t[4 * i + 2]);
        v[4 * i + 1] = pairs_high(t[4 * i], t[4 * i + 2]);
        v[4 * i + 2] = pairs_low(t[4 * i + 1], t[4 * i + 3]);
        v[4 * i + 3] = pairs_high(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int half = 0; half < 2; ++half)
        for (int i = 0; i < 4; ++i) {
            t[8 * half + i] = quarters(v[8 * half + i], v[8 * half + i + 4], false);
            t[8 * half + i + 4] = quarters(v[8 * half + i], v[8 * half + i + 4], true);
        }
    for (int i = 0; i < 8; ++i) {
        v[i] = quarters(t[i], t[i + 8], false);
        v[i + 8] = quarters(t[i], t[i + 8], true);
    }
}

// The TransposeFn: 16 x 16 blocks, edges through masked loads and stores.
__attribute__((target("avx512f,fma")))
void transpose(float* destination, int64_t destination_stride, const float* source, int64_t source_stride,
               int64_t rows, int64_t cols) {
    for (int64_t r0 = 0; r0 < rows; r0 += kLanes) {
        const int block_rows = static_cast<int>(std::min<int64_t>(kLanes, rows - r0));
        const __mmask16 row_mask = lane_mask(block_rows);
        for (int64_t c0 = 0; c0 < cols; c0 += kLanes) {
            const int block_cols = static_cast<int>(std::min<int64_t>(kLanes, cols - c0));
            const __mmask16 col_mask = lane_mask(block_cols);
            __m512 v[kLanes];
            for (int i = 0; i < kLanes; ++i)
                v[i] = i < block_rows ? _mm512_maskz_loadu_ps(col_mask, source + (r0 + i) * source_stride + c0)
                                      : _mm512_setzero_ps();
            // Each source row is its own stream, rows far apart: fetch a few blocks ahead along each.
            for (int i = 0; i < block_rows; ++i)
                _mm_prefetch(reinterpret_cast<const char*>(source + (r0 + i) * source_stride + c0 + 4 * kLanes),
                             _MM_HINT_T0);
            transpose_16x16(v);
            for (int j = 0; j < block_cols; ++j)
                _mm512_mask_storeu_ps(destination + (c0 + j) * destination_stride + r0, row_mask, v[j]);
        }
    }
}

}  // namespace

// Zen 5: L1d 48 KiB, L2 1 MiB per core. A 96 x 512 block of A is 192 KiB and a 512 x 32 panel of B
// 64 KiB, both in L2 (L2 feeds the two B vectors a step needs with ease); a 512 x 3072 block of B is
// 6 MiB, shared by the threads from L3. Measured on Zen 5 over KC 192-1024, MC 48-480, NC 1536-6144:
// KC 512 beat 256 by 5-13% where k is long (fewer passes over C), MC 96 was best, NC did not matter.
MicroKernel<float> avx512_microkernel_f32() {
    return {.name = "avx512", .mr = kMr, .nr = kNr, .kc = 512, .mc = 96, .nc = 3072, .strip = strip,
            .transpose = transpose};
}

}  // namespace tapegrad::kernels

#else  // not x86: the symbol exists for the linker; gemm_isa_supported() never lets it be called.

namespace tapegrad::kernels {
MicroKernel<float> avx512_microkernel_f32() { return portable_microkernel_f32(); }
}  // namespace tapegrad::kernels

#endif
