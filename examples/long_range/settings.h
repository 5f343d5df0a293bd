// The settings of one examples/long_range run: the full ones (the documented command, several minutes)
// and the quick ones (the CTest smoke test, seconds). Same program, same code paths, smaller numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "examples/long_range/learning_at_distance.h"
#include "examples/long_range/parallelism.h"
#include "examples/long_range/sequence_models.h"

namespace tapegrad::long_range {

struct LongRangeSettings {
    SequenceModelOptions model;
    TrainingBudget budget;
    std::vector<int64_t> distances;        // learning at a distance: one training per model and distance
    // Each model's learning rate is the best of these at the shortest distance (accuracy; on a tie the
    // smaller rate), and
    // is then kept for every distance: neither model is judged at a rate that suits only the other.
    std::vector<double> learning_rates = {1e-3, 3e-3, 1e-2};
    int64_t reach_batch = 16;              // sequences the gradient reach averages over
    std::vector<int64_t> step_lengths;     // sequence lengths of the training-step timing
    int64_t step_batch = 16;
    std::vector<int> threads = {1, 2};
    int repeats = 3;                       // timed repeats per measurement (the median is kept)
    std::vector<int64_t> decode_lengths;   // output lengths of the decoding timing
    DecodeSettings decode;
    uint64_t seed = 0;
    bool learning = true;                  // run the learning-rate choice, learning at a distance and the reach
    bool timing = true;                    // run the training-step and decoding timings (minutes fewer, and
                                           // best on an otherwise idle machine)
};

// d = 10, 50, 100, 250, 500, 1000; models of about 69 000 parameters; 300 steps of 32 sequences each.
LongRangeSettings full_settings();
// Tiny models and lengths, a handful of steps: every measurement once, in a few seconds.
LongRangeSettings quick_settings();

}  // namespace tapegrad::long_range
