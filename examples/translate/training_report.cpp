// TrainingReport: rank 0's opening line, progress line, log.csv and loss curve.
#include "examples/translate/training_report.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "examples/translate/loss_curve_svg.h"

namespace tapegrad::translate {
namespace {

constexpr const char* kExactMatch = "valid_exact_match";
constexpr const char* kTokenAccuracy = "valid_token_accuracy";
constexpr const char* kBleu = "valid_bleu";

std::string data_name(const TrainConfig& config) {
    return config.data_path.empty() ? "task " + config.task : config.data_path;
}

}  // namespace

void print_opening_line(const TrainingSession& session, bool resuming, int world_size) {
    const TrainConfig& config = session.config;
    const Experiment& experiment = session.experiment;
    fmt::print("{} | {} training pairs, {} validation, {} test | vocab {} -> {} | {} parameters{}{}\n",
               data_name(config), experiment.splits.train.size(), experiment.splits.valid.size(),
               experiment.splits.test.size(), experiment.source.vocab.size(), experiment.target.vocab.size(),
               session.model->parameter_count(), resuming ? fmt::format(" | resuming at step {}", session.state.step) : "",
               world_size > 1 ? fmt::format(" | {} processes, global batch {}", world_size,
                                            config.max_tokens > 0 ? fmt::format("{} tokens", config.max_tokens)
                                                                  : std::to_string(config.batch_size))
                              : "");
}

// Under mpirun, stdout is a pseudo-terminal whatever mpirun's own output goes to (usually a job log):
// plain lines, not a live line redrawn with \r.
TrainingReport::TrainingReport(const TrainingSession& session, const std::filesystem::path& directory, int world_size)
    : config_(session.config),
      directory_(directory),
      log_(directory, MetricsLogOptions{.eval_columns = {kExactMatch, kTokenAccuracy, kBleu}}),
      progress_(ProgressOptions{.max_steps = config_.max_steps, .max_minutes = config_.max_minutes,
                                .start_step = session.state.step,
                                .is_terminal = world_size > 1 ? std::optional<bool>(false) : std::nullopt,
                                .print_every_steps = config_.log_every}) {}

void TrainingReport::show_progress(const MetricsRow& row) {
    progress_.update({.step = row.step, .loss = row.loss, .tokens = row.tokens, .lr = row.lr});
}

void TrainingReport::show_validation(const EvalResult& valid, MetricsRow& row) {
    row.eval = {{kExactMatch, valid.exact_match}, {kTokenAccuracy, valid.token_accuracy}, {kBleu, valid.bleu.score}};
    progress_.note(fmt::format("step {}: validation exact match {:.1f}%, token accuracy {:.1f}%, BLEU {:.1f}", row.step,
                               100 * valid.exact_match, 100 * valid.token_accuracy, valid.bleu.score));
}

void TrainingReport::log(const MetricsRow& row) { log_.append(row); }

void TrainingReport::finish() {
    progress_.finish();
    log_.flush();
    const MetricsSeries series = read_metrics_log(log_.path());
    CurveSeries exact_match_curve;
    if (series.eval.count(kExactMatch))
        for (const auto& [step, value] : series.eval.at(kExactMatch)) exact_match_curve.emplace_back(step, value);
    write_loss_curve(directory_ / "loss_curve.svg", series.loss, exact_match_curve,
                     {.title = fmt::format("{}: training loss", config_.data_path.empty() ? config_.task : config_.data_path),
                      .valid_label = "validation exact match", .log_y = true, .valid_on_right_axis = true,
                      .valid_y_label = "exact match"});
}

}  // namespace tapegrad::translate
