// Learning at a distance: train a model on the recall task (recall_task.h) at one distance d for a fixed
// budget of steps, then measure its accuracy on fresh sequences. Both models get the same steps, batch,
// optimiser (Adam, each at its best learning rate: see LongRangeSettings) and gradient clipping, so the accuracy says how well each learns to carry a token d
// positions within that budget — not whether it could with unlimited training.
#pragma once

#include <cstdint>

#include "examples/long_range/sequence_models.h"

namespace tapegrad::long_range {

struct TrainingBudget {
    int64_t steps = 300;          // optimiser steps
    int64_t batch = 32;           // sequences per step
    double learning_rate = 3e-3;  // Adam's
    double clip_norm = 1.0;       // the gradient's global norm is clipped to this (both models alike)
    int64_t eval_sequences = 256; // fresh sequences the accuracy is measured on
};

struct DistanceResult {
    int64_t distance = 0;
    double accuracy = 0;       // on eval_sequences fresh sequences, in [0, 1]
    double final_loss = 0;     // mean cross-entropy of the last 10 % of the steps
    double seconds = 0;        // wall time of the training
};

// Trains `model` in place at `distance`; the batches come from `generator`. Throws std::invalid_argument
// (from the model) when distance + 1 is longer than the model accepts.
DistanceResult train_at_distance(SequenceModel& model, int64_t distance, const TrainingBudget& budget,
                                 Generator& generator);

// The fraction of `sequences` fresh recall sequences at `distance` that `model` answers right (eval mode,
// off the tape, in batches of at most 64).
double recall_accuracy(SequenceModel& model, int64_t distance, int64_t sequences, Generator& generator);

}  // namespace tapegrad::long_range
