// Fuzzes the log.csv readers: read_metrics_log (plots) and MetricsLog's opening of an existing log on
// `train --resume` (prepare_append_log). Refusals are std::runtime_error naming the file; a series read is
// strictly increasing in step; a log the resume accepted takes a new row and then reads back with it last.
#include <cmath>
#include <stdexcept>
#include <string>

#include "examples/translate/metrics_log.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::translate;
namespace fuzz = tapegrad::fuzz;

namespace {

void require_increasing(const std::vector<std::pair<double, double>>& points) {
    for (std::size_t i = 1; i < points.size(); ++i)
        fuzz::require(points[i - 1].first < points[i].first, "a series is not strictly increasing in step");
}

// read_metrics_log(path), or false when it refused the file (as documented).
bool read_series(const std::filesystem::path& path, MetricsSeries& series) {
    try {
        series = read_metrics_log(path);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, path.string());
        return false;
    }
    require_increasing(series.loss);
    fuzz::require(series.columns.size() <= series.column_order.size(), "a column that is not in the header");
    for (const auto& [name, points] : series.columns) {
        require_increasing(points);
        for (const auto& point : points)
            fuzz::require(!std::isnan(point.second), "an empty field became a point");
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    // The first byte picks the step a resume keeps rows up to; the rest is the file.
    if (size == 0) return 0;
    const int64_t keep_up_to = static_cast<int64_t>(data[0]) - 1;  // -1 (a new run) .. 254
    const std::filesystem::path directory = fuzz::scratch_directory() / "run";
    static const bool created = std::filesystem::create_directories(directory);
    (void)created;
    const std::filesystem::path path = directory / "log.csv";
    fuzz::write_bytes(path, fuzz::as_text(data + 1, size - 1));

    MetricsSeries before;
    const bool readable = read_series(path, before);

    const int64_t next_step = keep_up_to + 1;
    try {
        MetricsLog log(directory, {.eval_columns = {"valid_exact_match", "valid_bleu"},
                                   .health_columns = {"grad_norm"},
                                   .keep_rows_up_to_step = keep_up_to});
        log.append({.step = next_step, .epoch = 0, .loss = 1.5, .lr = 0.001, .tokens = 10, .eval = {{"valid_bleu", 0.25}}});
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, path.string());
        return 0;
    }
    // The resume accepted the log: a log that could be read before can be read now, ending in the new row.
    MetricsSeries after;
    const bool readable_after = read_series(path, after);
    if (readable) fuzz::require(readable_after, "a readable log became unreadable after a resume appended to it");
    if (readable_after) {
        fuzz::require(!after.loss.empty() && after.loss.back() == std::pair<double, double>(double(next_step), 1.5),
                      "the appended row is not the last point");
        fuzz::require(after.columns.count("valid_bleu") && after.columns.at("valid_bleu").back().first == double(next_step),
                      "the appended eval value is missing");
    }
    return 0;
}
