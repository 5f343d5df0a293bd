// The fast GEMM driver: ISA dispatch, the packed (blocked) path and the unpacked path for small matrices.
// The micro-kernels it drives are in gemm_microkernel_*.cpp; the algorithm is described in gemm_fast.h.
#include "kernels/gemm_fast.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "kernels/gemm_microkernel.h"
#include "kernels/gemm_pack.h"

namespace tapegrad::kernels {
namespace {

// Below this many flops a product runs on one thread: waking the team costs more than it saves.
// (OpenBLAS draws the same line: m·n·k ≤ 262144 runs single-threaded.)
constexpr double kParallelFlops = 2.0 * 262144;
// The unpacked path is taken while k is short and B (k x n) is at most 256 KiB of floats. Measured on
// Zen 5: attention's small heads run 3x faster unpacked; from B = 512 KiB on, packing wins by 2-3%.
constexpr int64_t kUnpackedMaxK = 256;
constexpr int64_t kUnpackedMaxB = 64 * 1024;
constexpr int64_t kUnpackedMaxC = 64 * 256;  // ... or C is at most this many elements (see gemm_fast)

int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }
int64_t round_up(int64_t x, int64_t multiple) { return ceil_div(x, multiple) * multiple; }
// The block size at most `limit` (a multiple of `multiple`) that cuts `total` into equal blocks.
int64_t balanced_block(int64_t total, int64_t limit, int64_t multiple) {
    return round_up(ceil_div(total, ceil_div(total, limit)), multiple);
}

// Grow-only, 64-byte aligned scratch memory (one per thread and role), so steady-state calls never allocate.
template <typename T>
class Scratch {
public:
    T* get(int64_t count) {
        if (count > capacity_) {
            const std::size_t bytes = static_cast<std::size_t>(round_up(count * int64_t(sizeof(T)), 64));
            data_.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
            if (!data_) throw std::bad_alloc();
            capacity_ = count;
        }
        return data_.get();
    }

private:
    struct Free {
        void operator()(T* p) const { std::free(p); }
    };
    std::unique_ptr<T, Free> data_;
    int64_t capacity_ = 0;
};
template <typename T> Scratch<T>& a_scratch() { thread_local Scratch<T> scratch; return scratch; }
template <typename T> Scratch<T>& b_scratch() { thread_local Scratch<T> scratch; return scratch; }

template <typename T> MicroKernel<T> microkernel(GemmIsa isa);
template <> MicroKernel<float> microkernel<float>(GemmIsa isa) {
    switch (isa) {
        case GemmIsa::Avx512: return avx512_microkernel_f32();
        case GemmIsa::Avx2: return avx2_microkernel_f32();
        case GemmIsa::Portable: break;
    }
    return portable_microkernel_f32();
}
template <> MicroKernel<double> microkernel<double>(GemmIsa) { return portable_microkernel_f64(); }

// Threads for one product: one when it is small, or when the caller is already one of a team's threads
// (fused_attention gives each thread its own heads' products).
int team_size(const GemmShape& shape) {
    const double flops = 2.0 * double(shape.batch) * double(shape.m) * double(shape.n) * double(shape.k);
    return flops < kParallelFlops || omp_in_parallel() ? 1 : omp_get_max_threads();
}

// Unpacked path: the micro-kernel reads A in place; B too when its rows are contiguous, else each
// problem's B is first copied to row-major (once for all problems when they share it). Threads take
// whole problems, or groups of row tiles when there are fewer problems than threads.
template <typename T>
void gemm_unpacked(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
                   bool accumulate, const MicroKernel<T>& kernel) {
    const int64_t m = shape.m, n = shape.n, k = shape.k;
    // B is read in place when its rows are contiguous, unless they are a multiple of 1 KiB apart: a
    // column strip's rows would then crowd a few L1 sets, and a padded copy is faster.
    const bool b_in_place = n == 1 || (b.col_stride == 1 && (k <= 16 || b.row_stride % 256 != 0));
    const bool b_shared = b.batch_offsets == nullptr && b.batch_stride == 0;
    // Rows of a copied B start on a cache line, an odd number of lines apart: the k rows of a column strip
    // then fall into different L1 sets (rows 4 KiB apart would all compete for one set).
    const int64_t ldb = round_up(n, 16) % 32 == 0 ? round_up(n, 16) + 16 : round_up(n, 16);
    const T* shared_b = nullptr;
    if (!b_in_place && b_shared) {
        T* copy = b_scratch<T>().get(k * ldb);
        copy_to_row_major(copy, ldb, b.data, b.row_stride, b.col_stride, k, n, kernel.transpose);
        shared_b = copy;
    }
    const int threads = team_size(shape);
    // Work items: problems, cut into groups of row tiles and then of column strips until every thread has one.
    const int64_t row_tiles = ceil_div(m, kernel.mr), col_strips = ceil_div(n, kernel.nr);
    int64_t row_groups = std::min(row_tiles, ceil_div(threads, shape.batch));
    int64_t col_groups = std::min(col_strips, ceil_div(threads, shape.batch * row_groups));
    // ... unless cutting columns instead balances the threads clearly better: a 128 x 128 weight gradient
    // is 11 row tiles (6 + 5 between two threads) but 4 column strips (2 + 2).
    if (row_groups > 1 && col_groups == 1 && col_strips >= row_groups) {
        const int64_t by_rows = std::min(m, ceil_div(row_tiles, row_groups) * kernel.mr) * n;
        const int64_t by_columns = m * std::min(n, ceil_div(col_strips, row_groups) * kernel.nr);
        if (by_columns * 20 < by_rows * 19) std::swap(row_groups, col_groups);
    }
    const int64_t groups = row_groups * col_groups;
    auto run_item = [&](int64_t item) {
        const int64_t p = item / groups, row_group = item % groups / col_groups, col_group = item % col_groups;
        const int64_t row0 = row_group * row_tiles / row_groups * kernel.mr;
        const int64_t row1 = std::min(m, (row_group + 1) * row_tiles / row_groups * kernel.mr);
        const int64_t col_begin = col_group * col_strips / col_groups * kernel.nr;
        const int64_t col_end = std::min(n, (col_group + 1) * col_strips / col_groups * kernel.nr);
        MicroStrip<T> s{.k = k, .rows = row1 - row0, .a = a.data + a.offset(p) + row0 * a.row_stride,
                        .a_row_stride = a.row_stride, .a_col_stride = a.col_stride,
                        .a_tile_stride = kernel.mr * a.row_stride, .c_row_stride = c.row_stride,
                        .accumulate = accumulate, .bias = nullptr, .packed = false};
        const T* B = b.data + b.offset(p) + col_begin * b.col_stride;  // column col_begin of this problem's B
        s.b_row_stride = b.row_stride;
        if (shared_b) {
            B = shared_b + col_begin;
            s.b_row_stride = ldb;
        } else if (!b_in_place) {  // copy just this item's columns
            T* copy = b_scratch<T>().get(k * ldb);
            copy_to_row_major(copy, ldb, B, b.row_stride, b.col_stride, k, col_end - col_begin, kernel.transpose);
            B = copy;
            s.b_row_stride = ldb;
        }
        T* C = c.data + p * c.batch_stride + row0 * c.row_stride;
        for (int64_t col0 = col_begin; col0 < col_end; col0 += kernel.nr) {
            s.b = B + (col0 - col_begin);
            s.c = C + col0;
            s.bias = c.bias && !accumulate ? c.bias + col0 : nullptr;
            s.cols = static_cast<int>(std::min<int64_t>(kernel.nr, col_end - col0));
            kernel.strip(s);
        }
    };
    // One thread runs the items itself: even an inactive nested parallel region costs microseconds,
    // which is more than a head's product.
    if (threads == 1) {
        for (int64_t item = 0; item < shape.batch * groups; ++item) run_item(item);
        return;
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t item = 0; item < shape.batch * groups; ++item) run_item(item);
}

// Which threads share a block of C: a tm x tn grid over (row panels x column panels) whose largest
// share is smallest; ties go to more row parts, since threads splitting rows share B's packing.
std::pair<int, int> thread_grid(int threads, int64_t row_panels, int64_t col_panels) {
    std::pair<int, int> best{threads, 1};
    int64_t best_share = -1;
    for (int tm = threads; tm >= 1; --tm) {
        if (threads % tm) continue;
        const int tn = threads / tm;
        const int64_t share = ceil_div(row_panels, tm) * ceil_div(col_panels, tn);
        if (best_share < 0 || share < best_share) best = {tm, tn}, best_share = share;
    }
    return best;
}

// Packed path for one problem (see gemm_fast.h). Every element of C sums its KC-deep slices in order,
// whichever thread computes it, so the result does not depend on the thread count.
template <typename T>
void gemm_packed(const GemmShape& shape, const T* A, int64_t a_row, int64_t a_col, const T* B, int64_t b_row,
                 int64_t b_col, T* C, int64_t ldc, const T* bias, bool accumulate, const MicroKernel<T>& kernel,
                 int threads) {
    const int64_t m = shape.m, n = shape.n, k = shape.k;
    const int mr = kernel.mr, nr = kernel.nr;
    const int64_t kc = balanced_block(k, kernel.kc, 1);
    const int64_t nc = balanced_block(n, kernel.nc, nr);
    const int64_t mc = kernel.mc;
    T* packed_b = b_scratch<T>().get(kc * nc);
#pragma omp parallel num_threads(threads)
    {
        const int thread = omp_get_thread_num(), team = omp_get_num_threads();
        T* packed_a = a_scratch<T>().get(mc * kc);
        for (int64_t jc = 0; jc < n; jc += nc) {
            const int64_t cols = std::min(nc, n - jc);
            const int64_t col_panels = ceil_div(cols, nr), row_panels = ceil_div(m, mr);
            const auto [tm, tn] = thread_grid(team, row_panels, col_panels);
            const int part_m = thread % tm, part_n = thread / tm;
            const int64_t row_begin = part_m * row_panels / tm * mr;
            const int64_t row_end = std::min(m, (part_m + 1) * row_panels / tm * mr);
            const int64_t panel_begin = part_n * col_panels / tn, panel_end = (part_n + 1) * col_panels / tn;
            for (int64_t pc = 0; pc < k; pc += kc) {
                const int64_t depth = std::min(kc, k - pc);
                // Every thread packs a run of the B block's panels; all of it is packed before anyone reads it.
                const int64_t pack_begin = thread * col_panels / team, pack_end = (thread + 1) * col_panels / team;
                if (pack_end > pack_begin)
                    pack_b(packed_b + pack_begin * depth * nr, B + pc * b_row + (jc + pack_begin * nr) * b_col, b_row,
                           b_col, depth, std::min(cols, pack_end * nr) - pack_begin * nr, nr, kernel.transpose);
#pragma omp barrier
                for (int64_t ic = row_begin; ic < row_end; ic += mc) {
                    const int64_t rows = std::min(mc, row_end - ic);
                    pack_a(packed_a, A + ic * a_row + pc * a_col, a_row, a_col, rows, depth, mr, kernel.transpose);
                    MicroStrip<T> s{.k = depth, .rows = rows, .a = packed_a, .a_row_stride = 1, .a_col_stride = mr,
                                    .a_tile_stride = mr * depth, .b_row_stride = nr, .c_row_stride = ldc,
                                    .accumulate = accumulate || pc > 0, .packed = true};
                    for (int64_t panel = panel_begin; panel < panel_end; ++panel) {
                        s.b = packed_b + panel * depth * nr;
                        s.c = C + ic * ldc + jc + panel * nr;
                        s.bias = bias && !s.accumulate ? bias + jc + panel * nr : nullptr;  // with the first block
                        s.cols = static_cast<int>(std::min<int64_t>(nr, cols - panel * nr));
                        kernel.strip(s);
                    }
                }
#pragma omp barrier
            }
        }
    }
}

// Problems that share B and whose rows of A and C follow on from one problem to the next are one
// taller problem: (batch·m x k) · (k x n). This is how (B, T, E) @ (E, F) becomes a single GEMM.
template <typename T>
bool fold_batch(GemmShape& shape, GemmOperand<T>& a, const GemmOperand<T>& b, GemmOutput<T>& c) {
    if (shape.batch == 1 || a.batch_offsets || b.batch_offsets || b.batch_stride != 0) return false;
    const int64_t a_rows = shape.m == 1 ? a.batch_stride : a.row_stride;
    const int64_t c_rows = shape.m == 1 ? c.batch_stride : c.row_stride;
    if (a.batch_stride != shape.m * a_rows || c.batch_stride != shape.m * c_rows) return false;
    a.row_stride = a_rows;
    c.row_stride = c_rows;
    shape.m *= shape.batch;
    shape.batch = 1;
    return true;
}

}  // namespace

std::string_view gemm_isa_name(GemmIsa isa) {
    switch (isa) {
        case GemmIsa::Portable: return "portable";
        case GemmIsa::Avx2: return "avx2";
        case GemmIsa::Avx512: return "avx512";
    }
    return "unknown";
}

bool gemm_isa_supported(GemmIsa isa) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();  // (libgcc's feature bits also check that the OS saves the wider registers)
    switch (isa) {
        case GemmIsa::Portable: return true;
        case GemmIsa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case GemmIsa::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    }
    return false;
#else
    return isa == GemmIsa::Portable;
#endif
}

GemmIsa gemm_best_isa() {
    static const GemmIsa best = gemm_isa_supported(GemmIsa::Avx512) ? GemmIsa::Avx512
                                : gemm_isa_supported(GemmIsa::Avx2) ? GemmIsa::Avx2
                                                                    : GemmIsa::Portable;
    return best;
}

template <typename T>
void gemm_fast(const GemmShape& shape_in, const GemmOperand<T>& a_in, const GemmOperand<T>& b,
               const GemmOutput<T>& c_in, bool accumulate, GemmIsa isa) {
    if (!gemm_isa_supported(isa))
        throw std::invalid_argument(fmt::format("gemm_fast: this CPU cannot run the {} kernel", gemm_isa_name(isa)));
    GemmShape shape = shape_in;
    GemmOperand<T> a = a_in;
    GemmOutput<T> c = c_in;
    if (shape.batch <= 0 || shape.m <= 0 || shape.n <= 0) return;
    if (shape.k <= 0) {  // an empty sum: C = 0 (or the bias), or C unchanged
        if (!accumulate)
            for (int64_t p = 0; p < shape.batch; ++p)
                for (int64_t i = 0; i < shape.m; ++i) {
                    T* row = c.data + p * c.batch_stride + i * c.row_stride;
                    if (c.bias)
                        std::copy(c.bias, c.bias + shape.n, row);
                    else
                        std::fill(row, row + shape.n, T(0));
                }
        return;
    }
    fold_batch(shape, a, b, c);
    const MicroKernel<T> kernel = microkernel<T>(isa);
    // Packing copies every element of A and B once per block; it pays only when each is then reused many
    // times. A single row tile, or a short B that stays in L2, is cheaper read in place.
    // A small C with a long k (a weight gradient, dW = dyᵀ x summed over every token) is also better read in
    // place: each tile then accumulates all of k in registers. Measured: 64×64×1024 with a transposed A,
    // 159 -> 245 GFLOP/s on one thread, 252 -> 396 on two; 128×128×1024 199 -> 235 and 324 -> 402.
    const bool small_output = shape.m * shape.n <= kUnpackedMaxC && shape.k * shape.n <= 4 * kUnpackedMaxB;
    const bool unpacked = shape.m <= kernel.mr || (shape.k <= kUnpackedMaxK && shape.k * shape.n <= kUnpackedMaxB) ||
                          small_output;
    if (unpacked) return gemm_unpacked(shape, a, b, c, accumulate, kernel);
    const int threads = team_size(shape);
    for (int64_t p = 0; p < shape.batch; ++p)
        gemm_packed(shape, a.data + a.offset(p), a.row_stride, a.col_stride, b.data + b.offset(p), b.row_stride,
                    b.col_stride, c.data + p * c.batch_stride, c.row_stride, c.bias, accumulate, kernel, threads);
}

template void gemm_fast<float>(const GemmShape&, const GemmOperand<float>&, const GemmOperand<float>&,
                               const GemmOutput<float>&, bool, GemmIsa);
template void gemm_fast<double>(const GemmShape&, const GemmOperand<double>&, const GemmOperand<double>&,
                                const GemmOutput<double>&, bool, GemmIsa);

}  // namespace tapegrad::kernels
