// heads.csv: every attention head's statistics on the attention probe at every evaluation of a training
// run, appended across resumed runs, and read back for heads.svg.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "examples/translate/loss_curve_svg.h"
#include "nn/head_statistics.h"

namespace tapegrad::translate {

// Appends to DIR/heads.csv (creating the file as needed): the header "step," + nn::head_statistics_csv_header(),
// then per evaluation one row per head, "step," + nn::head_statistics_csv_row(). On opening, a torn last row
// and the rows past keep_rows_up_to_step are cut off (prepare_append_log), as for log.csv, so a resumed run
// continues without duplicated or missing evaluations. Rows are flushed to the OS after every evaluation.
// Throws std::runtime_error naming the path when the file cannot be written or has another header.
class HeadsLog {
public:
    // keep_rows_up_to_step: the checkpoint's step on resume (its evaluation stays), -1 for a new run.
    HeadsLog(const std::filesystem::path& directory, std::optional<int64_t> keep_rows_up_to_step);
    void append(int64_t step, const std::vector<nn::HeadStatistics>& heads);
    const std::filesystem::path& path() const { return path_; }
    static std::string header();

private:
    std::filesystem::path path_;
    std::ofstream file_;
};

// One head's normalised entropy over training, read back from heads.csv.
struct HeadEntropySeries {
    nn::AttentionKind kind = nn::AttentionKind::encoder_self;
    int64_t layer = 0;
    int64_t head = 0;
    CurveSeries entropy;  // (step, entropy) for the evaluations where it is defined
};

// The series of every head in heads.csv, in the order of their first row. As read_metrics_log does, a step
// not greater than a head's previous one drops that head's points from that step on first (a re-logged
// evaluation supersedes the older one); a torn final line is ignored. Throws std::runtime_error naming the
// path and line for an unreadable file, a header that is not HeadsLog's, or a malformed row.
std::vector<HeadEntropySeries> read_heads_log(const std::filesystem::path& path);

}  // namespace tapegrad::translate
