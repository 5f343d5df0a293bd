// A training checkpoint: one directory holding everything needed to evaluate, translate, or resume
// bit for bit (at the same thread count).
//
//   DIR/checkpoint.safetensors  the model ("model.<name>") and optimizer ("optimizer.<...>") tensors; its
//                               metadata holds the config, both tokenizers and vocabularies, the scheduler
//                               step and the trainer state (step, data-loader position, dropout RNGs) as JSON
//   DIR/config.json             a readable copy of the config
//   DIR/valid.tsv, DIR/test.tsv the validation and test splits (what `eval --split` scores; the metadata key
//                               "splits" holds their pair counts and checksums)
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
#include "nn/seq2seq_model.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"

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
    // Every field type- and range-checked; throws std::runtime_error "SOURCE: FIELD: problem".
    static TrainerState from_json(const std::string& json, const std::string& source_name = "trainer_state");
};

std::filesystem::path checkpoint_file(const std::filesystem::path& directory);

// The "format" metadata every checkpoint carries; its number changes when the layout does, so that a
// build never misreads a checkpoint written by another.
inline constexpr std::string_view kCheckpointFormat = "tapegrad-translate-checkpoint-1";

void save_checkpoint(const std::filesystem::path& directory, const Experiment& experiment, nn::Module& model,
                     const optim::Optimizer& optimizer, const optim::Scheduler& scheduler, const TrainerState& state);

// What a checkpoint holds, before it is applied to a model.
inline constexpr int64_t kMaxWorldSize = 4096;  // processes of a data-parallel run

struct Checkpoint {
    std::filesystem::path directory;
    TrainConfig config;
    SafetensorsContents contents;
    TrainerState state;

    // The experiment with the saved tokenizers and vocabularies; its corpus and split rebuilt from the config
    // unless `splits` is RestoreSplits::skip.
    Experiment experiment(RestoreSplits splits = RestoreSplits::rebuild) const;
    // The pairs of split `name` (train, valid or test): valid and test from the directory's valid.tsv and
    // test.tsv; the training split (and every split of a checkpoint that predates stored splits) rebuilt
    // from the config, with an error saying what to do when its data is gone.
    std::vector<data::SentencePair> split_pairs(const std::string& name) const;
    // Pairs of the corpus the splits came from.
    int64_t corpus_pairs() const;
    // DIR/checkpoint.safetensors, for messages.
    std::string file() const;
    // The model's tensors without the "model." prefix, for load_state_dict.
    NamedTensorList model_state() const;
    // The trained model, built from the config and loaded with model_state(); refused before building when
    // the config asks for more weights than the file holds.
    std::shared_ptr<nn::Seq2SeqModel> load_model(const Experiment& experiment) const;
};

// Throws std::runtime_error naming the directory when there is no checkpoint or it is unreadable, and
// naming both formats when it was written in another format than kCheckpointFormat.
Checkpoint read_checkpoint(const std::filesystem::path& directory);

}  // namespace tapegrad::translate
