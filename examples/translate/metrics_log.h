// The per-step metrics log, DIR/log.csv: appended by training (also across resumed runs), read back for plots.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tapegrad::translate {

// One row of log.csv.
struct MetricsRow {
    int64_t step = 0;
    int64_t epoch = 0;
    double loss = std::numeric_limits<double>::quiet_NaN();
    double lr = std::numeric_limits<double>::quiet_NaN();
    int64_t tokens = 0;        // tokens in this step
    double tokens_per_s = 0.0;
    double elapsed_s = 0.0;    // wall time since the run started
    // Evaluation results, on the steps that evaluated: column name → value, e.g. {"valid_loss", 1.23}.
    // Every name must be one of MetricsLogOptions::eval_columns; columns not given stay empty in this row.
    std::map<std::string, double> eval = {};
    // Training-health measurements, on the steps that measured them (training_health.h): column name →
    // value, e.g. {"grad_norm", 0.8}. Every name must be one of MetricsLogOptions::health_columns.
    std::map<std::string, double> health = {};
};

struct MetricsLogOptions {
    // Extra columns after the fixed ones, filled on evaluation steps and empty otherwise, e.g.
    // {"valid_loss", "valid_exact_match", "valid_bleu"}. Fixed at construction because a CSV has one header.
    std::vector<std::string> eval_columns = {};
    // Columns after the eval ones, filled on the steps that measured training health and empty otherwise.
    std::vector<std::string> health_columns = {};
    // Rows of an existing log past this step are dropped when it is opened (see prepare_append_log): the
    // checkpoint's step on resume, -1 for a new run (nothing kept). Unset: keep all.
    std::optional<int64_t> keep_rows_up_to_step = std::nullopt;
    int flush_every = 1;  // flush to the OS every this many rows; 1 = a crash loses at most the row being written
};

// The fixed columns, in order: step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s
extern const std::vector<std::string> metrics_log_fixed_columns;

// Appends rows to DIR/log.csv (creating DIR and the file as needed).
// The file is opened for append, so a resumed run continues the same file: the header is written only when
// the file is new or empty. A row torn by a crash (the file not ending in a newline) is cut off when the
// file is reopened, so the next row starts on a line of its own; so are the rows past keep_rows_up_to_step.
// A log whose header lacks some of this log's last columns (written before the health columns existed) gets
// the new header, its old rows empty fields in the new columns. Flushing hands rows to the OS (they survive
// the process crashing) but does not fsync (a power cut may still lose the last seconds).
// Throws std::invalid_argument naming the column for a bad eval or health column name (empty, or containing
// a comma, quote or newline, or duplicating a column), and std::runtime_error naming the path when the file
// cannot be opened or written, or when an existing file's header is neither this log's nor a prefix of it
// (it shows both) — a resumed run must log the same columns.
class MetricsLog {
public:
    explicit MetricsLog(const std::filesystem::path& directory, MetricsLogOptions options = {});
    ~MetricsLog();  // flushes
    MetricsLog(const MetricsLog&) = delete;
    MetricsLog& operator=(const MetricsLog&) = delete;

    // Throws std::invalid_argument naming the step and column for an eval or health name that is not a column.
    void append(const MetricsRow& row);
    void flush();
    const std::filesystem::path& path() const { return path_; }
    std::string header() const;  // the header line, without the newline

private:
    std::filesystem::path path_;
    MetricsLogOptions options_;
    std::ofstream file_;
    int rows_since_flush_ = 0;
};

// The series a plot needs, read back from a log.csv.
struct MetricsSeries {
    std::vector<std::pair<double, double>> loss;  // (step, loss) for every row
    // Every column after the fixed ones (eval and health) → (step, value) for the rows where it is filled.
    std::map<std::string, std::vector<std::pair<double, double>>> columns;
    std::vector<std::string> column_order;  // those columns' names in the order of the header
};

// Reads log.csv as written by MetricsLog (any eval and health columns, found by the header).
// Rows are taken in file order, except that when a step is not greater than the previous row's, the rows
// from that step on are dropped first: a run resumed from a checkpoint older than its last logged step
// re-logs those steps, and the later run's values are the ones that count. So the series is strictly
// increasing in step and shows the whole curve of all resumed runs.
// A final line without its newline (a crash mid-write) is ignored.
// Throws std::runtime_error naming the path (and line number) when the file cannot be read, lacks the
// step or loss column, names a column twice, or has a row with the wrong number of fields, an unparsable
// number, or a step that is not an integer in [0, 10^12].
MetricsSeries read_metrics_log(const std::filesystem::path& path);

}  // namespace tapegrad::translate
