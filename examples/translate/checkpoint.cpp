// Saving and reading training checkpoints.
#include "examples/translate/checkpoint.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "autograd/serialize/atomic_file.h"
#include "examples/translate/model.h"

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

TrainerState TrainerState::from_json(const std::string& text) {
    const nlohmann::json json = nlohmann::json::parse(text);
    TrainerState state;
    state.step = json.at("step").get<int64_t>();
    state.train_seconds = json.at("train_seconds").get<double>();
    state.loader.epoch = json.at("loader_epoch").get<int64_t>();
    state.loader.batch_index = json.at("loader_batch_index").get<int64_t>();
    state.world_size = json.value("world_size", 1);
    if (json.contains("generators"))
        for (const auto& [name, pair] : json.at("generators").items())
            state.generators.emplace_back(name, std::make_pair(std::stoull(pair.at(0).get<std::string>()),
                                                               std::stoull(pair.at(1).get<std::string>())));
    if (json.contains("other_ranks_generators"))
        for (const auto& rank_states : json.at("other_ranks_generators")) {
            auto& states = state.other_ranks_generators.emplace_back();
            for (const auto& pair : rank_states)
                states.emplace_back(std::stoull(pair.at(0).get<std::string>()), std::stoull(pair.at(1).get<std::string>()));
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
    save_safetensors(checkpoint_file(directory), tensors, metadata);
    write_file_atomically(directory / "config.json", experiment.config.to_json() + "\n");
}

Checkpoint read_checkpoint(const std::filesystem::path& directory) {
    const std::filesystem::path file = checkpoint_file(directory);
    if (!std::filesystem::exists(file))
        throw std::runtime_error(fmt::format("no checkpoint in '{}' (expected {})", directory.string(), file.string()));
    Checkpoint checkpoint;
    checkpoint.contents = load_safetensors(file);
    const SafetensorsMetadata& metadata = checkpoint.contents.metadata;
    for (const char* key : {"format", "config", "source_tokenizer", "source_vocab", "target_tokenizer", "target_vocab", "trainer_state"})
        if (!metadata.count(key))
            throw std::runtime_error(fmt::format("{}: not a translate checkpoint (metadata '{}' is missing)", file.string(), key));
    if (metadata.at("format") != kCheckpointFormat)
        throw std::runtime_error(fmt::format(
            "{}: checkpoint format '{}' is not the one this build reads ('{}'); retrain, or use the build that wrote it",
            file.string(), metadata.at("format"), kCheckpointFormat));
    checkpoint.config = TrainConfig::from_json(metadata.at("config"));
    checkpoint.state = TrainerState::from_json(metadata.at("trainer_state"));
    return checkpoint;
}

Experiment Checkpoint::experiment() const {
    const SafetensorsMetadata& metadata = contents.metadata;
    return Experiment::restore(config, metadata.at("source_tokenizer"), metadata.at("source_vocab"),
                               metadata.at("target_tokenizer"), metadata.at("target_vocab"));
}

NamedTensorList Checkpoint::model_state() const {
    NamedTensorList state;
    for (const auto& [name, tensor] : contents.tensors)
        if (name.rfind("model.", 0) == 0) state.emplace_back(name.substr(6), tensor);
    return state;
}

std::shared_ptr<nn::Seq2SeqTransformer> Checkpoint::load_model(const Experiment& experiment) const {
    Generator unused(0);  // the initial values are overwritten by the checkpoint's
    auto model = build_model(config, experiment.source.vocab.size(), experiment.target.vocab.size(), unused);
    model->load_state_dict(model_state());
    return model;
}

}  // namespace tapegrad::translate
