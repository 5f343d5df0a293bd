// The GEMM kernels: every fast path (one per ISA the CPU has) against the readable reference on odd
// shapes, transposes, broadcast and tabled batches, accumulation, float32 and float64; determinism across
// thread counts; TAPEGRAD_KERNELS modes; matmul passing strided views straight to the kernel.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "autograd/autograd.h"
#include "kernels/gemm.h"
#include "kernels/gemm_fast.h"
#include "kernels/gemm_system_blas.h"
#include "kernels/kernel_mode.h"

using namespace tapegrad;
using namespace tapegrad::kernels;

namespace {

constexpr GemmIsa kIsas[] = {GemmIsa::Portable, GemmIsa::Avx2, GemmIsa::Avx512};
constexpr int64_t kOddSizes[] = {1, 7, 17, 33, 100, 257};

template <typename T>
std::vector<T> random_values(int64_t count, uint32_t seed) {
    std::mt19937 generator(seed);
    std::uniform_real_distribution<double> uniform(-1, 1);
    std::vector<T> values(static_cast<std::size_t>(count));
    for (T& value : values) value = static_cast<T>(uniform(generator));
    return values;
}

// How the operands of a test product are stored.
struct Layout {
    bool trans_a = false, trans_b = false;    // read as the transpose of a row-major matrix
    bool shared_a = false, shared_b = false;  // one matrix for every batch entry (batch stride 0)
    bool accumulate = false;
};

// op(X) (rows x cols) for each batch entry, stored row-major with padded rows (so that the kernels must
// honour the stride), or as the row-major transpose read in place.
template <typename T>
struct StoredMatrix {
    std::vector<T> values;
    GemmOperand<T> operand;

    StoredMatrix(int64_t batch, int64_t rows, int64_t cols, bool transposed, bool shared, uint32_t seed) {
        const int64_t stored_rows = transposed ? cols : rows, ld = (transposed ? rows : cols) + 3;
        values = random_values<T>((shared ? 1 : batch) * stored_rows * ld, seed);
        const int64_t batch_stride = shared ? 0 : stored_rows * ld;
        operand = transposed ? GemmOperand<T>::transposed(values.data(), ld, batch_stride)
                             : GemmOperand<T>::row_major(values.data(), ld, batch_stride);
    }
    StoredMatrix(const StoredMatrix&) = delete;
    // |X| in the same layout: the reference's product of these bounds the rounding error.
    std::vector<T> absolute() const {
        std::vector<T> out(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) out[i] = std::abs(values[i]);
        return out;
    }
    GemmOperand<T> with_data(const std::vector<T>& data) const {
        GemmOperand<T> rebased = operand;
        rebased.data = data.data();
        return rebased;
    }
};

// Sets the OpenMP thread count for one scope. The sweeps against the reference run on one thread: on a
// loaded machine thousands of small parallel regions cost seconds, and what threading adds is covered
// by the test that 1 and 2 threads give bit-identical results on shapes that use every way of splitting.
class OmpThreads {
public:
    explicit OmpThreads(int threads) : previous_(omp_get_max_threads()) { omp_set_num_threads(threads); }
    ~OmpThreads() { omp_set_num_threads(previous_); }

private:
    int previous_;
};

template <typename T>
bool same_bits(T x, T y) { return std::memcmp(&x, &y, sizeof(T)) == 0; }

// Runs `fast` and the reference on one product and checks every element: |fast − reference| within
// 2·√k·ε·(|A|·|B|), the size of rounding differences between two summation orders (a wrong or missing
// term is O(|A|·|B|)); the padding between C's rows untouched; C's old contents unread unless accumulating.
template <typename T, typename Fast>
void check_against_reference(const GemmShape& shape, const Layout& layout, Fast&& fast, uint32_t seed = 1) {
    CAPTURE(shape.batch, shape.m, shape.n, shape.k, layout.trans_a, layout.trans_b, layout.shared_a, layout.shared_b,
            layout.accumulate);
    const StoredMatrix<T> a(shape.batch, shape.m, shape.k, layout.trans_a, layout.shared_a, seed);
    const StoredMatrix<T> b(shape.batch, shape.k, shape.n, layout.trans_b, layout.shared_b, seed + 1);
    const int64_t ldc = shape.n + 5;
    std::vector<T> initial = random_values<T>(shape.batch * shape.m * ldc, seed + 2);
    if (!layout.accumulate)
        for (int64_t e = 0; e < int64_t(initial.size()); ++e)
            if (e % ldc < shape.n) initial[e] = std::numeric_limits<T>::quiet_NaN();  // must be overwritten, unread
    std::vector<T> result = initial, expected = initial, bound(initial.size(), T(0));
    fast(shape, a.operand, b.operand, GemmOutput<T>{result.data(), ldc, shape.m * ldc}, layout.accumulate);
    gemm_reference(shape, a.operand, b.operand, GemmOutput<T>{expected.data(), ldc, shape.m * ldc}, layout.accumulate);
    const std::vector<T> abs_a = a.absolute(), abs_b = b.absolute();
    gemm_reference(shape, a.with_data(abs_a), b.with_data(abs_b), GemmOutput<T>{bound.data(), ldc, shape.m * ldc});

    const double tolerance = 2 * std::sqrt(double(std::max<int64_t>(shape.k, 1))) * std::numeric_limits<T>::epsilon();
    double worst = 0;
    int64_t worst_at = 0, wrong_padding = 0;
    for (int64_t e = 0; e < int64_t(result.size()); ++e) {
        if (e % ldc >= shape.n) {
            wrong_padding += !same_bits(result[e], initial[e]);
            continue;
        }
        const double scale = double(bound[e]) + (layout.accumulate ? std::abs(double(initial[e])) : 0.0);
        double error = std::abs(double(result[e]) - double(expected[e])) / (tolerance * scale + 1e-300);
        if (std::isnan(error)) error = INFINITY;  // a NaN where the reference has a number, or the reverse
        if (error > worst) {
            worst = error;
            worst_at = e;
        }
    }
    INFO("worst element " << worst_at << ": " << result[worst_at] << " vs reference " << expected[worst_at] << " ("
                          << worst << " x the tolerance)");
    CHECK(worst <= 1);
    CHECK(wrong_padding == 0);
}

template <typename T>
auto fast_with(GemmIsa isa) {
    return [isa](const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
                 bool accumulate) { gemm_fast(shape, a, b, c, accumulate, isa); };
}

template <typename T>
void check_odd_shapes(GemmIsa isa) {
    for (int transposes = 0; transposes < 4; ++transposes)
        for (int64_t m : kOddSizes)
            for (int64_t n : kOddSizes)
                for (int64_t k : kOddSizes)
                    check_against_reference<T>({.batch = 1, .m = m, .n = n, .k = k},
                                               {.trans_a = bool(transposes & 1), .trans_b = bool(transposes & 2)},
                                               fast_with<T>(isa));
}

}  // namespace

TEST_CASE("every fast float32 path matches the reference on odd shapes and all four transposes", "[gemm]") {
    OmpThreads one_thread(1);
    for (GemmIsa isa : kIsas) {
        if (!gemm_isa_supported(isa)) {
            WARN("skipping the " << gemm_isa_name(isa) << " GEMM path: this CPU does not support it");
            continue;
        }
        CAPTURE(gemm_isa_name(isa));
        check_odd_shapes<float>(isa);
        // Shapes that cross every cache block: several KC slices, NC blocks, MC blocks, and a thin C
        // whose column panels are shared between threads.
        for (const GemmShape shape : {GemmShape{1, 250, 3100, 300}, GemmShape{1, 30, 6200, 100},
                                      GemmShape{1, 300, 40, 1030}})
            for (const bool transposed : {false, true})
                check_against_reference<float>(shape, {.trans_a = transposed, .trans_b = transposed},
                                               fast_with<float>(isa));
    }
}

TEST_CASE("the float64 fast path matches the reference on odd shapes and all four transposes", "[gemm]") {
    OmpThreads one_thread(1);
    check_odd_shapes<double>(gemm_best_isa());
    check_against_reference<double>({1, 140, 1100, 300}, {.trans_b = true}, fast_with<double>(gemm_best_isa()));
}

TEST_CASE("batched products: broadcast operands, accumulation, tabled batch offsets", "[gemm]") {
    OmpThreads one_thread(1);
    for (GemmIsa isa : kIsas) {
        if (!gemm_isa_supported(isa)) continue;  // (warned above)
        CAPTURE(gemm_isa_name(isa));
        for (const GemmShape shape : {GemmShape{5, 7, 17, 33}, GemmShape{6, 33, 100, 17}, GemmShape{2, 60, 100, 270},
                                      GemmShape{4, 1, 300, 70}})
            for (int variant = 0; variant < 32; ++variant) {
                const Layout layout{.trans_a = bool(variant & 1), .trans_b = bool(variant & 2),
                                    .shared_a = bool(variant & 4), .shared_b = bool(variant & 8),
                                    .accumulate = bool(variant & 16)};
                check_against_reference<float>(shape, layout, fast_with<float>(isa), 10 + variant);
            }
        check_against_reference<double>({4, 17, 33, 7}, {.shared_b = true, .accumulate = true}, fast_with<double>(isa));
    }
    // Entries at arbitrary places (as heads split out of the features are) are found through offset
    // tables, here in shuffled order: each entry must equal a batch-1 product at its own address.
    const std::vector<float> a_values = random_values<float>(3 * 20 * 10, 7);
    const std::vector<float> b_values = random_values<float>(3 * 10 * 30, 8);
    const std::vector<int64_t> a_offsets{2 * 200, 0, 200}, b_offsets{300, 2 * 300, 0};
    const GemmOperand<float> a{a_values.data(), 10, 1, 0, a_offsets.data()}, b{b_values.data(), 30, 1, 0, b_offsets.data()};
    for (GemmIsa isa : kIsas) {
        if (!gemm_isa_supported(isa)) continue;
        std::vector<float> tabled(3 * 20 * 30), one_by_one(3 * 20 * 30);
        gemm_fast<float>({3, 20, 30, 10}, a, b, {tabled.data(), 30, 20 * 30}, false, isa);
        for (int p = 0; p < 3; ++p)
            gemm_reference<float>({1, 20, 30, 10}, GemmOperand<float>::row_major(a_values.data() + a_offsets[p], 10),
                                  GemmOperand<float>::row_major(b_values.data() + b_offsets[p], 30),
                                  {one_by_one.data() + p * 20 * 30, 30, 0});
        double worst = 0;
        for (std::size_t e = 0; e < tabled.size(); ++e) worst = std::max(worst, double(std::abs(tabled[e] - one_by_one[e])));
        CAPTURE(gemm_isa_name(isa));
        CHECK(worst <= 1e-5);
    }
}

TEST_CASE("a bias added as tiles are stored equals C = bias then C += A·B, bit for bit, on every path", "[gemm]") {
    // Unpacked (short k), packed with several depth blocks (k = 1000), a batch sharing the bias, an empty sum.
    for (const GemmShape shape : {GemmShape{1, 50, 70, 40}, GemmShape{1, 300, 130, 1000}, GemmShape{3, 37, 33, 300},
                                  GemmShape{2, 5, 9, 0}}) {
        CAPTURE(shape.batch, shape.m, shape.n, shape.k);
        const StoredMatrix<float> a(shape.batch, shape.m, shape.k, false, false, 5);
        const StoredMatrix<float> b(shape.batch, shape.k, shape.n, true, false, 6);
        const std::vector<float> bias = random_values<float>(shape.n, 7);
        const std::size_t size = static_cast<std::size_t>(shape.batch * shape.m * shape.n);
        for (const GemmIsa isa : kIsas) {
            if (!gemm_isa_supported(isa)) continue;
            CAPTURE(gemm_isa_name(isa));
            std::vector<float> fused(size), prefilled(size);
            for (std::size_t e = 0; e < size; ++e) prefilled[e] = bias[e % static_cast<std::size_t>(shape.n)];
            gemm_fast(shape, a.operand, b.operand, GemmOutput<float>{fused.data(), shape.n, shape.m * shape.n, bias.data()},
                      false, isa);
            gemm_fast(shape, a.operand, b.operand, GemmOutput<float>{prefilled.data(), shape.n, shape.m * shape.n}, true, isa);
            CHECK(std::memcmp(fused.data(), prefilled.data(), size * sizeof(float)) == 0);
        }
        // The reference does the same, and check mode compares the two.
        for (const KernelMode mode : {KernelMode::Reference, KernelMode::Check}) {
            const KernelMode previous = kernel_mode();
            set_kernel_mode(mode);
            std::vector<float> out(size);
            gemm<float>(shape, a.operand, b.operand, {out.data(), shape.n, shape.m * shape.n, bias.data()});
            set_kernel_mode(previous);
            double worst = 0;
            std::vector<float> fast(size);
            gemm_fast(shape, a.operand, b.operand, GemmOutput<float>{fast.data(), shape.n, shape.m * shape.n, bias.data()});
            for (std::size_t e = 0; e < size; ++e) worst = std::max(worst, double(std::abs(out[e] - fast[e])));
            CHECK(worst <= 1e-4);
        }
    }
    std::vector<float> c(4);
    const std::vector<float> ones(4, 1.0f);
    CHECK_THROWS_WITH(gemm<float>({1, 2, 2, 2}, GemmOperand<float>::row_major(ones.data(), 2),
                                  GemmOperand<float>::row_major(ones.data(), 2), {c.data(), 2, 4, ones.data()}, true),
                      Catch::Contains("gemm") && Catch::Contains("bias") && Catch::Contains("accumulat"));
}

TEST_CASE("the system-BLAS backend matches the reference, falls back to ours for strides BLAS cannot take", "[gemm][blas]") {
    CHECK(parse_gemm_backend("tapegrad") == GemmBackend::Tapegrad);
    CHECK(parse_gemm_backend("blas") == GemmBackend::SystemBlas);
    CHECK_THROWS_WITH(parse_gemm_backend("mkl"), Catch::Contains("TAPEGRAD_GEMM") && Catch::Contains("mkl"));
    const GemmBackend previous = gemm_backend();
    if (!system_blas_available()) {  // a build without it says how to get it
        CHECK_THROWS_WITH(set_gemm_backend(GemmBackend::SystemBlas), Catch::Contains("TAPEGRAD_SYSTEM_BLAS=ON"));
        CHECK(gemm_backend() == GemmBackend::Tapegrad);
        return;
    }
    set_gemm_backend(GemmBackend::SystemBlas);
    // Every transpose, a batch with a shared operand, accumulation, a bias, float32 and float64, and a
    // gathered operand (column stride 2: neither rows nor columns contiguous) that BLAS cannot express.
    for (const bool trans_a : {false, true})
        for (const bool trans_b : {false, true})
            for (const GemmShape shape : {GemmShape{1, 33, 17, 100}, GemmShape{4, 7, 33, 17}, GemmShape{1, 1, 9, 5}}) {
                CAPTURE(trans_a, trans_b, shape.batch, shape.m, shape.n, shape.k);
                const StoredMatrix<double> a(shape.batch, shape.m, shape.k, trans_a, false, 11);
                const StoredMatrix<double> b(shape.batch, shape.k, shape.n, trans_b, true, 12);
                const std::vector<double> bias = random_values<double>(shape.n, 13);
                const std::size_t size = static_cast<std::size_t>(shape.batch * shape.m * shape.n);
                const GemmOutput<double> plain{nullptr, shape.n, shape.m * shape.n};
                std::vector<double> blas(size, 0.5), reference(size, 0.5), biased(size), biased_reference(size);
                CHECK(gemm_system_blas(shape, a.operand, b.operand, GemmOutput<double>{blas.data(), plain.row_stride, plain.batch_stride}, true));
                gemm_reference(shape, a.operand, b.operand, GemmOutput<double>{reference.data(), plain.row_stride, plain.batch_stride}, true);
                gemm<double>(shape, a.operand, b.operand, {biased.data(), shape.n, shape.m * shape.n, bias.data()});
                gemm_reference(shape, a.operand, b.operand, GemmOutput<double>{biased_reference.data(), shape.n, shape.m * shape.n, bias.data()});
                double worst = 0;
                for (std::size_t e = 0; e < size; ++e)
                    worst = std::max({worst, std::abs(blas[e] - reference[e]), std::abs(biased[e] - biased_reference[e])});
                CHECK(worst <= 1e-12);
            }
    std::vector<float> values = random_values<float>(64, 14), c(16);
    const GemmOperand<float> gathered{values.data(), 8, 2, 0, nullptr};  // 4 x 4 read with column stride 2
    CHECK(!gemm_system_blas<float>({1, 4, 4, 4}, gathered, gathered, {c.data(), 4, 16}, false));
    std::vector<float> expected(16);
    gemm<float>({1, 4, 4, 4}, gathered, gathered, {c.data(), 4, 16});  // runs on our kernels instead
    gemm_reference<float>({1, 4, 4, 4}, gathered, gathered, {expected.data(), 4, 16});
    for (std::size_t e = 0; e < 16; ++e) CHECK(c[e] == Approx(expected[e]).margin(1e-5));
    set_gemm_backend(previous);
}

TEST_CASE("GEMM results are identical for 1 and 2 threads and from run to run", "[gemm]") {
    OmpThreads restore(omp_get_max_threads());
    // Every way the work is split: packed with rows split (several blocks), packed with column panels
    // split (13 rows), a batch of small heads, fewer problems than threads, row groups, column groups,
    // a small C with a long k cut by columns because its 11 row tiles split unevenly.
    for (const GemmShape shape : {GemmShape{1, 300, 700, 520}, GemmShape{1, 13, 6200, 100}, GemmShape{16, 64, 64, 32},
                                  GemmShape{3, 37, 33, 300}, GemmShape{1, 2000, 64, 64}, GemmShape{1, 257, 65, 100},
                                  GemmShape{1, 8, 3000, 200}, GemmShape{1, 7, 1025, 300}, GemmShape{1, 128, 128, 1024}}) {
        CAPTURE(shape.batch, shape.m, shape.n, shape.k);
        const StoredMatrix<float> a(shape.batch, shape.m, shape.k, false, false, 3);
        const StoredMatrix<float> b(shape.batch, shape.k, shape.n, true, false, 4);
        auto run = [&](int threads) {
            omp_set_num_threads(threads);
            std::vector<float> c(static_cast<std::size_t>(shape.batch * shape.m * shape.n));
            gemm_fast(shape, a.operand, b.operand, GemmOutput<float>{c.data(), shape.n, shape.m * shape.n});
            return c;
        };
        const std::vector<float> one = run(1), two = run(2), two_again = run(2);
        CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(two.data(), two_again.data(), two.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("TAPEGRAD_KERNELS selects the fast kernel, the reference, or both compared", "[gemm]") {
    CHECK(parse_kernel_mode("fast") == KernelMode::Fast);
    CHECK(parse_kernel_mode("") == KernelMode::Fast);
    CHECK(parse_kernel_mode("reference") == KernelMode::Reference);
    CHECK(parse_kernel_mode("check") == KernelMode::Check);
    CHECK_THROWS_WITH(parse_kernel_mode("turbo"), Catch::Contains("TAPEGRAD_KERNELS") && Catch::Contains("turbo"));

    // Our kernels, also in a build whose default backend is the system BLAS.
    struct BackendGuard {
        GemmBackend previous = gemm_backend();
        BackendGuard() { set_gemm_backend(GemmBackend::Tapegrad); }
        ~BackendGuard() { set_gemm_backend(previous); }
    } backend;
    const GemmShape shape{2, 40, 50, 60};
    const StoredMatrix<float> a(2, 40, 60, true, false, 5), b(2, 60, 50, false, true, 6);
    auto product = [&](auto&& kernel) {
        std::vector<float> c(2 * 40 * 50);
        kernel(shape, a.operand, b.operand, GemmOutput<float>{c.data(), 50, 40 * 50}, false);
        return c;
    };
    auto through_gemm = [](auto&&... args) { gemm<float>(args...); };
    const auto fast = product(fast_with<float>(gemm_best_isa()));
    const auto reference = product([](auto&&... args) { gemm_reference<float>(args...); });
    {
        KernelModeGuard guard(KernelMode::Reference);
        CHECK(product(through_gemm) == reference);
    }
    {
        KernelModeGuard guard(KernelMode::Fast);
        CHECK(product(through_gemm) == fast);
    }
    KernelModeGuard guard(KernelMode::Check);
    CHECK(kernel_mode() == KernelMode::Check);
    CHECK(product(through_gemm) == fast);  // check mode keeps the fast result
    // A fast result that is wrong is reported. Writing C over A while the kernel still reads A (which the
    // contract forbids) is such a result: the reference read A before anything was overwritten.
    std::vector<float> shared = random_values<float>(12 * 64, 9);
    const std::vector<float> b_values = random_values<float>(64 * 64, 10);
    CHECK_THROWS_WITH(gemm<float>({1, 12, 64, 64}, GemmOperand<float>::row_major(shared.data(), 64),
                                  GemmOperand<float>::row_major(b_values.data(), 64),
                                  GemmOutput<float>{shared.data(), 64, 0}),
                      Catch::Contains("gemm check") && Catch::Contains("differs from the reference"));
}

TEST_CASE("matmul passes transposed, broadcast and head-split views to the kernel unchanged", "[gemm][matmul]") {
    Generator generator(3);
    auto close = [](const Tensor& x, const Tensor& y) {
        const auto xs = x.to_vector<double>(), ys = y.to_vector<double>();
        REQUIRE(xs.size() == ys.size());
        double worst = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) worst = std::max(worst, std::abs(xs[i] - ys[i]));
        INFO("max |difference| " << worst);
        CHECK(worst <= 1e-4);
    };
    // Heads split out of the features: (B, T, H, D) -> (B, H, T, D), batch axes that do not merge.
    const Tensor x = normal({3, 20, 4, 8}, 0, 1, generator);
    const Tensor q = transpose(x, 1, 2), k = transpose(normal({3, 4, 16, 8}, 0, 1, generator), 2, 3);
    close(matmul(q, k), matmul(q.contiguous(), k.contiguous()));
    // x @ Wᵀ with x (B, T, E) and a shared W: one folded GEMM.
    const Tensor w = normal({30, 8}, 0, 1, generator), h = normal({5, 7, 8}, 0, 1, generator);
    close(matmul(h, transpose(w, 0, 1)), matmul(h, transpose(w, 0, 1).contiguous()));
    // A stepped slice has neither unit stride: matmul copies it first.
    const Tensor stepped = slice(normal({7, 16}, 0, 1, generator), 1, 0, 16, 2);  // (7, 8)
    close(matmul(stepped, transpose(w, 0, 1)), matmul(stepped.contiguous(), transpose(w, 0, 1)));
}
