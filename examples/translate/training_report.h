// TrainingReport: what rank 0 shows of a run — the opening line, the progress line, log.csv (with its
// training-health columns), heads.csv (the attention probe at every evaluation), and the plots drawn from
// them at the end: loss_curve.svg, health.svg, heads.svg. The other ranks of a data-parallel run have none.
#pragma once

#include <filesystem>

#include "examples/translate/attention_probe.h"
#include "examples/translate/evaluate.h"
#include "examples/translate/heads_log.h"
#include "examples/translate/metrics_log.h"
#include "examples/translate/progress.h"
#include "examples/translate/training_session.h"

namespace tapegrad::translate {

// "task dates | 18000 training pairs, ... | N parameters", with the step a resume starts at and, under
// mpirun, the processes and the global batch.
void print_opening_line(const TrainingSession& session, bool resuming, int world_size);

class TrainingReport {
public:
    // Opens log.csv and heads.csv in `directory`: when `resuming`, keeping their rows up to the session's step
    // (the checkpoint's), else none of an old run's. The progress line counts from the session's step.
    TrainingReport(const TrainingSession& session, const std::filesystem::path& directory, int world_size,
                   bool resuming);

    // After each step, before any validation: the progress line.
    void show_progress(const MetricsRow& row);
    // A validation's scores: a line of their own, and the eval columns of the step's row.
    void show_validation(const EvalResult& valid, MetricsRow& row);
    // The step's row of log.csv.
    void log(const MetricsRow& row);
    // Every head's statistics on the attention probe, as rows of heads.csv for `step` (see attention_probe.h:
    // this does not change training).
    void record_heads(nn::Seq2SeqModel& model, int64_t step);
    // Ends the progress line, flushes log.csv and draws loss_curve.svg and health.svg from it and heads.svg
    // from heads.csv.
    void finish();

private:
    TrainConfig config_;
    std::filesystem::path directory_;
    MetricsLog log_;
    HeadsLog heads_;
    AttentionProbe probe_;
    ProgressReporter progress_;
};

}  // namespace tapegrad::translate
