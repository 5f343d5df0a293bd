// bench sgemm: float32 GEMM throughput at one shape, the counterpart of ../shared/bench/sgemm.py.
//   bench sgemm --m 1024 --n 1024 --k 1024 [--trans-a] [--trans-b] [--batch 1] --threads 2 [--repeats 7]
//               [--kernels fast|reference|check] [--isa best|avx512|avx2|portable] [--gemm tapegrad|blas]
// C (m x n) = op(A) · op(B) where op(A) is A (m x k) row-major, or with --trans-a the transpose of a
// row-major (k x m) matrix read in place (likewise B), as matmul passes x @ Wᵀ or its backward's aᵀ @ dout.
// --batch runs that many independent products in one call (attention's (B·H, T, D) @ (B·H, D, S)).
#include <omp.h>

#include <random>
#include <stdexcept>
#include <vector>

#include <boost/program_options.hpp>

#include "bench/bench.h"
#include "kernels/gemm.h"
#include "kernels/gemm_fast.h"
#include "kernels/gemm_system_blas.h"
#include "kernels/kernel_mode.h"

namespace tapegrad::bench {
namespace {

kernels::GemmIsa parse_isa(const std::string& name) {
    if (name == "best") return kernels::gemm_best_isa();
    for (auto isa : {kernels::GemmIsa::Avx512, kernels::GemmIsa::Avx2, kernels::GemmIsa::Portable})
        if (kernels::gemm_isa_name(isa) == name) {
            if (!kernels::gemm_isa_supported(isa)) throw std::invalid_argument("this CPU cannot run --isa " + name);
            return isa;
        }
    throw std::invalid_argument("--isa must be best, avx512, avx2 or portable, got " + name);
}

std::vector<float> random_matrix(int64_t count, std::mt19937& generator) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> values(static_cast<std::size_t>(count));
    for (float& value : values) value = uniform(generator);
    return values;
}

}  // namespace

int sgemm_main(const std::vector<std::string>& args) {
    namespace po = boost::program_options;
    int64_t m = 0, n = 0, k = 0, batch = 1;
    int threads = 0, repeats = 7;
    std::string kernels_name, isa_name;
    po::options_description options("bench sgemm: C (m x n) = op(A) (m x k) · op(B) (k x n), float32");
    options.add_options()
        ("help,h", "this help")
        ("m", po::value(&m)->required(), "rows of C")
        ("n", po::value(&n)->required(), "columns of C")
        ("k", po::value(&k)->required(), "the summed dimension")
        ("batch", po::value(&batch)->default_value(1), "independent products per call")
        ("trans-a", po::bool_switch(), "A is the transpose of a row-major (k x m) matrix, read in place")
        ("trans-b", po::bool_switch(), "B is the transpose of a row-major (n x k) matrix, read in place")
        ("threads", po::value(&threads)->default_value(omp_get_max_threads()), "OpenMP threads")
        ("repeats", po::value(&repeats)->default_value(7), "timed samples; the median is reported")
        ("kernels", po::value(&kernels_name)->default_value("fast"), "fast, reference or check")
        ("isa", po::value(&isa_name)->default_value("best"), "fast kernels only: best, avx512, avx2 or portable");
    po::variables_map vm;
    if (!parse_options(options, args, vm)) return 0;
    if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || threads <= 0)
        throw std::invalid_argument("--m, --n, --k, --batch and --threads must be positive");
    const bool trans_a = vm["trans-a"].as<bool>(), trans_b = vm["trans-b"].as<bool>();
    const kernels::KernelMode mode = kernels::parse_kernel_mode(kernels_name);
    const kernels::GemmIsa isa = parse_isa(isa_name);
    omp_set_num_threads(threads);

    std::mt19937 generator(0);
    const std::vector<float> a = random_matrix(batch * m * k, generator), b = random_matrix(batch * k * n, generator);
    std::vector<float> c(static_cast<std::size_t>(batch * m * n));
    using Operand = kernels::GemmOperand<float>;
    const Operand a_operand = trans_a ? Operand::transposed(a.data(), m, m * k) : Operand::row_major(a.data(), k, m * k);
    const Operand b_operand = trans_b ? Operand::transposed(b.data(), k, k * n) : Operand::row_major(b.data(), n, k * n);
    const kernels::GemmShape shape{.batch = batch, .m = m, .n = n, .k = k};
    const kernels::GemmOutput<float> c_output{c.data(), n, m * n};

    kernels::KernelModeGuard guard(mode);
    const Timing timing = time_calls(
        [&] {
            if (mode == kernels::KernelMode::Fast && kernels::gemm_backend() == kernels::GemmBackend::Tapegrad)
                kernels::gemm_fast(shape, a_operand, b_operand, c_output, false, isa);
            else
                kernels::gemm(shape, a_operand, b_operand, c_output);
        },
        repeats);
    const double flops = 2.0 * double(batch) * double(m) * double(n) * double(k);
    print_json_line({{"bench", "sgemm"}, {"m", m}, {"n", n}, {"k", k}, {"batch", batch}, {"trans_a", trans_a},
                     {"trans_b", trans_b}, {"threads", threads}, {"kernels", kernels_name},
                     {"isa", mode == kernels::KernelMode::Reference ? std::string("reference")
                             : kernels::gemm_backend() == kernels::GemmBackend::SystemBlas ? std::string("blas")
                                                                                         : std::string(kernels::gemm_isa_name(isa))},
                     {"ms_median", timing.median_ms}, {"ms_min", timing.min_ms},
                     {"gflops", flops / (timing.median_ms * 1e-3) / 1e9},
                     {"gflops_best", flops / (timing.min_ms * 1e-3) / 1e9}});
    return 0;
}

}  // namespace tapegrad::bench
