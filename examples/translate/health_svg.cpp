// health.svg: gradient norm, clip factor and update ratios per group, stacked over one step axis.
#include "examples/translate/health_svg.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/line_chart_panel.h"
#include "examples/translate/training_health.h"

namespace tapegrad::translate {
namespace {

constexpr double margin = 16.0;
constexpr double panel_height = 230.0;
const std::string update_ratio_prefix = "update_ratio_";

CurveSeries column(const MetricsSeries& series, const std::string& name) {
    const auto found = series.columns.find(name);
    return found == series.columns.end() ? CurveSeries{} : found->second;
}

}  // namespace

std::string health_svg(const MetricsSeries& series, const HealthPlotOptions& options) {
    std::pair<double, double> x_range{0, 1};
    if (!series.loss.empty()) x_range = {series.loss.front().first, series.loss.back().first};

    SvgWriter svg(options.width, 2 * margin + 28.0 + 3 * panel_height);
    svg.text(margin, margin + 15.0, options.title, {.font_size = 15.0, .bold = true});
    const auto box = [&](int index) {
        return PanelBox{.left = margin, .top = margin + 28.0 + index * panel_height, .width = options.width - 2 * margin,
                        .height = panel_height - 12.0};
    };

    // Gradient norm: a non-finite norm has no point, so the steps with non-finite gradients are marked instead.
    PanelMarks nonfinite_steps{.x = {}, .label = "step with non-finite gradients"};
    for (const auto& [step, count] : column(series, "nonfinite"))
        if (count > 0) nonfinite_steps.x.push_back(step);
    std::vector<PanelReference> threshold;
    if (options.clip_norm > 0)
        threshold.push_back({.y = options.clip_norm, .label = fmt::format("clip threshold {:g}", options.clip_norm),
                             .colour = "#d62728"});
    draw_line_panel(svg, box(0),
                    {{.label = "global gradient norm, before clipping", .points = column(series, "grad_norm"),
                      .colour = series_colour(0)}},
                    threshold,
                    {.title = "gradient norm", .y_label = "L2 norm", .x_label = "", .log_y = true, .x_range = x_range},
                    nonfinite_steps);

    draw_line_panel(svg, box(1),
                    {{.label = "", .points = column(series, "clip_factor"), .colour = series_colour(1)}}, {},
                    {.title = options.clip_norm > 0 ? "clip factor: what the gradients were scaled by (1 = not clipped)"
                                                    : "clip factor (clipping is off: always 1)",
                     .y_label = "factor", .x_label = "", .y_range = std::pair{0.0, 1.0}, .x_range = x_range,
                     .legend = false});

    std::vector<PanelSeries> ratios;
    for (const std::string& name : series.column_order)  // the groups in the model's order
        if (name.starts_with(update_ratio_prefix))
            ratios.push_back({.label = name.substr(update_ratio_prefix.size()), .points = column(series, name),
                              .colour = series_colour(ratios.size() + 2)});
    draw_line_panel(svg, box(2), ratios,
                    {{.y = kUpdateRatioRuleOfThumb, .label = "1e-3: a rule of thumb for a healthy ratio"}},
                    {.title = "update / weight ratio per parameter group, ‖Δw‖ / ‖w‖ of one optimizer step",
                     .y_label = "ratio", .log_y = true, .x_range = x_range});
    return svg.str();
}

void write_health_svg(const std::filesystem::path& path, const MetricsSeries& series, const HealthPlotOptions& options) {
    write_file_atomically(path, health_svg(series, options));
}

}  // namespace tapegrad::translate
