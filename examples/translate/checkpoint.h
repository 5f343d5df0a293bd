// A training checkpoint: one directory holding everything needed to evaluate, translate, or resume
// bit for bit (at the same thread count).
//
//   DIR/checkpoint.safetensors  the model ("model.<name>") and optimizer ("optimizer.<...>") tensors; its
//                               metadata holds the config, both tokenizers and vocabularies, the scheduler
//                               step and the trainer state (step, data-loader position, dropout RNGs) as JSON
//   DIR/config.json             a readable copy of the config
//   DIR/log.csv                 every step's metrics (appended by the trainer)
//   DIR/loss_curve.svg          drawn at the end of training
//
// Everything a resume reads lives in the one safetensors file, written atomically (temp file + rename),
// so a crash mid-save leaves the previous checkpoint intact.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "autograd/serialize/safetensors.h"
#include "data/data_loader.h"
#include "examples/translate/config.h"
#include "examples/translate/experiment.h"
#include "nn/seq2seq.h"
#include "optim/optimizer.h"
#include "optim/lr_schedule.h"

namespace tapegrad::translate {

struct TrainerState {
    int64_t step = 0;
    double train_seconds = 0;   // training time so far (without evaluation)
    data::DataLoaderState loader;
    std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> generators;  // the model's RNGs (dropout): seed, counter
    // Data-parallel runs: how many processes wrote this checkpoint (a resume must use as many: the
    // shards and the dropout streams depend on it), and the generator states of ranks 1..world_size-1
    // (each rank draws its own dropout masks), as (seed, counter) in the order of `generators`.
    int world_size = 1;
    std::vector<std::vector<std::pair<uint64_t, uint64_t>>> other_ranks_generators;

    std::string to_json() const;
    static TrainerState from_json(const std::string& json);
};

std::filesystem::path checkpoint_file(const std::filesystem::path& directory);

// The "format" metadata every checkpoint carries; its number changes when the layout does, so that a
// build never misreads a checkpoint written by another.
inline constexpr std::string_view kCheckpointFormat = "tapegrad-translate-checkpoint-1";

void save_checkpoint(const std::filesystem::path& directory, const Experiment& experiment, nn::Module& model,
                     const optim::Optimizer& optimizer, const optim::Scheduler& scheduler, const TrainerState& state);

// What a checkpoint holds, before it is applied to a model.
struct Checkpoint {
    TrainConfig config;
    SafetensorsContents contents;
    TrainerState state;

    // The experiment with the saved tokenizers and vocabularies.
    Experiment experiment() const;
    // The model's tensors without the "model." prefix, for load_state_dict.
    NamedTensorList model_state() const;
    // The trained model, built from the config and loaded with model_state().
    std::shared_ptr<nn::Seq2SeqTransformer> load_model(const Experiment& experiment) const;
};

// Throws std::runtime_error naming the directory when there is no checkpoint or it is unreadable, and
// naming both formats when it was written in another format than kCheckpointFormat.
Checkpoint read_checkpoint(const std::filesystem::path& directory);

}  // namespace tapegrad::translate
