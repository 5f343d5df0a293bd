// The training loop: batches -> forward -> cross-entropy -> backward -> clip -> Adam step -> schedule,
// with periodic validation, checkpoints, a metrics log, a progress line and a loss curve at the end.
#include "examples/translate/train.h"

#include <chrono>
#include <cmath>
#include <omp.h>

#include <fmt/format.h>

#include "data/data_loader.h"
#include "data/vocab.h"
#include "examples/translate/checkpoint.h"
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

}  // namespace

TrainResult train(const TrainRun& run) {
    std::optional<Checkpoint> checkpoint;
    TrainConfig config = run.config;
    if (run.resume) {
        checkpoint = read_checkpoint(run.checkpoint_dir);
        config = checkpoint->config;
        if (run.max_steps) config.max_steps = *run.max_steps;
        if (run.max_minutes) config.max_minutes = *run.max_minutes;
    }
    validate(config);
    omp_set_num_threads(config.threads);
    const Experiment experiment = checkpoint ? checkpoint->experiment() : Experiment::create(config);

    std::vector<std::vector<int64_t>> source_ids, target_ids;
    experiment.encode(experiment.splits.train, source_ids, target_ids);
    data::DataLoader loader(source_ids, target_ids,
                            {.batch_size = config.batch_size, .max_tokens = config.max_tokens, .seed = config.seed});
    Generator generator(config.seed);
    auto model = build_model(config, experiment.source.vocab.size(), experiment.target.vocab.size(), generator);
    auto optimizer = make_optimizer(config, *model);
    optim::Scheduler scheduler(*optimizer, make_learning_rate_schedule(config));
    TrainerState state;
    if (checkpoint) {
        model->load_state_dict(checkpoint->model_state());
        optimizer->load_state_dict(checkpoint->contents.tensors, checkpoint->contents.metadata);
        scheduler.load_state_dict(checkpoint->contents.metadata);
        state = checkpoint->state;
        loader.set_state(state.loader);
        for (auto& [name, generator_ptr] : model->named_generators()) {
            const auto saved = std::find_if(state.generators.begin(), state.generators.end(),
                                            [&name](const auto& entry) { return entry.first == name; });
            if (saved == state.generators.end())
                throw std::runtime_error(fmt::format("{}: the checkpoint has no state for the generator '{}'",
                                                     checkpoint_file(run.checkpoint_dir).string(), name));
            generator_ptr->set_state(saved->second.first, saved->second.second);
        }
    }
    const int64_t vocab = experiment.target.vocab.size();
    fmt::print("{} | {} training pairs, {} validation, {} test | vocab {} -> {} | {} parameters{}\n",
               config.data_path.empty() ? "task " + config.task : config.data_path, experiment.splits.train.size(),
               experiment.splits.valid.size(), experiment.splits.test.size(), experiment.source.vocab.size(), vocab,
               model->parameter_count(), checkpoint ? fmt::format(" | resuming at step {}", state.step) : "");

    MetricsLog log(run.checkpoint_dir, {.eval_columns = {"valid_exact_match", "valid_token_accuracy", "valid_bleu"}});
    ProgressReporter progress({.max_steps = config.max_steps, .max_minutes = config.max_minutes, .start_step = state.step,
                               .print_every_steps = config.log_every});
    auto save = [&] {
        state.loader = loader.state();
        state.generators.clear();
        for (auto& [name, g] : model->named_generators()) state.generators.emplace_back(name, std::make_pair(g->seed(), g->counter()));
        save_checkpoint(run.checkpoint_dir, experiment, *model, *optimizer, scheduler, state);
    };

    const std::vector<Tensor> parameters = model->parameters();
    const double time_budget = config.max_minutes * 60;
    const double seconds_at_start = state.train_seconds;
    const Clock::time_point train_start = Clock::now();
    double eval_seconds = 0, recent_loss = 0;
    int64_t recent_steps = 0;
    TrainResult result;
    while (state.step < config.max_steps) {
        if (time_budget > 0 && seconds_at_start + seconds_since(train_start) - eval_seconds >= time_budget) break;
        const Clock::time_point step_start = Clock::now();
        std::optional<data::Batch> batch = loader.next();
        if (!batch) batch = loader.next();  // a new epoch
        model->train();
        const Tensor logits = model->forward(batch->source, batch->target_input);  // (B, T, V)
        const Tensor loss = cross_entropy(logits.reshape({-1, vocab}), batch->target_output.reshape({-1}),
                                          {.ignore_index = data::Vocab::pad_id(), .label_smoothing = config.label_smoothing});
        loss.backward();
        if (config.clip_norm > 0) optim::clip_grad_norm(parameters, config.clip_norm);
        const double lr = optimizer->lr();
        optimizer->step();
        scheduler.step();
        optimizer->zero_grad();
        ++state.step;

        const double loss_value = loss.item();
        const double step_seconds = seconds_since(step_start);
        recent_loss += loss_value, ++recent_steps;
        const double elapsed = seconds_at_start + seconds_since(train_start) - eval_seconds;
        progress.update({.step = state.step, .loss = loss_value, .tokens = batch->num_target_tokens, .lr = lr});
        MetricsRow row{.step = state.step, .epoch = loader.state().epoch, .loss = loss_value, .lr = lr,
                       .tokens = batch->num_target_tokens,
                       .tokens_per_s = static_cast<double>(batch->num_target_tokens) / std::max(step_seconds, 1e-9),
                       .elapsed_s = elapsed};
        bool stop = false;
        if (state.step % config.eval_every == 0 || state.step == config.max_steps) {
            const Clock::time_point eval_start = Clock::now();
            const EvalResult valid = evaluate(*model, experiment, experiment.splits.valid, config.eval_examples);
            eval_seconds += seconds_since(eval_start);
            row.eval = {{"valid_exact_match", valid.exact_match}, {"valid_token_accuracy", valid.token_accuracy},
                        {"valid_bleu", valid.bleu.score}};
            progress.note(fmt::format("step {}: validation exact match {:.1f}%, token accuracy {:.1f}%, BLEU {:.1f}",
                                      state.step, 100 * valid.exact_match, 100 * valid.token_accuracy, valid.bleu.score));
            stop = valid.exact_match >= config.target_exact_match;
        }
        log.append(row);
        state.train_seconds = elapsed;
        if (state.step % config.checkpoint_every == 0) save();
        if (recent_steps >= config.log_every) {
            result.final_loss = recent_loss / static_cast<double>(recent_steps);
            recent_loss = 0, recent_steps = 0;
        }
        if (stop) break;
    }
    if (recent_steps > 0) result.final_loss = recent_loss / static_cast<double>(recent_steps);
    progress.finish();
    save();
    log.flush();

    const MetricsSeries series = read_metrics_log(log.path());
    CurveSeries exact_match_curve;
    if (series.eval.count("valid_exact_match"))
        for (const auto& [step, value] : series.eval.at("valid_exact_match")) exact_match_curve.emplace_back(step, value);
    write_loss_curve(run.checkpoint_dir / "loss_curve.svg", series.loss, exact_match_curve,
                     {.title = fmt::format("{}: training loss", config.data_path.empty() ? config.task : config.data_path),
                      .valid_label = "validation exact match", .log_y = true, .valid_on_right_axis = true,
                      .valid_y_label = "exact match"});
    result.steps = state.step;
    result.seconds = state.train_seconds;
    if (run.evaluate_test) result.test = evaluate(*model, experiment, experiment.splits.test);
    return result;
}

}  // namespace tapegrad::translate
