// TrainConfig: JSON round trip, command-line options and validation.
#include "examples/translate/config.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tapegrad::translate {
namespace po = boost::program_options;

// Fields missing from an older checkpoint keep their defaults (the _WITH_DEFAULT variant).
namespace {

// boost::program_options shows a double default with 17 significant digits (0.050000000000000003, from
// 0.05); fmt's "{}" is the shortest text that reads back as the same double, i.e. the value as written.
std::string shortest_round_trip(double value) { return fmt::format("{}", value); }

// A double option bound to `field`, defaulting to its current value and showing it in --help as written.
po::typed_value<double>* double_value(double& field) {
    return po::value(&field)->default_value(field, shortest_round_trip(field));
}

}  // namespace

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    TrainConfig, task, data_path, num_examples, data_seed, valid_fraction, test_fraction, tokenizer, bpe_merges,
    min_freq, max_vocab, encoder_layers, decoder_layers, embed_dim, num_heads, ff_dim, dropout, pre_norm,
    tie_embeddings, max_len, optimizer, lr, schedule, warmup_steps, beta1, beta2, eps, weight_decay,
    label_smoothing, clip_norm, batch_size, max_tokens, seed, threads, max_steps, max_minutes, eval_every,
    eval_examples, target_exact_match, checkpoint_every, log_every, check_every,
    architecture, attention_score)

std::string TrainConfig::to_json() const { return nlohmann::ordered_json(nlohmann::json(*this)).dump(2); }

TrainConfig TrainConfig::from_json(const std::string& text) { return nlohmann::json::parse(text).get<TrainConfig>(); }

po::options_description train_options(TrainConfig& c) {
    po::options_description data("Data");
    data.add_options()
        ("task", po::value(&c.task)->default_value(c.task), "built-in task: reverse, dates or en-pl")
        ("data", po::value(&c.data_path), "TSV file of source<TAB>target lines (instead of --task)")
        ("examples", po::value(&c.num_examples)->default_value(c.num_examples), "pairs to generate for a built-in task")
        ("data-seed", po::value(&c.data_seed)->default_value(c.data_seed), "seed of the generated corpus and of the split")
        ("valid-fraction", double_value(c.valid_fraction), "share of pairs for validation")
        ("test-fraction", double_value(c.test_fraction), "share of pairs for the test split")
        ("tokenizer", po::value(&c.tokenizer)->default_value(c.tokenizer), "char, word or bpe")
        ("bpe-merges", po::value(&c.bpe_merges)->default_value(c.bpe_merges), "merges the bpe tokenizer learns")
        ("min-freq", po::value(&c.min_freq)->default_value(c.min_freq), "rarer tokens become <unk>")
        ("max-vocab", po::value(&c.max_vocab)->default_value(c.max_vocab), "vocabulary size limit (0: none)");
    po::options_description model("Model");
    model.add_options()
        ("architecture", po::value(&c.architecture)->default_value(c.architecture),
         "transformer, lstm (encoder and decoder LSTMs) or lstm-attention (the decoder attends to the encoder states)")
        ("attention-score", po::value(&c.attention_score)->default_value(c.attention_score),
         "lstm-attention's score: dot, general (Luong) or additive (Bahdanau)")
        ("layers", po::value<int64_t>()->notifier([&c](int64_t n) { c.encoder_layers = c.decoder_layers = n; }),
         "encoder and decoder layers (sets both)")
        ("encoder-layers", po::value(&c.encoder_layers)->default_value(c.encoder_layers), "encoder layers")
        ("decoder-layers", po::value(&c.decoder_layers)->default_value(c.decoder_layers), "decoder layers")
        ("embed-dim", po::value(&c.embed_dim)->default_value(c.embed_dim), "model width E")
        ("heads", po::value(&c.num_heads)->default_value(c.num_heads), "attention heads H (divides E)")
        ("ff-dim", po::value(&c.ff_dim)->default_value(c.ff_dim), "feed-forward hidden width")
        ("dropout", double_value(c.dropout), "dropout probability")
        ("pre-norm", po::bool_switch(&c.pre_norm), "pre-norm layers (default: post-norm, as in the paper)")
        ("tie-embeddings", po::bool_switch(&c.tie_embeddings), "share the target embedding with the output projection")
        ("max-len", po::value(&c.max_len)->default_value(c.max_len), "longest sequence in tokens");
    po::options_description optimisation("Optimisation");
    optimisation.add_options()
        ("optimizer", po::value(&c.optimizer)->default_value(c.optimizer), "adam, adamw or sgd")
        ("lr", double_value(c.lr), "peak learning rate")
        ("schedule", po::value(&c.schedule)->default_value(c.schedule), "noam, warmup, cosine, constant or step")
        ("warmup", po::value(&c.warmup_steps)->default_value(c.warmup_steps), "warmup steps")
        ("beta1", double_value(c.beta1), "Adam β1")
        ("beta2", double_value(c.beta2), "Adam β2")
        ("eps", double_value(c.eps), "Adam ε")
        ("weight-decay", double_value(c.weight_decay), "weight decay")
        ("label-smoothing", double_value(c.label_smoothing), "label smoothing ε")
        ("clip-norm", double_value(c.clip_norm), "clip gradients to this global norm (0: off)")
        ("batch-size", po::value(&c.batch_size)->default_value(c.batch_size), "sentences per batch")
        ("max-tokens", po::value(&c.max_tokens)->default_value(c.max_tokens), "batch by this token budget instead (0: off)");
    po::options_description run("Run");
    run.add_options()
        ("seed", po::value(&c.seed)->default_value(c.seed), "seed of initialisation, dropout and batch order")
        ("threads", po::value(&c.threads)->default_value(c.threads), "OpenMP threads")
        ("max-steps", po::value(&c.max_steps)->default_value(c.max_steps), "stop after this many steps")
        ("max-minutes", double_value(c.max_minutes), "stop after this much training time (0: none)")
        ("eval-every", po::value(&c.eval_every)->default_value(c.eval_every), "validate every N steps")
        ("eval-examples", po::value(&c.eval_examples)->default_value(c.eval_examples), "validation pairs decoded each time")
        ("target-exact-match", double_value(c.target_exact_match),
         "stop early once validation exact match reaches this")
        ("checkpoint-every", po::value(&c.checkpoint_every)->default_value(c.checkpoint_every), "save every N steps")
        ("log-every", po::value(&c.log_every)->default_value(c.log_every), "plain log line every N steps when not a terminal")
        ("check-every", po::value(&c.check_every)->default_value(c.check_every),
         "under mpirun: stop with an error if the ranks' parameters differ, checked every N steps (0: never)");
    po::options_description all;
    all.add(data).add(model).add(optimisation).add(run);
    return all;
}

void validate(const TrainConfig& c) {
    auto require = [](bool ok, const std::string& message) {
        if (!ok) throw std::invalid_argument("translate train: " + message);
    };
    require(c.num_examples >= 10, fmt::format("--examples must be at least 10, got {}", c.num_examples));
    require(c.encoder_layers >= 1 && c.decoder_layers >= 1, "--layers must be at least 1");
    require(c.embed_dim > 0 && c.num_heads > 0 && c.embed_dim % c.num_heads == 0,
            fmt::format("--embed-dim {} must be a positive multiple of --heads {}", c.embed_dim, c.num_heads));
    require(c.ff_dim > 0, fmt::format("--ff-dim must be positive, got {}", c.ff_dim));
    require(c.dropout >= 0 && c.dropout < 1, fmt::format("--dropout must be in [0, 1), got {}", c.dropout));
    require(c.lr > 0, fmt::format("--lr must be positive, got {}", c.lr));
    require(c.batch_size >= 1, fmt::format("--batch-size must be at least 1, got {}", c.batch_size));
    require(c.max_steps >= 1, fmt::format("--max-steps must be at least 1, got {}", c.max_steps));
    require(c.threads >= 1, fmt::format("--threads must be at least 1, got {}", c.threads));
    require(c.eval_every >= 1 && c.checkpoint_every >= 1 && c.log_every >= 1,
            "--eval-every, --checkpoint-every and --log-every must be at least 1");
    require(c.check_every >= 0, fmt::format("--check-every must not be negative, got {}", c.check_every));
    require(c.optimizer == "adam" || c.optimizer == "adamw" || c.optimizer == "sgd",
            fmt::format("--optimizer must be adam, adamw or sgd, got '{}'", c.optimizer));
    require(c.architecture == "transformer" || c.architecture == "lstm" || c.architecture == "lstm-attention",
            fmt::format("--architecture must be transformer, lstm or lstm-attention, got '{}'", c.architecture));
    require(c.attention_score == "dot" || c.attention_score == "general" || c.attention_score == "additive",
            fmt::format("--attention-score must be dot, general or additive, got '{}'", c.attention_score));
    require(c.architecture == "transformer" || c.embed_dim % 2 == 0,
            fmt::format("--embed-dim must be even for --architecture {} (the bidirectional encoder gives each "
                        "direction half), got {}", c.architecture, c.embed_dim));
    require(c.max_minutes >= 0, fmt::format("--max-minutes must not be negative, got {}", c.max_minutes));
}

}  // namespace tapegrad::translate
