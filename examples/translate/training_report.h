// TrainingReport: what rank 0 shows of a run — the opening line, the progress line, log.csv, and the loss
// curve drawn from log.csv at the end. The other ranks of a data-parallel run have none.
#pragma once

#include <filesystem>

#include "examples/translate/evaluate.h"
#include "examples/translate/metrics_log.h"
#include "examples/translate/progress.h"
#include "examples/translate/training_session.h"

namespace tapegrad::translate {

// "task dates | 18000 training pairs, ... | N parameters", with the step a resume starts at and, under
// mpirun, the processes and the global batch.
void print_opening_line(const TrainingSession& session, bool resuming, int world_size);

class TrainingReport {
public:
    // Opens log.csv in `directory` (appending on resume); the progress line counts from the session's step.
    TrainingReport(const TrainingSession& session, const std::filesystem::path& directory, int world_size);

    // After each step, before any validation: the progress line.
    void show_progress(const MetricsRow& row);
    // A validation's scores: a line of their own, and the eval columns of the step's row.
    void show_validation(const EvalResult& valid, MetricsRow& row);
    // The step's row of log.csv.
    void log(const MetricsRow& row);
    // Ends the progress line, flushes log.csv and draws loss_curve.svg from it.
    void finish();

private:
    TrainConfig config_;
    std::filesystem::path directory_;
    MetricsLog log_;
    ProgressReporter progress_;
};

}  // namespace tapegrad::translate
