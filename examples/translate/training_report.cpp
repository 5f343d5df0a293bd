// TrainingReport: rank 0's opening line, progress line, log.csv and loss curve.
#include "examples/translate/training_report.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "autograd/autocast.h"
#include "examples/translate/health_svg.h"
#include "examples/translate/heads_svg.h"
#include "examples/translate/loss_curve_svg.h"
#include "examples/translate/training_health.h"

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
               session.model->parameter_count(),
               (config.precision == "bf16" ? " | bf16 products" : std::string()) +
                   (resuming ? fmt::format(" | resuming at step {}", session.state.step) : std::string()),
               world_size > 1 ? fmt::format(" | {} processes, global batch {}", world_size,
                                            config.max_tokens > 0 ? fmt::format("{} tokens", config.max_tokens)
                                                                  : std::to_string(config.batch_size))
                              : "");
    // Said once, at the start: what bf16 gives on this build and this CPU (docs/mixed_precision.md).
    if (config.precision == "bf16")
        fmt::print("note: --precision bf16 runs its products on the portable path (float32 GEMMs of bfloat16-rounded "
                   "inputs): the numbers of bf16, not its speed{}\n",
                   bfloat16_products_in_hardware() ? "" : " (this CPU has no AVX512_BF16)");
}

// Under mpirun, stdout is a pseudo-terminal whatever mpirun's own output goes to (usually a job log):
// plain lines, not a live line redrawn with \r.
TrainingReport::TrainingReport(const TrainingSession& session, const std::filesystem::path& directory, int world_size,
                               bool resuming)
    : config_(session.config),
      directory_(directory),
      log_(directory, MetricsLogOptions{.eval_columns = {kExactMatch, kTokenAccuracy, kBleu},
                                        .health_columns = health_columns(ParameterGroups(*session.model)),
                                        .keep_rows_up_to_step = resuming ? session.state.step : -1}),
      heads_(directory, resuming ? session.state.step : -1),
      probe_(make_attention_probe(session.experiment)),
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

void TrainingReport::record_heads(nn::Seq2SeqModel& model, int64_t step) {
    heads_.append(step, probe_attention_heads(model, probe_));
}

void TrainingReport::finish() {
    progress_.finish();
    log_.flush();
    const MetricsSeries series = read_metrics_log(log_.path());
    CurveSeries exact_match_curve;
    if (series.columns.count(kExactMatch))
        for (const auto& [step, value] : series.columns.at(kExactMatch)) exact_match_curve.emplace_back(step, value);
    const std::string name = config_.data_path.empty() ? config_.task : config_.data_path;
    write_loss_curve(directory_ / "loss_curve.svg", series.loss, exact_match_curve,
                     {.title = fmt::format("{}: training loss", name), .valid_label = "validation exact match",
                      .log_y = true, .valid_on_right_axis = true, .valid_y_label = "exact match"});
    write_health_svg(directory_ / "health.svg", series,
                     {.title = fmt::format("{}: training health", name), .clip_norm = config_.clip_norm});
    write_heads_svg(directory_ / "heads.svg", read_heads_log(heads_.path()),
                    {.title = fmt::format("{}: attention entropy per head over training", name)});
}

}  // namespace tapegrad::translate
