// Timing and output helpers shared by the bench subcommands.
#include "bench/bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace tapegrad::bench {

Timing time_calls(const std::function<void()>& run, int repeats, double min_sample_ms) {
    using Clock = std::chrono::steady_clock;
    auto elapsed_ms = [](Clock::time_point start) {
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    };
    auto start = Clock::now();
    run();  // warm-up: first-touch of buffers, thread start-up
    const double first_ms = std::max(elapsed_ms(start), 1e-4);
    const int calls = std::max(1, static_cast<int>(min_sample_ms / first_ms));
    std::vector<double> samples;
    for (int r = 0; r < std::max(repeats, 1); ++r) {
        start = Clock::now();
        for (int i = 0; i < calls; ++i) run();
        samples.push_back(elapsed_ms(start) / calls);
    }
    std::sort(samples.begin(), samples.end());
    const std::size_t half = samples.size() / 2;
    return {.median_ms = samples.size() % 2 ? samples[half] : 0.5 * (samples[half - 1] + samples[half]),
            .min_ms = samples.front()};
}

void print_json_line(const nlohmann::json& record) {
    std::printf("%s\n", record.dump().c_str());
    std::fflush(stdout);
}

}  // namespace tapegrad::bench
