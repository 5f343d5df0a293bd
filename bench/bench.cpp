// Option parsing, timing, memory and output helpers shared by the bench subcommands.
#include "bench/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "kernels/gemm_system_blas.h"

namespace tapegrad::bench {

bool parse_options(const boost::program_options::options_description& options, const std::vector<std::string>& args,
                   boost::program_options::variables_map& values) {
    namespace po = boost::program_options;
    // Every subcommand also takes --gemm, the GEMM backend (see kernels/gemm_system_blas.h).
    po::options_description all;
    all.add(options);
    all.add_options()("gemm", po::value<std::string>(),
                      "GEMM backend: tapegrad (our kernels) or blas (a build with -DTAPEGRAD_SYSTEM_BLAS=ON); "
                      "default: TAPEGRAD_GEMM, else blas when built in");
    po::store(po::command_line_parser(args).options(all).run(), values);
    if (values.count("help")) {
        std::cout << all << '\n';
        return false;
    }
    po::notify(values);
    if (values.count("gemm")) kernels::set_gemm_backend(kernels::parse_gemm_backend(values["gemm"].as<std::string>()));
    return true;
}

double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Timing time_calls(const std::function<void()>& run, int repeats, double min_sample_ms) {
    auto start = std::chrono::steady_clock::now();
    run();  // warm-up: first-touch of buffers, thread start-up
    const double first_ms = std::max(milliseconds_since(start), 1e-4);
    const int calls = std::max(1, static_cast<int>(min_sample_ms / first_ms));
    std::vector<double> samples;
    for (int r = 0; r < std::max(repeats, 1); ++r) {
        start = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; ++i) run();
        samples.push_back(milliseconds_since(start) / calls);
    }
    const Summary summary = summarize(std::move(samples));
    return {.median_ms = summary.median, .min_ms = summary.min};
}

Summary summarize(std::vector<double> samples) {
    if (samples.empty()) throw std::invalid_argument("summarize: no samples");
    std::sort(samples.begin(), samples.end());
    const std::size_t half = samples.size() / 2;
    return {.median = samples.size() % 2 ? samples[half] : 0.5 * (samples[half - 1] + samples[half]),
            .min = samples.front(),
            .max = samples.back()};
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

void print_json_line(const nlohmann::json& record) {
    nlohmann::json line = record;
    if (line.is_object() && !line.contains("gemm")) line["gemm"] = kernels::gemm_backend_name(kernels::gemm_backend());
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
}

}  // namespace tapegrad::bench
