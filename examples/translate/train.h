// The training loop of `translate train`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "examples/translate/config.h"
#include "examples/translate/evaluate.h"
#include "nn/module.h"

namespace tapegrad::translate {

// Called on every rank after each optimizer step with the rank, the step just completed (1 after the first)
// and the model, before the step is reported: the tests' seam for making one rank fail or drift
// (fault_injection.h).
using AfterStep = std::function<void(int rank, int64_t step, nn::Module& model)>;

struct TrainRun {
    TrainConfig config;
    std::filesystem::path checkpoint_dir;  // checkpoints, log.csv, heads.csv and their SVGs go here
    bool resume = false;                   // continue from checkpoint_dir's checkpoint
    // On resume the config comes from the checkpoint; these, when given, replace its run limits.
    std::optional<int64_t> max_steps = {};
    std::optional<double> max_minutes = {};
    std::optional<std::string> architecture = {};  // given on resume: must be the checkpoint's
    std::optional<std::string> precision = {};     // given on resume: replaces the checkpoint's
    bool evaluate_test = true;             // score the test split at the end
    AfterStep after_step = {};             // tests only; empty in a normal run
};

struct TrainResult {
    int64_t steps = 0;
    double seconds = 0;      // training time, without evaluation
    double final_loss = 0;   // mean training loss over the last log period
    EvalResult test;         // on the test split (when evaluated)
    int rank = 0;            // this process's rank under mpirun (only rank 0 evaluates and reports)
    int world_size = 1;
};

// Under mpirun -np R (MPI active), the R processes train one model data-parallel: config.batch_size (or
// max_tokens) is the global batch, each rank trains on its shard, gradients are averaged over the global
// batch's tokens before the optimizer step, and rank 0 alone prints, logs, validates and saves. Every
// config.check_every steps the ranks compare parameter checksums and throw, naming the step, if they
// differ. Resuming needs the world size the checkpoint was written with.
TrainResult train(const TrainRun& run);

}  // namespace tapegrad::translate
