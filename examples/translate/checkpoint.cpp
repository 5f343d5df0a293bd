// Saving and reading training checkpoints.
#include "examples/translate/checkpoint.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/json_fields.h"
#include "examples/translate/model.h"
#include "examples/translate/stored_splits.h"

namespace tapegrad::translate {

std::string TrainerState::to_json() const {
    nlohmann::json json{{"step", step},
                        {"train_seconds", train_seconds},
                        {"loader_epoch", loader.epoch},
                        {"loader_batch_index", loader.batch_index},
                        {"world_size", world_size}};
    for (const auto& [name, state] : generators) json["generators"][name] = {std::to_string(state.first), std::to_string(state.second)};
    // 64-bit seeds and counters as strings: JSON numbers are doubles to most readers.
    for (const auto& rank_states : other_ranks_generators) {
        nlohmann::json states = nlohmann::json::array();
        for (const auto& [seed, counter] : rank_states) states.push_back({std::to_string(seed), std::to_string(counter)});
        json["other_ranks_generators"].push_back(states);
    }
    return json.dump();
}

TrainerState TrainerState::from_json(const std::string& text, const std::string& source_name) {
    const JsonSource source{source_name, ""};
    const nlohmann::json json = parse_json(text, source, std::size_t{16} << 20);
    require_object(json, source);
    constexpr int64_t kMaxCount = 1'000'000'000'000;  // steps, epochs, batches: far beyond any run
    TrainerState state;
    state.step = read_int(json, "step", source, 0, kMaxCount);
    state.train_seconds = read_double(json, "train_seconds", source, 0, 1e12);
    state.loader.epoch = read_int(json, "loader_epoch", source, 0, kMaxCount);
    state.loader.batch_index = read_int(json, "loader_batch_index", source, 0, kMaxCount);
    state.world_size = static_cast<int>(read_int(json, "world_size", source, 1, kMaxWorldSize, 1));
    // A generator state is [seed, counter], both decimal strings (64-bit values do not survive JSON doubles).
    const auto generator_state = [](const nlohmann::json& pair, const JsonSource& where) {
        if (!pair.is_array() || pair.size() != 2)
            throw_file_error(where, "", "expected [seed, counter], two decimal strings");
        std::pair<uint64_t, uint64_t> parsed;
        for (std::size_t i = 0; i < 2; ++i) {
            const auto value = pair[i].is_string() ? parse_uint64(pair[i].get_ref<const std::string&>()) : std::nullopt;
            if (!value)
                throw_file_error(where, i == 0 ? "seed" : "counter",
                                 fmt::format("{} is not a decimal unsigned 64-bit integer in a string",
                                             pair[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                                 .substr(0, 60)));
            (i == 0 ? parsed.first : parsed.second) = *value;
        }
        return parsed;
    };
    constexpr std::size_t kMaxGenerators = 10'000;
    if (json.contains("generators")) {
        const nlohmann::json& generators = json.at("generators");
        require_object(generators, source.field("generators"));
        if (generators.size() > kMaxGenerators)
            throw_file_error(source, "generators", fmt::format("{} entries, more than {}", generators.size(), kMaxGenerators));
        for (const auto& [name, pair] : generators.items())
            state.generators.emplace_back(name, generator_state(pair, source.field("generators").field(name)));
    }
    if (json.contains("other_ranks_generators")) {
        const nlohmann::json& ranks = json.at("other_ranks_generators");
        if (!ranks.is_array() || ranks.size() + 1 != static_cast<std::size_t>(state.world_size))
            throw_file_error(source, "other_ranks_generators",
                             fmt::format("expected an array of world_size - 1 = {} arrays", state.world_size - 1));
        for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
            const JsonSource where = source.field(fmt::format("other_ranks_generators[{}]", rank));
            if (!ranks[rank].is_array() || ranks[rank].size() > kMaxGenerators)
                throw_file_error(where, "", fmt::format("expected an array of at most {} [seed, counter] pairs", kMaxGenerators));
            auto& states = state.other_ranks_generators.emplace_back();
            for (std::size_t i = 0; i < ranks[rank].size(); ++i)
                states.push_back(generator_state(ranks[rank][i], where.field(std::to_string(i))));
        }
    }
    return state;
}

std::filesystem::path checkpoint_file(const std::filesystem::path& directory) {
    return directory / "checkpoint.safetensors";
}

void save_checkpoint(const std::filesystem::path& directory, const Experiment& experiment, nn::Module& model,
                     const optim::Optimizer& optimizer, const optim::Scheduler& scheduler, const TrainerState& state) {
    std::filesystem::create_directories(directory);
    NamedTensorList tensors;
    for (const auto& [name, tensor] : model.state_dict()) tensors.emplace_back("model." + name, tensor);
    const optim::OptimizerState optimizer_state = optimizer.state_dict("optimizer");
    tensors.insert(tensors.end(), optimizer_state.tensors.begin(), optimizer_state.tensors.end());
    SafetensorsMetadata metadata = optimizer_state.metadata;
    for (const auto& [key, value] : scheduler.state_dict("scheduler")) metadata[key] = value;
    metadata["format"] = std::string(kCheckpointFormat);
    metadata["config"] = experiment.config.to_json();
    metadata["source_tokenizer"] = experiment.source.tokenizer->to_json();
    metadata["source_vocab"] = experiment.source.vocab.to_json();
    metadata["target_tokenizer"] = experiment.target.tokenizer->to_json();
    metadata["target_vocab"] = experiment.target.vocab.to_json();
    metadata["trainer_state"] = state.to_json();
    // The splits first: a checkpoint file never points at split files older than itself.
    metadata["splits"] = save_stored_splits(directory, experiment.splits);
    save_safetensors(checkpoint_file(directory), tensors, metadata);
    write_file_atomically(directory / "config.json", experiment.config.to_json() + "\n");
}

Checkpoint read_checkpoint(const std::filesystem::path& directory) {
    const std::filesystem::path file = checkpoint_file(directory);
    if (!std::filesystem::exists(file))
        throw std::runtime_error(fmt::format("no checkpoint in '{}' (expected {})", directory.string(), file.string()));
    Checkpoint checkpoint;
    checkpoint.directory = directory;
    checkpoint.contents = load_safetensors(file);
    const SafetensorsMetadata& metadata = checkpoint.contents.metadata;
    for (const char* key : {"format", "config", "source_tokenizer", "source_vocab", "target_tokenizer", "target_vocab", "trainer_state"})
        if (!metadata.count(key))
            throw std::runtime_error(fmt::format("{}: not a translate checkpoint (metadata '{}' is missing)", file.string(), key));
    if (metadata.at("format") != kCheckpointFormat)
        throw std::runtime_error(fmt::format(
            "{}: checkpoint format '{}' is not the one this build reads ('{}'); retrain, or use the build that wrote it",
            file.string(), metadata.at("format"), kCheckpointFormat));
    checkpoint.config = TrainConfig::from_json(metadata.at("config"), file.string() + ": config");
    checkpoint.state = TrainerState::from_json(metadata.at("trainer_state"), file.string() + ": trainer_state");
    return checkpoint;
}

std::string Checkpoint::file() const { return checkpoint_file(directory).string(); }

Experiment Checkpoint::experiment(RestoreSplits splits) const {
    const SafetensorsMetadata& metadata = contents.metadata;
    // Errors in the saved tokenizers and vocabularies name the file and the metadata key.
    Experiment skipped;
    try {
        skipped = Experiment::restore(config, metadata.at("source_tokenizer"), metadata.at("source_vocab"),
                                      metadata.at("target_tokenizer"), metadata.at("target_vocab"), RestoreSplits::skip);
    } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("{}: tokenizers and vocabularies: {}", file(), error.what()));
    }
    for (const Language* language : {&skipped.source, &skipped.target})
        if (language->vocab.size() > kMaxVocab)
            throw std::runtime_error(fmt::format("{}: {}: {} tokens, more than the limit of {}", file(),
                                                 language == &skipped.source ? "source_vocab" : "target_vocab",
                                                 language->vocab.size(), kMaxVocab));
    if (splits == RestoreSplits::skip) return skipped;
    return Experiment::restore(config, metadata.at("source_tokenizer"), metadata.at("source_vocab"),
                               metadata.at("target_tokenizer"), metadata.at("target_vocab"), splits);
}

std::vector<data::SentencePair> Checkpoint::split_pairs(const std::string& name) const {
    const SafetensorsMetadata& metadata = contents.metadata;
    if (name != "train" && metadata.count("splits")) return read_stored_split(directory, metadata.at("splits"), name, file());
    // The training split, or a checkpoint from before the splits were stored: rebuilt from the config.
    const std::string why = name == "train" ? "the training split is not stored in a checkpoint"
                                            : "this checkpoint predates stored splits (no valid.tsv, test.tsv)";
    Experiment rebuilt;
    try {
        rebuilt = Experiment::restore(config, metadata.at("source_tokenizer"), metadata.at("source_vocab"),
                                      metadata.at("target_tokenizer"), metadata.at("target_vocab"), RestoreSplits::rebuild);
    } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format(
            "{}: {}, and rebuilding it from the config failed: {}. Score a file of your own with --data FILE.tsv{}",
            file(), why, error.what(),
            name == "train" ? "" : " (or re-save the checkpoint with `translate train --resume` where its data is: "
                                   "that stores the splits)"));
    }
    return name == "train" ? rebuilt.splits.train : name == "valid" ? rebuilt.splits.valid : rebuilt.splits.test;
}

int64_t Checkpoint::corpus_pairs() const {
    const SafetensorsMetadata& metadata = contents.metadata;
    if (metadata.count("splits")) return stored_corpus_pairs(metadata.at("splits"), file());
    return corpus_size(experiment(RestoreSplits::rebuild).splits);
}

NamedTensorList Checkpoint::model_state() const {
    NamedTensorList state;
    for (const auto& [name, tensor] : contents.tensors)
        if (name.rfind("model.", 0) == 0) state.emplace_back(name.substr(6), tensor);
    return state;
}

std::shared_ptr<nn::Seq2SeqModel> Checkpoint::load_model(const Experiment& experiment) const {
    // Before building anything: a model of this config has at least its two embedding tables and, per layer,
    // an E×E matrix. A config asking for more than the file's tensors hold (embed_dim 4096 with a few
    // kilobytes of weights) is refused here rather than after allocating gigabytes.
    int64_t stored = 0;
    for (const auto& [name, tensor] : model_state()) stored += tensor.numel();
    const int64_t E = config.embed_dim;
    const int64_t at_least = (experiment.source.vocab.size() + experiment.target.vocab.size()) * E +
                             (config.encoder_layers + config.decoder_layers) * E * E;
    if (at_least > stored)
        throw std::runtime_error(fmt::format(
            "{}: config: embed_dim {}, {} + {} layers and vocabularies of {} and {} tokens need at least {} weights, "
            "but the file holds {}: the config and the tensors disagree", file(), E, config.encoder_layers,
            config.decoder_layers, experiment.source.vocab.size(), experiment.target.vocab.size(), at_least, stored));
    Generator unused(0);  // the initial values are overwritten by the checkpoint's
    auto model = build_model(config, experiment.source.vocab.size(), experiment.target.vocab.size(), unused);
    try {
        model->load_state_dict(model_state());
    } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("{}: the tensors do not fit the {} model its config describes "
                                             "(architecture '{}'): {}",
                                             file(), model->type_name(), config.architecture, error.what()));
    }
    return model;
}

}  // namespace tapegrad::translate
