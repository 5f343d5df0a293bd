// TrainingSession: what a training run works on — config, experiment, data loader, model, optimizer,
// learning-rate schedule and trainer state — built for a new run here, or restored by resume.h.
#pragma once

#include <filesystem>
#include <memory>

#include "data/data_loader.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/config.h"
#include "examples/translate/data_parallel.h"
#include "examples/translate/experiment.h"
#include "nn/seq2seq_model.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"

namespace tapegrad::translate {

struct TrainingSession {
    TrainConfig config;
    Experiment experiment;
    data::DataLoader loader;  // this rank's shard of every global batch
    std::shared_ptr<nn::Seq2SeqModel> model;
    std::unique_ptr<optim::Optimizer> optimizer;
    optim::Scheduler scheduler;  // sets the optimizer's lr before every step
    TrainerState state;          // step, training time, loader position, dropout streams (when saved)

    // The experiment's training pairs in a loader, and the config's model (initialised from config.seed),
    // optimizer and schedule: the same on every rank. Expects a validated config.
    TrainingSession(const TrainConfig& config, Experiment experiment, const DataParallel& world);

    // The next batch, starting the next epoch when this one is used up.
    data::Batch next_batch();

    // Collective (every rank's dropout states are gathered); rank 0 writes the checkpoint to `directory`.
    void save_checkpoint(const std::filesystem::path& directory, DataParallel& world);
};

// Throws naming the first invalid setting, then sets the OpenMP thread count: before any work of a run.
void validate_and_apply(const TrainConfig& config);

// A new run of `config`: the same initial parameters on every rank, each rank with its own dropout streams.
TrainingSession start_session(const TrainConfig& config, DataParallel& world);

}  // namespace tapegrad::translate
