// Everything one run of examples/long_range measures, in one place: what the charts draw, the tables
// print and the CSV files keep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "examples/long_range/learning_at_distance.h"
#include "examples/long_range/parallelism.h"

namespace tapegrad::long_range {

// One model's gradient reach (gradient_reach.h) at one moment: reach[d] for d = 0 .. length − 1.
struct ReachCurve {
    std::string model;    // "Transformer" or "LSTM"
    std::string moment;   // "initial" or "trained (d = …)"
    std::vector<double> reach;
};

struct ModelDistanceResult {
    std::string model;
    DistanceResult result;
};

// One try of the learning-rate choice at the shortest distance.
struct LearningRateTrial {
    std::string model;
    double learning_rate = 0;
    DistanceResult result;
};

struct LongRangeResults {
    int64_t transformer_parameters = 0;
    int64_t lstm_parameters = 0;
    int64_t lstm_hidden_size = 0;
    int64_t vocab_size = 0;
    TrainingBudget budget;                       // budget.learning_rate unused: see learning_rates
    std::vector<LearningRateTrial> learning_rate_trials;
    double transformer_learning_rate = 0;        // the chosen ones
    double lstm_learning_rate = 0;
    std::vector<ReachCurve> reach;
    std::vector<ModelDistanceResult> distances;
    std::vector<StepTime> step_times;
    std::vector<DecodeTime> decode_times;
};

}  // namespace tapegrad::long_range
