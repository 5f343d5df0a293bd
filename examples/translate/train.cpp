// The training loop: batch -> forward -> cross-entropy -> backward -> (all-reduce) -> clip -> Adam step ->
// schedule, with periodic validation and checkpoints. Under mpirun the same loop runs on every rank, with
// the gradients averaged across ranks between backward and clipping (see DataParallel and
// docs/distributed.md). What the loop works on is set up in training_session.h (a new run) or resume.h
// (--resume); what rank 0 prints and logs is in training_report.h.
#include "examples/translate/train.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "autograd/autocast.h"
#include "data/vocab.h"
#include "examples/translate/data_parallel.h"
#include "examples/translate/resume.h"
#include "examples/translate/training_health.h"
#include "examples/translate/training_report.h"
#include "examples/translate/training_session.h"
#include "optim/clip_grad.h"

namespace tapegrad::translate {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Training time: what a resumed run had trained already, plus wall time since this run started, minus the
// time spent validating.
class TrainingClock {
public:
    explicit TrainingClock(double seconds_at_start) : seconds_at_start_(seconds_at_start) {}
    double seconds() const { return seconds_at_start_ + seconds_since(start_) - excluded_seconds_; }
    void exclude(double seconds) { excluded_seconds_ += seconds; }

private:
    double seconds_at_start_;
    Clock::time_point start_ = Clock::now();
    double excluded_seconds_ = 0;
};

// The mean training loss of the last log period; at the end, of the last (possibly partial) one.
class LogPeriodLoss {
public:
    explicit LogPeriodLoss(int64_t period) : period_(period) {}
    void add(double loss) {
        sum_ += loss, ++steps_;
        if (steps_ < period_) return;
        last_mean_ = sum_ / static_cast<double>(steps_);
        sum_ = 0, steps_ = 0;
    }
    double mean() const { return steps_ > 0 ? sum_ / static_cast<double>(steps_) : last_mean_; }

private:
    int64_t period_;
    double sum_ = 0, last_mean_ = 0;
    int64_t steps_ = 0;
};

bool is_validation_step(const TrainConfig& config, int64_t step) {
    return step % config.eval_every == 0 || step == config.max_steps;
}

// Rank 0, after each step: the progress line, a validation and the attention probe when due (their time is
// not training time), and the step's row of log.csv. Returns whether validation reached the target exact match.
bool report_step(TrainingSession& session, TrainingReport& report, TrainingClock& clock, MetricsRow row) {
    report.show_progress(row);
    bool reached_target = false;
    // An empty validation split has nothing to score: no validation, so no 0.0 metrics and no target reached.
    if (is_validation_step(session.config, row.step) && !session.experiment.splits.valid.empty()) {
        const Clock::time_point validation_start = Clock::now();
        const EvalResult valid = evaluate(*session.model, session.experiment, session.experiment.splits.valid,
                                          session.config.eval_examples);
        report.record_heads(*session.model, row.step);
        clock.exclude(seconds_since(validation_start));
        report.show_validation(valid, row);
        reached_target = valid.exact_match >= session.config.target_exact_match;
    }
    report.log(row);
    return reached_target;
}

// One optimizer step per global batch, until max_steps, the time budget, or validation reaching the target
// exact match, saving to run.checkpoint_dir every config.checkpoint_every steps. `report` is rank 0's
// (empty on the others). Returns the mean loss of the last log period.
double train_steps(TrainingSession& session, DataParallel& world, std::optional<TrainingReport>& report,
                   const TrainRun& run) {
    const TrainConfig& config = session.config;
    nn::Seq2SeqModel& model = *session.model;
    optim::Optimizer& optimizer = *session.optimizer;
    TrainerState& state = session.state;
    const int64_t vocab = session.experiment.target.vocab.size();
    const std::vector<Tensor> parameters = model.parameters();
    world.reduce_gradients_of(parameters);
    const ParameterGroups groups(model);
    const double time_budget = config.max_minutes * 60;
    TrainingClock clock(state.train_seconds);
    LogPeriodLoss recent_loss(config.log_every);
    while (state.step < config.max_steps) {
        // The ranks' clocks differ: they stop together as soon as any one is out of time.
        if (time_budget > 0 && world.any(clock.seconds() >= time_budget)) break;
        const Clock::time_point step_start = Clock::now();
        const data::Batch batch = session.next_batch();
        model.train();
        Tensor loss;
        {
            // --precision bf16: the forward's products in bfloat16 (docs/mixed_precision.md); the backward
            // multiplies what the forward recorded, so it needs no scope of its own.
            AutocastGuard autocast(DType::BFloat16, /*enabled=*/config.precision == "bf16");
            const Tensor logits = model.forward(batch.source, batch.target_input);  // (B, T, V)
            loss = cross_entropy(logits.reshape({-1, vocab}), batch.target_output.reshape({-1}),
                                 {.ignore_index = data::Vocab::pad_id(), .label_smoothing = config.label_smoothing});
        }
        loss.backward();
        // The loss is a mean over this shard's non-padding target tokens: weighting by them makes the
        // averaged gradient that of the mean over the global batch's tokens (distributed/gradient_reducer.h).
        const auto local_tokens = static_cast<double>(batch.num_target_tokens);
        const double global_tokens = world.average_gradients(local_tokens);
        // Training health, on rank 0's log steps only (training_health.h): read-only, so the numbers do not change.
        const bool measure_health = world.is_main() && (state.step + 1) % config.log_every == 0;
        StepHealth health;
        if (measure_health) health.nonfinite = count_nonfinite_gradients(parameters);
        if (config.clip_norm > 0)
            health.grad_norm = optim::clip_grad_norm(parameters, config.clip_norm);
        else if (measure_health)
            health.grad_norm = optim::grad_norm(parameters);
        std::vector<std::vector<double>> weights_before;  // for the update ratios
        if (measure_health) weights_before = groups.snapshot();
        const double lr = optimizer.lr();
        optimizer.step();
        if (measure_health) {
            health.clip_factor = clip_factor(health.grad_norm, config.clip_norm);
            health.update_ratios = groups.update_ratios(weights_before);
        }
        session.scheduler.step();
        optimizer.zero_grad();
        ++state.step;
        if (run.after_step) run.after_step(world.rank(), state.step, model);

        // The global batch's loss: Σ_r n_r · loss_r / N.
        const double loss_value =
            world.world_size() > 1 ? world.sum(loss.item() * local_tokens) / global_tokens : loss.item();
        const auto tokens = static_cast<int64_t>(global_tokens);
        const double step_seconds = seconds_since(step_start);
        recent_loss.add(loss_value);
        state.train_seconds = clock.seconds();
        const MetricsRow row{.step = state.step, .epoch = session.loader.state().epoch, .loss = loss_value, .lr = lr,
                             .tokens = tokens, .tokens_per_s = static_cast<double>(tokens) / std::max(step_seconds, 1e-9),
                             .elapsed_s = state.train_seconds, .eval = {},
                             .health = measure_health ? health_values(groups, health) : std::map<std::string, double>{}};
        bool stop = world.is_main() && report_step(session, *report, clock, row);
        if (is_validation_step(config, state.step)) stop = world.any(stop);  // only rank 0 validated: share its verdict
        if (config.check_every > 0 && state.step % config.check_every == 0)
            world.check_parameters_in_sync(model, state.step);
        if (state.step % config.checkpoint_every == 0) session.save_checkpoint(run.checkpoint_dir, world);
        if (stop) break;
    }
    return recent_loss.mean();
}

}  // namespace

TrainResult train(const TrainRun& run) {
    DataParallel world;
    TrainingSession session = run.resume ? resume_session(run, world) : start_session(run.config, world);
    std::optional<TrainingReport> report;  // rank 0 alone prints, logs and plots
    if (world.is_main()) {
        print_opening_line(session, run.resume, world.world_size());
        print_training_data_notes(session.experiment);
        report.emplace(session, run.checkpoint_dir, world.world_size(), run.resume);
        if (!run.resume) report->record_heads(*session.model, 0);  // the untrained heads, for comparison
    }
    const double final_loss = train_steps(session, world, report, run);
    if (session.config.check_every > 0) world.check_parameters_in_sync(*session.model, session.state.step);
    session.save_checkpoint(run.checkpoint_dir, world);
    TrainResult result{.steps = session.state.step, .seconds = session.state.train_seconds, .final_loss = final_loss,
                       .test = {}, .rank = world.rank(), .world_size = world.world_size()};
    if (!world.is_main()) return result;
    report->finish();
    if (run.evaluate_test) result.test = evaluate(*session.model, session.experiment, session.experiment.splits.test);
    return result;
}

}  // namespace tapegrad::translate
