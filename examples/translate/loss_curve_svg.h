// Training curves as SVG: raw per-step loss, its moving average, and an optional second (validation) series.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tapegrad::translate {

// (x, y) points, typically (step, value), in increasing x.
using CurveSeries = std::vector<std::pair<double, double>>;

struct LossCurveOptions {
    std::string title = "training loss";
    std::string x_label = "step";
    std::string y_label = "loss";
    std::string train_label = "train loss";      // legend entry of the first series
    std::string valid_label = "validation";      // legend entry of the second series
    bool log_y = false;                           // logarithmic loss axis (points with y <= 0 are skipped)
    // Draw the second series against its own linear axis on the right, labelled valid_y_label, for a series
    // on a different scale than the loss (exact match in [0, 1], BLEU in [0, 100]); that axis starts at 0
    // unless the series goes negative. When false the series shares the left axis (validation loss).
    bool valid_on_right_axis = false;
    std::string valid_y_label = "validation";
    // Points in the centred moving average of the train series; 0 picks about 1/50 of the points (at least 1,
    // i.e. no smoothing, for short runs).
    int smoothing_window = 0;
    double width = 760.0;   // pixels
    double height = 440.0;  // pixels
};

// An SVG line chart:
//   train_loss  drawn as faint dots (the raw, noisy per-step values; thinned to at most 1500 evenly spaced
//               dots so a long run stays a small file) under a solid line of their centred moving average
//               (each point the mean of the `smoothing_window` points around it, the window shrinking at
//               the ends, so the line does not lag behind the data like a trailing average does);
//   valid       optional, drawn as a line with a marker at every point (evaluations are sparse).
// Axes use 1-2-5 ticks with light grid lines; a log y axis ticks at 1, 2, 5 × powers of ten. A legend names
// the series. Points with a non-finite coordinate (a diverged loss) are skipped; with no drawable point the
// chart says "no data" rather than failing, so an end-of-run plot never aborts a run.
// Throws std::invalid_argument when width or height is below 200 or smoothing_window is negative.
std::string loss_curve_svg(const CurveSeries& train_loss, const CurveSeries& valid = {},
                           const LossCurveOptions& options = {});

// loss_curve_svg written to `path` atomically (temporary file + rename).
// Throws like loss_curve_svg, or std::runtime_error naming the path on I/O failure.
void write_loss_curve(const std::filesystem::path& path, const CurveSeries& train_loss, const CurveSeries& valid = {},
                      const LossCurveOptions& options = {});

// The centred moving average used for the smoothed line: out[i] = mean of values[max(0, i − w/2) ..
// min(n − 1, i − w/2 + w − 1)], w = window (≥ 1). Exposed for tests.
std::vector<double> centred_moving_average(const std::vector<double>& values, int window);

}  // namespace tapegrad::translate
