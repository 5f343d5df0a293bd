// distributed_allreduce_timing: how long GradientReducer::average_gradients takes for a model of a given
// size, by bucket size — the communication cost a data-parallel step adds (docs/distributed.md).
//   mpirun -np 2 build/bin/distributed_allreduce_timing [parameters=1400606] [repeats=50]
// Prints, on rank 0, the median milliseconds per call for 64 KiB, 1 MiB (the default) and 64 MiB buckets.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "autograd/autograd.h"
#include "distributed/distributed.h"

using namespace tapegrad;

int main(int argc, char** argv) {
    distributed::Environment mpi(argc, argv);
    const int64_t parameters = argc > 1 ? std::atoll(argv[1]) : 1400606;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 50;
    // Tensors of 64 k elements, about the size of a feed-forward weight of the small config.
    std::vector<Tensor> tensors;
    for (int64_t left = parameters; left > 0; left -= 65536) {
        Tensor p = zeros({std::min<int64_t>(left, 65536)}, {.requires_grad = true});
        p.set_grad(full({std::min<int64_t>(left, 65536)}, 0.5));
        tensors.push_back(p);
    }
    for (const int64_t bucket_bytes : {int64_t{64} << 10, int64_t{1} << 20, int64_t{64} << 20}) {
        distributed::GradientReducer reducer(tensors, {.bucket_bytes = bucket_bytes});
        std::vector<double> milliseconds;
        for (int i = 0; i < repeats + 3; ++i) {
            std::vector<double> barrier{0};
            distributed::sum_across_ranks(barrier);  // start together
            const auto start = std::chrono::steady_clock::now();
            reducer.average_gradients(100);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (i >= 3) milliseconds.push_back(ms);
        }
        std::sort(milliseconds.begin(), milliseconds.end());
        if (mpi.is_main())
            std::printf("%d ranks, %lld float32 gradients (%.1f MB), buckets of %lld KiB: %zu buckets, median %.2f ms per step\n",
                        mpi.world_size(), static_cast<long long>(parameters), parameters * 4 / 1e6,
                        static_cast<long long>(bucket_bytes >> 10), reducer.buckets().size(),
                        milliseconds[milliseconds.size() / 2]);
    }
}
