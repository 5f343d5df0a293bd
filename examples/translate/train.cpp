// The training loop: batches -> forward -> cross-entropy -> backward -> clip -> Adam step -> schedule,
// with periodic validation, checkpoints, a metrics log, a progress line and a loss curve at the end.
// Under mpirun the same loop runs on every rank, with the gradients averaged across ranks between backward
// and clipping (see DataParallel and docs/distributed.md).
#include "examples/translate/train.h"

#include <chrono>
#include <cmath>
#include <omp.h>

#include <fmt/format.h>

#include "data/data_loader.h"
#include "data/vocab.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/data_parallel.h"
#include "examples/translate/loss_curve_svg.h"
#include "examples/translate/metrics_log.h"
#include "examples/translate/model.h"
#include "examples/translate/progress.h"
#include "optim/adam.h"
#include "optim/clip_grad.h"
#include "optim/sgd.h"

namespace tapegrad::translate {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

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

// Each rank draws its own dropout masks: ranks above 0 mix their rank into every generator's seed
// (SplitMix64's golden-ratio increment times the rank), so their streams differ from rank 0's and from
// each other's. Rank 0 keeps the seeds of a single-process run.
void give_rank_its_own_dropout_streams(nn::Module& model, int rank) {
    if (rank == 0) return;
    for (auto& [name, generator] : model.named_generators())
        generator->set_state(generator->seed() ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(rank)), 0);
}

}  // namespace

TrainResult train(const TrainRun& run) {
    DataParallel world;
    std::optional<Checkpoint> checkpoint;
    TrainConfig config = run.config;
    if (run.resume) {
        checkpoint = read_checkpoint(run.checkpoint_dir);
        config = checkpoint->config;
        if (run.max_steps) config.max_steps = *run.max_steps;
        if (run.max_minutes) config.max_minutes = *run.max_minutes;
        if (checkpoint->state.world_size != world.world_size())
            throw std::runtime_error(fmt::format(
                "{}: this checkpoint was written by {} process(es) and this run has {}; resume with mpirun -np {} "
                "(the global batch's shards and the dropout streams depend on the number of processes)",
                checkpoint_file(run.checkpoint_dir).string(), checkpoint->state.world_size, world.world_size(),
                checkpoint->state.world_size));
    }
    validate(config);
    omp_set_num_threads(config.threads);
    const Experiment experiment = checkpoint ? checkpoint->experiment() : Experiment::create(config);

    std::vector<std::vector<int64_t>> source_ids, target_ids;
    experiment.encode(experiment.splits.train, source_ids, target_ids);
    // Every rank plans the same global batches (same data, same seed) and collates its own shard of each.
    data::DataLoader loader(source_ids, target_ids,
                            {.batch_size = config.batch_size, .max_tokens = config.max_tokens, .seed = config.seed,
                             .shard = {.rank = world.rank(), .world_size = world.world_size()}});
    Generator generator(config.seed);
    auto model = build_model(config, experiment.source.vocab.size(), experiment.target.vocab.size(), generator);
    auto optimizer = make_optimizer(config, *model);
    optim::Scheduler scheduler(*optimizer, make_learning_rate_schedule(config));
    TrainerState state;
    state.world_size = world.world_size();
    const auto generators = model->named_generators();
    if (checkpoint) {
        model->load_state_dict(checkpoint->model_state());
        optimizer->load_state_dict(checkpoint->contents.tensors, checkpoint->contents.metadata);
        scheduler.load_state_dict(checkpoint->contents.metadata);
        state = checkpoint->state;
        loader.set_state(state.loader);
        for (std::size_t k = 0; k < generators.size(); ++k) {
            const auto& [name, generator_ptr] = generators[k];
            const auto saved = std::find_if(state.generators.begin(), state.generators.end(),
                                            [&name](const auto& entry) { return entry.first == name; });
            if (saved == state.generators.end())
                throw std::runtime_error(fmt::format("{}: the checkpoint has no state for the generator '{}'",
                                                     checkpoint_file(run.checkpoint_dir).string(), name));
            auto [seed, counter] = saved->second;
            if (world.rank() > 0) {
                const auto& rank_states = state.other_ranks_generators;
                if (rank_states.size() != static_cast<std::size_t>(world.world_size() - 1) ||
                    rank_states[static_cast<std::size_t>(world.rank() - 1)].size() != generators.size())
                    throw std::runtime_error(fmt::format("{}: the checkpoint has no generator states for rank {}",
                                                         checkpoint_file(run.checkpoint_dir).string(), world.rank()));
                std::tie(seed, counter) = rank_states[static_cast<std::size_t>(world.rank() - 1)][k];
            }
            generator_ptr->set_state(seed, counter);
        }
        // Every rank read the checkpoint itself (from a shared directory, or its own copy): make sure they
        // read the same one before training on from it.
        if (!world.same_on_all_ranks(world.parameter_checksum(*model) ^ static_cast<uint64_t>(state.step)))
            throw std::runtime_error(fmt::format(
                "the ranks resumed from different checkpoints (parameters or step differ; rank {} read step {} from "
                "'{}'): every rank must read the same checkpoint",
                world.rank(), state.step, checkpoint_file(run.checkpoint_dir).string()));
    } else {
        world.broadcast_parameters(*model);  // identical by seeding already; the broadcast makes it a guarantee
        give_rank_its_own_dropout_streams(*model, world.rank());
    }
    const int64_t vocab = experiment.target.vocab.size();
    if (world.is_main())
        fmt::print("{} | {} training pairs, {} validation, {} test | vocab {} -> {} | {} parameters{}{}\n",
                   config.data_path.empty() ? "task " + config.task : config.data_path, experiment.splits.train.size(),
                   experiment.splits.valid.size(), experiment.splits.test.size(), experiment.source.vocab.size(), vocab,
                   model->parameter_count(), checkpoint ? fmt::format(" | resuming at step {}", state.step) : "",
                   world.world_size() > 1 ? fmt::format(" | {} processes, global batch {}", world.world_size(),
                                                        config.max_tokens > 0 ? fmt::format("{} tokens", config.max_tokens)
                                                                              : std::to_string(config.batch_size))
                                          : "");

    // Rank 0 alone writes the log and the progress line.
    std::optional<MetricsLog> log;
    std::optional<ProgressReporter> progress;
    if (world.is_main()) {
        log.emplace(run.checkpoint_dir, MetricsLogOptions{.eval_columns = {"valid_exact_match", "valid_token_accuracy", "valid_bleu"}});
        // Under mpirun, stdout is a pseudo-terminal whatever mpirun's own output goes to (usually a job log):
        // plain lines, not a live line redrawn with \r.
        progress.emplace(ProgressOptions{.max_steps = config.max_steps, .max_minutes = config.max_minutes,
                                         .start_step = state.step,
                                         .is_terminal = world.world_size() > 1 ? std::optional<bool>(false) : std::nullopt,
                                         .print_every_steps = config.log_every});
    }
    // Collective (every rank gathers the dropout states of all), then rank 0 writes.
    auto save = [&] {
        state.loader = loader.state();
        std::vector<uint64_t> own_states;
        for (auto& [name, g] : generators) own_states.insert(own_states.end(), {g->seed(), g->counter()});
        const std::vector<std::vector<uint64_t>> all_states = world.gather(own_states);
        if (!world.is_main()) return;
        state.generators.clear();
        for (std::size_t k = 0; k < generators.size(); ++k)
            state.generators.emplace_back(generators[k].first, std::make_pair(own_states[2 * k], own_states[2 * k + 1]));
        state.other_ranks_generators.clear();
        for (std::size_t rank = 1; rank < all_states.size(); ++rank) {
            auto& rank_states = state.other_ranks_generators.emplace_back();
            for (std::size_t k = 0; k < generators.size(); ++k)
                rank_states.emplace_back(all_states[rank][2 * k], all_states[rank][2 * k + 1]);
        }
        save_checkpoint(run.checkpoint_dir, experiment, *model, *optimizer, scheduler, state);
    };

    const std::vector<Tensor> parameters = model->parameters();
    world.reduce_gradients_of(parameters);
    const double time_budget = config.max_minutes * 60;
    const double seconds_at_start = state.train_seconds;
    const Clock::time_point train_start = Clock::now();
    double eval_seconds = 0, recent_loss = 0;
    int64_t recent_steps = 0;
    TrainResult result;
    result.rank = world.rank(), result.world_size = world.world_size();
    while (state.step < config.max_steps) {
        // The ranks' clocks differ: they stop together as soon as any one is out of time.
        if (time_budget > 0 &&
            world.any(seconds_at_start + seconds_since(train_start) - eval_seconds >= time_budget))
            break;
        const Clock::time_point step_start = Clock::now();
        std::optional<data::Batch> batch = loader.next();
        if (!batch) batch = loader.next();  // a new epoch
        model->train();
        const Tensor logits = model->forward(batch->source, batch->target_input);  // (B, T, V)
        const Tensor loss = cross_entropy(logits.reshape({-1, vocab}), batch->target_output.reshape({-1}),
                                          {.ignore_index = data::Vocab::pad_id(), .label_smoothing = config.label_smoothing});
        loss.backward();
        // The loss is a mean over this shard's non-padding target tokens: weighting by them makes the
        // averaged gradient that of the mean over the global batch's tokens (distributed/gradient_reducer.h).
        const auto local_tokens = static_cast<double>(batch->num_target_tokens);
        const double global_tokens = world.average_gradients(local_tokens);
        if (config.clip_norm > 0) optim::clip_grad_norm(parameters, config.clip_norm);
        const double lr = optimizer->lr();
        optimizer->step();
        scheduler.step();
        optimizer->zero_grad();
        ++state.step;
        inject_test_fault(world.rank(), state.step, *model);

        // The global batch's loss: Σ_r n_r · loss_r / N.
        const double loss_value =
            world.world_size() > 1 ? world.sum(loss.item() * local_tokens) / global_tokens : loss.item();
        const auto tokens = static_cast<int64_t>(global_tokens);
        const double step_seconds = seconds_since(step_start);
        recent_loss += loss_value, ++recent_steps;
        const double elapsed = seconds_at_start + seconds_since(train_start) - eval_seconds;
        bool stop = false;
        if (world.is_main()) {
            progress->update({.step = state.step, .loss = loss_value, .tokens = tokens, .lr = lr});
            MetricsRow row{.step = state.step, .epoch = loader.state().epoch, .loss = loss_value, .lr = lr,
                           .tokens = tokens,
                           .tokens_per_s = static_cast<double>(tokens) / std::max(step_seconds, 1e-9),
                           .elapsed_s = elapsed};
            if (state.step % config.eval_every == 0 || state.step == config.max_steps) {
                const Clock::time_point eval_start = Clock::now();
                const EvalResult valid = evaluate(*model, experiment, experiment.splits.valid, config.eval_examples);
                eval_seconds += seconds_since(eval_start);
                row.eval = {{"valid_exact_match", valid.exact_match}, {"valid_token_accuracy", valid.token_accuracy},
                            {"valid_bleu", valid.bleu.score}};
                progress->note(fmt::format("step {}: validation exact match {:.1f}%, token accuracy {:.1f}%, BLEU {:.1f}",
                                           state.step, 100 * valid.exact_match, 100 * valid.token_accuracy, valid.bleu.score));
                stop = valid.exact_match >= config.target_exact_match;
            }
            log->append(row);
        }
        // Only rank 0 validates; the others learn its verdict.
        if (state.step % config.eval_every == 0 || state.step == config.max_steps) stop = world.any(stop);
        if (config.check_every > 0 && state.step % config.check_every == 0)
            world.check_parameters_in_sync(*model, state.step);
        state.train_seconds = elapsed;
        if (state.step % config.checkpoint_every == 0) save();
        if (recent_steps >= config.log_every) {
            result.final_loss = recent_loss / static_cast<double>(recent_steps);
            recent_loss = 0, recent_steps = 0;
        }
        if (stop) break;
    }
    if (recent_steps > 0) result.final_loss = recent_loss / static_cast<double>(recent_steps);
    if (config.check_every > 0) world.check_parameters_in_sync(*model, state.step);
    save();
    result.steps = state.step;
    result.seconds = state.train_seconds;
    if (!world.is_main()) return result;
    progress->finish();
    log->flush();

    const MetricsSeries series = read_metrics_log(log->path());
    CurveSeries exact_match_curve;
    if (series.eval.count("valid_exact_match"))
        for (const auto& [step, value] : series.eval.at("valid_exact_match")) exact_match_curve.emplace_back(step, value);
    write_loss_curve(run.checkpoint_dir / "loss_curve.svg", series.loss, exact_match_curve,
                     {.title = fmt::format("{}: training loss", config.data_path.empty() ? config.task : config.data_path),
                      .valid_label = "validation exact match", .log_y = true, .valid_on_right_axis = true,
                      .valid_y_label = "exact match"});
    if (run.evaluate_test) result.test = evaluate(*model, experiment, experiment.splits.test);
    return result;
}

}  // namespace tapegrad::translate
