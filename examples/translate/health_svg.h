// health.svg: the training-health columns of log.csv (training_health.h) drawn beside the loss curve —
// gradient norm with the clip threshold, clip factor, and update-to-weight ratio per parameter group.
#pragma once

#include <filesystem>
#include <string>

#include "examples/translate/metrics_log.h"

namespace tapegrad::translate {

struct HealthPlotOptions {
    std::string title = "training health";
    double clip_norm = 0;  // the clip threshold drawn over the gradient norm; 0: clipping was off
    double width = 760;    // pixels
};

// Three panels over one step axis (that of the loss column, so they line up with loss_curve.svg's steps):
//   gradient norm before clipping   log scale, one point per log step, the clip threshold as a dashed line,
//                                   and a red dashed mark at every step that had non-finite gradients;
//   clip factor                     [0, 1]: 1 = not clipped, 0.25 = the gradients were scaled to a quarter;
//   update / weight ratio           log scale, one line per update_ratio_<group> column, with a dashed line at
//                                   kUpdateRatioRuleOfThumb (1e-3), labelled as a rule of thumb.
// A log without health columns (an old one) draws the panels empty ("no data") rather than failing.
std::string health_svg(const MetricsSeries& series, const HealthPlotOptions& options = {});

// health_svg written to `path` atomically. Throws std::runtime_error naming the path on I/O failure.
void write_health_svg(const std::filesystem::path& path, const MetricsSeries& series, const HealthPlotOptions& options = {});

}  // namespace tapegrad::translate
