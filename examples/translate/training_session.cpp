// TrainingSession: building a run's loader, model, optimizer and schedule from its config; saving it.
#include "examples/translate/training_session.h"

#include <algorithm>
#include <cmath>
#include <omp.h>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "examples/translate/model.h"
#include "examples/translate/rank_state.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace tapegrad::translate {
namespace {

// Every rank plans the same global batches (same data, same seed) and collates its own shard of each.
data::DataLoader make_loader(const TrainConfig& c, const Experiment& experiment, const DataParallel& world) {
    std::vector<std::vector<int64_t>> source_ids, target_ids;
    experiment.encode(experiment.splits.train, source_ids, target_ids);
    return data::DataLoader(std::move(source_ids), std::move(target_ids),
                            {.batch_size = c.batch_size, .max_tokens = c.max_tokens, .seed = c.seed,
                             .shard = {.rank = world.rank(), .world_size = world.world_size()}});
}

std::shared_ptr<nn::Seq2SeqModel> make_initial_model(const TrainConfig& c, const Experiment& experiment) {
    Generator generator(c.seed);
    return build_model(c, experiment.source.vocab.size(), experiment.target.vocab.size(), generator);
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c, nn::Module& model) {
    const auto parameters = model.named_parameters();
    if (c.optimizer == "adamw")
        return std::make_unique<optim::AdamW>(parameters, optim::AdamWOptions{.lr = c.lr, .betas = {c.beta1, c.beta2}, .eps = c.eps, .weight_decay = c.weight_decay});
    if (c.optimizer == "sgd")
        return std::make_unique<optim::SGD>(parameters, optim::SGDOptions{.lr = c.lr, .momentum = 0.9, .weight_decay = c.weight_decay});
    return std::make_unique<optim::Adam>(parameters, optim::AdamOptions{.lr = c.lr, .betas = {c.beta1, c.beta2}, .eps = c.eps, .weight_decay = c.weight_decay});
}

// Every schedule peaks at --lr. Noam's formula d^-0.5 · min(t^-0.5, t · w^-1.5) peaks at t = w with
// value (d·w)^-0.5, so its factor is lr·√(d·w).
optim::SchedulePtr make_learning_rate_schedule(const TrainConfig& c) {
    const double warmup = static_cast<double>(c.warmup_steps);
    if (c.schedule == "noam")
        return optim::noam({.d_model = c.embed_dim, .warmup_steps = c.warmup_steps,
                            .factor = c.lr * std::sqrt(static_cast<double>(c.embed_dim) * std::max(warmup, 1.0))});
    if (c.schedule == "cosine")
        return optim::warmup_cosine({.lr = c.lr, .warmup_steps = c.warmup_steps, .total_steps = std::max(c.max_steps, c.warmup_steps + 1)});
    if (c.schedule == "warmup") return optim::linear_warmup({.lr = c.lr, .warmup_steps = c.warmup_steps});
    if (c.schedule == "step") return optim::step_decay({.lr = c.lr, .step_size = std::max<int64_t>(c.max_steps / 3, 1), .gamma = 0.3});
    if (c.schedule == "constant") return optim::constant(c.lr);
    throw std::invalid_argument(fmt::format("translate train: unknown --schedule '{}' (noam, warmup, cosine, constant, step)", c.schedule));
}

}  // namespace

// Members are built in declaration order: loader, then model, optimizer and the scheduler that drives it.
TrainingSession::TrainingSession(const TrainConfig& run_config, Experiment run_experiment, const DataParallel& world)
    : config(run_config),
      experiment(std::move(run_experiment)),
      loader(make_loader(config, experiment, world)),
      model(make_initial_model(config, experiment)),
      optimizer(make_optimizer(config, *model)),
      scheduler(*optimizer, make_learning_rate_schedule(config)) {
    state.world_size = world.world_size();
}

data::Batch TrainingSession::next_batch() {
    std::optional<data::Batch> batch = loader.next();
    if (!batch) batch = loader.next();  // a new epoch
    return std::move(*batch);
}

void TrainingSession::save_checkpoint(const std::filesystem::path& directory, DataParallel& world) {
    state.loader = loader.state();
    gather_dropout_streams(*model, world, state);
    if (world.is_main()) translate::save_checkpoint(directory, experiment, *model, *optimizer, scheduler, state);
}

void validate_and_apply(const TrainConfig& config) {
    validate(config);
    omp_set_num_threads(config.threads);
}

TrainingSession start_session(const TrainConfig& config, DataParallel& world) {
    validate_and_apply(config);
    TrainingSession session(config, Experiment::create(config), world);
    set_up_ranks(*session.model, world);
    return session;
}

}  // namespace tapegrad::translate
