// TrainConfig: JSON round trip, command-line options and validation.
#include "examples/translate/config.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"

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
    architecture, attention_score, precision)

std::string TrainConfig::to_json() const { return nlohmann::ordered_json(nlohmann::json(*this)).dump(2); }

// ---- The limits of every setting (docs/reliability.md lists them) ----
// They keep a config from another machine — a downloaded checkpoint's — from asking for work or memory no
// run of this trainer needs: at most a 4096-wide, 64-layer model, a 10⁶-token vocabulary, 10⁷ pairs.
namespace {

struct IntLimit {
    const char* key;     // the JSON field
    const char* option;  // the command-line option
    int64_t min, max;
};
struct DoubleLimit {
    const char* key;
    const char* option;
    double min, max;
    bool max_excluded;  // [min, max) rather than [min, max]
};
struct StringLimit {
    const char* key;
    const char* option;
    std::set<std::string> allowed;  // empty: any string (of at most 4096 bytes)
};

constexpr int64_t kBillion = 1'000'000'000;

const IntLimit kIntLimits[] = {
    {"num_examples", "--examples", 10, kMaxExamples},
    {"bpe_merges", "--bpe-merges", 0, 100'000},
    {"min_freq", "--min-freq", 1, kBillion},
    {"max_vocab", "--max-vocab", 0, kMaxVocab},
    {"encoder_layers", "--encoder-layers", 1, kMaxLayers},
    {"decoder_layers", "--decoder-layers", 1, kMaxLayers},
    {"embed_dim", "--embed-dim", 1, kMaxEmbedDim},
    {"num_heads", "--heads", 1, 256},
    {"ff_dim", "--ff-dim", 1, 4 * kMaxEmbedDim},
    {"max_len", "--max-len", 3, kMaxLen},
    {"warmup_steps", "--warmup", 0, kBillion},
    {"batch_size", "--batch-size", 1, 100'000},
    {"max_tokens", "--max-tokens", 0, 100'000'000},
    {"threads", "--threads", 1, 1024},
    {"max_steps", "--max-steps", 1, kBillion},
    {"eval_every", "--eval-every", 1, kBillion},
    {"eval_examples", "--eval-examples", 0, kMaxExamples},
    {"checkpoint_every", "--checkpoint-every", 1, kBillion},
    {"log_every", "--log-every", 1, kBillion},
    {"check_every", "--check-every", 0, kBillion},
};
const DoubleLimit kDoubleLimits[] = {
    {"valid_fraction", "--valid-fraction", 0, 1, true},
    {"test_fraction", "--test-fraction", 0, 1, true},
    {"dropout", "--dropout", 0, 1, true},
    {"lr", "--lr", 0, 100, false},
    {"beta1", "--beta1", 0, 1, true},
    {"beta2", "--beta2", 0, 1, true},
    {"eps", "--eps", 0, 1, false},
    {"weight_decay", "--weight-decay", 0, 1000, false},
    {"label_smoothing", "--label-smoothing", 0, 1, true},
    {"clip_norm", "--clip-norm", 0, 1e9, false},
    {"max_minutes", "--max-minutes", 0, 1e7, false},  // 10⁷ minutes is 19 years; inf is refused
    {"target_exact_match", "--target-exact-match", 0, 1, false},
};
const StringLimit kStringLimits[] = {
    {"task", "--task", {"reverse", "dates", "en-pl", "tsv"}},
    {"data_path", "--data", {}},
    {"tokenizer", "--tokenizer", {"char", "word", "bpe"}},
    {"optimizer", "--optimizer", {"adam", "adamw", "sgd"}},
    {"schedule", "--schedule", {"noam", "warmup", "cosine", "constant", "step"}},
    {"architecture", "--architecture", {"transformer", "lstm", "lstm-attention"}},
    {"attention_score", "--attention-score", {"dot", "general", "additive"}},
    {"precision", "--precision", {"fp32", "bf16"}},
};
const char* const kBoolFields[][2] = {{"pre_norm", "--pre-norm"}, {"tie_embeddings", "--tie-embeddings"}};
const char* const kSeedFields[][2] = {{"data_seed", "--data-seed"}, {"seed", "--seed"}};

std::string joined(const std::set<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

// Checks every field of `json` that is present against the tables, naming it as `key` (a file) or as
// `option` (the command line), then the settings that depend on each other.
void check_fields(const nlohmann::json& json, const JsonSource& source, bool as_options) {
    require_object(json, source);
    const auto name = [&](const char* key, const char* option) { return as_options ? option : key; };
    const auto fail = [&](const char* key, const char* option, const std::string& problem) {
        throw_file_error(source, name(key, option), problem);
    };
    // read_* name the JSON key; rename it for the command line.
    const auto checked = [&](const char* key, const char* option, auto read) {
        if (!json.contains(key)) return;
        try {
            read();
        } catch (const std::runtime_error& error) {
            if (!as_options) throw;
            const std::string prefix = fmt::format("{}: {}: ", source.where(), key);
            std::string text = error.what();
            fail(key, option, text.starts_with(prefix) ? text.substr(prefix.size()) : text);
        }
    };
    for (const IntLimit& limit : kIntLimits)
        checked(limit.key, limit.option, [&] { read_int(json, limit.key, source, limit.min, limit.max); });
    for (const DoubleLimit& limit : kDoubleLimits)
        checked(limit.key, limit.option, [&] {
            const double value = read_double(json, limit.key, source, limit.min, limit.max);
            if (limit.max_excluded && value >= limit.max)
                throw_file_error(source, limit.key, fmt::format("{} is not in [{}, {})", value, limit.min, limit.max));
        });
    for (const StringLimit& limit : kStringLimits)
        checked(limit.key, limit.option, [&] {
            const std::string value = read_string(json, limit.key, source);
            if (!limit.allowed.empty() && !limit.allowed.contains(value))
                throw_file_error(source, limit.key,
                                 fmt::format("'{}' is not one of {}", value.substr(0, 60), joined(limit.allowed)));
        });
    // `key = key`: clang (16) cannot capture a structured binding under -fopenmp; the copy is a pointer.
    for (const auto& [key, option] : kBoolFields) checked(key, option, [&, key = key] { read_bool(json, key, source); });
    for (const auto& [key, option] : kSeedFields) checked(key, option, [&, key = key] { read_uint64(json, key, source); });

    const TrainConfig defaults;
    const int64_t embed_dim = json.value("embed_dim", defaults.embed_dim);
    const int64_t num_heads = json.value("num_heads", defaults.num_heads);
    if (embed_dim % num_heads != 0)
        fail("embed_dim", "--embed-dim", fmt::format("{} is not a multiple of {} {}", embed_dim,
                                                     name("num_heads", "--heads"), num_heads));
    const double valid = json.value("valid_fraction", defaults.valid_fraction);
    const double test = json.value("test_fraction", defaults.test_fraction);
    if (valid + test >= 1)
        fail("valid_fraction", "--valid-fraction",
             fmt::format("{} with {} {} leaves no training pairs (their sum must be below 1)", valid,
                         name("test_fraction", "--test-fraction"), test));
}

}  // namespace

TrainConfig TrainConfig::from_json(const std::string& text, const std::string& source_name) {
    const JsonSource source{source_name, ""};
    const nlohmann::json json = parse_json(text, source, std::size_t{1} << 20);
    check_fields(json, source, /*as_options=*/false);
    try {
        return json.get<TrainConfig>();  // fields not in the tables above still get a typed read here
    } catch (const nlohmann::json::exception&) {
        throw_file_error(source, "", "a field has the wrong type (see docs/reliability.md for each field's type)");
    }
}

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
         "under mpirun: stop with an error if the ranks' parameters differ, checked every N steps (0: never)")
        ("precision", po::value(&c.precision)->default_value(c.precision),
         "fp32, or bf16: the products in bfloat16 under autocast, float32 weights (a resume may change it)");
    po::options_description all;
    all.add(data).add(model).add(optimisation).add(run);
    return all;
}

void validate(const TrainConfig& c) {
    // The same limits as a config file, named as options. A non-finite double (--max-minutes inf) is
    // refused here: JSON has no infinity, so it could not be saved in the checkpoint's config.
    check_fields(nlohmann::json(c), {"translate train", ""}, /*as_options=*/true);
    if (c.architecture != "transformer" && c.embed_dim % 2 != 0)
        throw std::runtime_error(fmt::format("translate train: --embed-dim must be even for --architecture {} (the "
                                             "bidirectional encoder gives each direction half), got {}",
                                             c.architecture, c.embed_dim));
}

}  // namespace tapegrad::translate
