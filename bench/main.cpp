// build/bin/bench: the benchmarks compared with the PyTorch reference (../shared/bench/), as subcommands:
//   bench train-step --config base --threads 2
//   bench attention --batch 32 --heads 8 --len 64 --dim 256 --causal --threads 2
//   bench learn-reverse --threads 2
//   bench sgemm --m 1024 --n 1024 --k 1024 --threads 2
// bench/compare runs them beside bench/pytorch_reference.py and tabulates the ratios.
// Each subcommand is one file, <name>.cpp, defining its entry point; adding one is adding that file and
// its line in the table below. Every subcommand prints one JSON object per measurement, one per line.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench.h"

namespace tapegrad::bench {

int train_step_main(const std::vector<std::string>& args);     // train_step.cpp
int attention_main(const std::vector<std::string>& args);      // attention.cpp
int learn_reverse_main(const std::vector<std::string>& args);  // learn_reverse.cpp
int sgemm_main(const std::vector<std::string>& args);          // sgemm.cpp

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    SubcommandMain run;
};

constexpr Subcommand kSubcommands[] = {
    {"train-step", "one training step of a reference Transformer (tiny, small, base): ms, tokens/s, GFLOP/s", train_step_main},
    {"attention", "one multi-head self-attention call: forward and forward + backward ms", attention_main},
    {"learn-reverse", "seconds of training to 95% exact match on sequence reversal (tiny config)", learn_reverse_main},
    {"sgemm", "float32 GEMM GFLOP/s at one shape (fast or reference kernels)", sgemm_main},
};

}  // namespace tapegrad::bench

int main(int argc, char** argv) {
    using namespace tapegrad::bench;
    const std::string_view command = argc > 1 ? argv[1] : "";
    for (const Subcommand& subcommand : kSubcommands)
        if (subcommand.name == command) {
            try {
                return subcommand.run(std::vector<std::string>(argv + 2, argv + argc));
            } catch (const std::exception& error) {
                std::fprintf(stderr, "bench %s: %s\n", argv[1], error.what());
                return 2;
            }
        }
    std::fprintf(stderr, "usage: bench <subcommand> [options]   (bench <subcommand> --help for its options)\n");
    for (const Subcommand& subcommand : kSubcommands)
        std::fprintf(stderr, "  %-14s %s\n", std::string(subcommand.name).c_str(), std::string(subcommand.summary).c_str());
    return command == "--help" || command == "-h" ? 0 : 2;
}
