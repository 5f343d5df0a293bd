// TrainConfig: everything that defines a training run — data, tokenizer, model, optimizer, schedule and
// run limits — with the defaults `translate train` uses. The defaults train the `dates` task to ≥ 99%
// test exact match in about 2500 steps (2–3 minutes on 2 cores); docs/translate.md lists settings for
// the other tasks. Saved as JSON in every checkpoint, so `eval`,
// `translate` and `--resume` rebuild exactly the same experiment.
#pragma once

#include <cstdint>
#include <string>

#include <boost/program_options.hpp>

namespace tapegrad::translate {

struct TrainConfig {
    // ---- data ----
    std::string task = "dates";      // a built-in generated task (reverse, dates, en-pl), unless data_path is set
    std::string data_path;           // a TSV file of "source<TAB>target" lines
    int64_t num_examples = 20000;    // pairs generated for a built-in task
    uint64_t data_seed = 1;          // the generated corpus and the split
    double valid_fraction = 0.05;
    double test_fraction = 0.05;
    std::string tokenizer = "char";  // char, word or bpe (the same kind on both sides, one vocabulary each)
    int64_t bpe_merges = 1000;       // merges learned by the bpe tokenizer
    int64_t min_freq = 1;            // rarer tokens become <unk>
    int64_t max_vocab = 0;           // 0: no limit

    // ---- model (a post-norm Transformer by default, as in the paper) ----
    std::string architecture = "transformer";  // transformer, lstm or lstm-attention (examples/translate/model.h)
    std::string attention_score = "general";   // lstm-attention's score: dot, general or additive
    int64_t encoder_layers = 2;
    int64_t decoder_layers = 2;
    int64_t embed_dim = 64;
    int64_t num_heads = 4;
    int64_t ff_dim = 256;
    double dropout = 0.1;
    bool pre_norm = false;
    bool tie_embeddings = false;  // output projection shares the target embedding matrix
    int64_t max_len = 256;        // longest source or target, in tokens

    // ---- optimisation ----
    std::string optimizer = "adam";   // adam, adamw or sgd
    double lr = 2e-3;                 // the peak learning rate (noam: reached at the end of the warmup)
    std::string schedule = "noam";    // noam, warmup, cosine, constant or step
    int64_t warmup_steps = 300;
    double beta1 = 0.9;
    double beta2 = 0.98;
    double eps = 1e-9;
    double weight_decay = 0.0;
    double label_smoothing = 0.1;
    double clip_norm = 1.0;           // gradient clipping by global norm; 0 disables it
    int64_t batch_size = 64;          // sentences per batch
    int64_t max_tokens = 0;           // if > 0, batches by token budget instead

    // ---- run ----
    uint64_t seed = 0;                // initialisation, dropout and batch order
    int threads = 2;
    int64_t max_steps = 4000;
    double max_minutes = 0;           // 0: no time limit
    int64_t eval_every = 250;         // greedy decoding of part of the validation split every N steps
    int64_t eval_examples = 300;      // how many validation pairs that uses
    double target_exact_match = 1.0;  // stop once validation exact match reaches this (1.0: never early)
    int64_t checkpoint_every = 500;
    int64_t log_every = 50;           // plain progress lines every N steps when not on a terminal
    int64_t check_every = 100;        // under mpirun: compare the ranks' parameter checksums every N steps (0: never)
    // fp32, or bf16: the training step's products take bfloat16 inputs under autocast (docs/mixed_precision.md);
    // the weights, gradients and optimizer state are float32 either way, so a run resumes in either.
    std::string precision = "fp32";

    std::string to_json() const;
    // Reads and validates a saved config: every field's type and range (the limits below), before any of
    // it is used. Missing fields keep their defaults (older checkpoints). Throws std::runtime_error
    // "SOURCE: FIELD: problem", e.g. "runs/x/config.json: embed_dim: 1e+20 is not an integer in [1, 4096]".
    static TrainConfig from_json(const std::string& json, const std::string& source_name = "config");
};

// Limits on the settings that size a model or a corpus (docs/reliability.md lists every field's range).
inline constexpr int64_t kMaxEmbedDim = 4096;
inline constexpr int64_t kMaxLayers = 64;        // encoder and decoder each
inline constexpr int64_t kMaxVocab = 1'000'000;  // tokens per language
inline constexpr int64_t kMaxExamples = 10'000'000;
inline constexpr int64_t kMaxLen = 4096;         // tokens per sentence

// The command-line options of `translate train`, bound to `config`'s fields (defaults shown in --help).
boost::program_options::options_description train_options(TrainConfig& config);

// Throws std::runtime_error "translate train: --OPTION: problem" for the first setting outside its limits
// (non-finite numbers included: `--max-minutes inf` is refused).
void validate(const TrainConfig& config);

}  // namespace tapegrad::translate
