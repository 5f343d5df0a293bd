// Loss-curve SVG: 1-2-5 (or log) axes, faint raw points, a centred moving average, an optional second series.
#include "examples/translate/loss_curve_svg.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/chart_axis.h"
#include "examples/translate/svg.h"

namespace tapegrad::translate {

namespace {

constexpr double margin = 16.0;
constexpr double title_font_size = 15.0;
constexpr double label_font_size = 12.0;
constexpr double tick_font_size = 11.0;
constexpr std::size_t max_raw_dots = 1500;
const std::string train_colour = "#1f77b4";  // matplotlib's blue and red (tab10): distinct for most viewers
const std::string valid_colour = "#d62728";
const std::string axis_colour = "#444444";
const std::string grid_colour = "#e5e5e5";

// The points of `series` that can be drawn: finite, and positive on a log axis.
CurveSeries drawable(const CurveSeries& series, bool log_y) {
    CurveSeries points;
    for (const auto& [x, y] : series)
        if (std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0.0)) points.emplace_back(x, y);
    return points;
}

std::pair<double, double> y_range(const CurveSeries& points) {
    auto [low, high] = std::minmax_element(points.begin(), points.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
    return {low->second, high->second};
}

}  // namespace

std::vector<double> centred_moving_average(const std::vector<double>& values, int window) {
    if (window < 1)
        throw std::invalid_argument(fmt::format("centred_moving_average: window must be >= 1, got {}", window));
    const auto n = static_cast<std::ptrdiff_t>(values.size());
    // Prefix sums make every window O(1): mean(values[a..b]) = (prefix[b+1] − prefix[a]) / (b − a + 1).
    std::vector<double> prefix(values.size() + 1, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) prefix[i + 1] = prefix[i] + values[i];
    std::vector<double> averages(values.size());
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const std::ptrdiff_t first = std::max<std::ptrdiff_t>(0, i - window / 2);
        const std::ptrdiff_t last = std::min<std::ptrdiff_t>(n - 1, i - window / 2 + window - 1);
        averages[static_cast<std::size_t>(i)] = (prefix[static_cast<std::size_t>(last + 1)] -
                                                 prefix[static_cast<std::size_t>(first)]) /
                                                static_cast<double>(last - first + 1);
    }
    return averages;
}

std::string loss_curve_svg(const CurveSeries& train_loss, const CurveSeries& valid, const LossCurveOptions& options) {
    if (options.width < 200.0 || options.height < 200.0)
        throw std::invalid_argument(fmt::format("loss_curve_svg: width and height must be >= 200 px, got {} x {}",
                                                options.width, options.height));
    if (options.smoothing_window < 0)
        throw std::invalid_argument(
            fmt::format("loss_curve_svg: smoothing_window must be >= 0 (0 = automatic), got {}", options.smoothing_window));

    const bool valid_on_left = !options.valid_on_right_axis;
    const CurveSeries train = drawable(train_loss, options.log_y);
    const CurveSeries second = drawable(valid, options.log_y && valid_on_left);
    const bool has_data = !train.empty() || !second.empty();

    // ---- axes ----
    double x_low = 0.0, x_high = 1.0;
    bool integer_x = true;
    std::vector<double> left_values;
    if (has_data) {
        x_low = INFINITY;
        x_high = -INFINITY;
        for (const CurveSeries* series : {&train, &second})
            for (const auto& [x, y] : *series) {
                x_low = std::min(x_low, x);
                x_high = std::max(x_high, x);
                integer_x = integer_x && x == std::round(x);
                if (series == &train || valid_on_left) left_values.push_back(y);
            }
    }
    const Axis x_axis = linear_axis(x_low, x_high, 8, has_data && integer_x ? 1.0 : 0.0);
    Axis y_axis = linear_axis(0.0, 1.0, 6);
    if (!left_values.empty()) {
        const auto [low, high] = std::minmax_element(left_values.begin(), left_values.end());
        y_axis = options.log_y ? log_axis(*low, *high) : linear_axis(*low, *high, 7);
    }
    const bool draw_right_axis = options.valid_on_right_axis && !second.empty();
    Axis right_axis;
    if (draw_right_axis) {
        // From 0 for a non-negative metric (exact match, BLEU), so that a rise from 0.3 to 0.99 is not
        // drawn as a rise from nothing to everything.
        const auto [low, high] = y_range(second);
        right_axis = linear_axis(std::min(low, 0.0), high, 7);
    }

    // ---- layout: title, legend row, plot frame, tick labels and axis labels around it ----
    const double left = margin + label_font_size + 10.0 + widest(y_axis.tick_labels, tick_font_size) + 8.0;
    const double right = options.width - margin -
                         (draw_right_axis ? widest(right_axis.tick_labels, tick_font_size) + 8.0 + label_font_size + 10.0
                                          : 8.0);
    const double top = margin + title_font_size + 34.0;
    const double bottom = options.height - margin - label_font_size - tick_font_size - 14.0;
    const auto px = [&](double x) { return left + x_axis.fraction(x) * (right - left); };
    const auto py = [&](const Axis& axis, double y) { return bottom - axis.fraction(y) * (bottom - top); };

    SvgWriter svg(options.width, options.height);
    svg.text(margin, margin + title_font_size, options.title, {.font_size = title_font_size, .bold = true});

    // Grid lines and ticks first, so the data draws over them.
    const TextStyle tick_style{.font_size = tick_font_size, .anchor = "middle", .color = axis_colour};
    for (std::size_t i = 0; i < x_axis.ticks.size(); ++i) {
        const double x = px(x_axis.ticks[i]);
        svg.line(x, top, x, bottom, {.color = grid_colour});
        svg.line(x, bottom, x, bottom + 4.0, {.color = axis_colour});
        svg.text(x, bottom + 6.0 + tick_font_size, x_axis.tick_labels[i], tick_style);
    }
    for (std::size_t i = 0; i < y_axis.ticks.size(); ++i) {
        const double y = py(y_axis, y_axis.ticks[i]);
        svg.line(left, y, right, y, {.color = grid_colour});
        svg.line(left - 4.0, y, left, y, {.color = axis_colour});
        svg.text(left - 6.0, y + 0.35 * tick_font_size, y_axis.tick_labels[i],
                 {.font_size = tick_font_size, .anchor = "end", .color = axis_colour});
    }
    if (draw_right_axis)
        for (std::size_t i = 0; i < right_axis.ticks.size(); ++i) {
            const double y = py(right_axis, right_axis.ticks[i]);
            svg.line(right, y, right + 4.0, y, {.color = valid_colour});
            svg.text(right + 6.0, y + 0.35 * tick_font_size, right_axis.tick_labels[i],
                     {.font_size = tick_font_size, .color = valid_colour});
        }
    const Stroke frame{.color = axis_colour};
    svg.line(left, top, left, bottom, frame);
    svg.line(left, bottom, right, bottom, frame);
    if (draw_right_axis) svg.line(right, top, right, bottom, {.color = valid_colour});

    const TextStyle axis_label_style{.font_size = label_font_size, .anchor = "middle", .color = axis_colour};
    svg.text((left + right) / 2.0, options.height - margin, options.x_label, axis_label_style);
    TextStyle y_label_style = axis_label_style;
    y_label_style.rotate_degrees = -90.0;
    svg.text(margin + label_font_size, (top + bottom) / 2.0, options.y_label + (options.log_y ? " (log scale)" : ""),
             y_label_style);
    if (draw_right_axis) {
        y_label_style.color = valid_colour;
        y_label_style.rotate_degrees = 90.0;
        svg.text(options.width - margin - label_font_size, (top + bottom) / 2.0, options.valid_y_label, y_label_style);
    }

    if (!has_data) {
        svg.text((left + right) / 2.0, (top + bottom) / 2.0, "no data",
                 {.font_size = label_font_size, .anchor = "middle", .color = "#888888"});
        return svg.str();
    }

    // ---- train: faint raw dots, then the moving average on top ----
    const std::size_t stride = (train.size() + max_raw_dots - 1) / max_raw_dots;
    for (std::size_t i = 0; i < train.size(); i += std::max<std::size_t>(stride, 1))
        svg.circle(px(train[i].first), py(y_axis, train[i].second), 1.6, train_colour, 0.25);
    const int window = options.smoothing_window > 0 ? options.smoothing_window
                                                    : std::max(1, static_cast<int>(train.size() / 50));
    std::vector<double> train_values;
    for (const auto& point : train) train_values.push_back(point.second);
    const std::vector<double> smoothed = centred_moving_average(train_values, window);
    CurveSeries smoothed_points;
    for (std::size_t i = 0; i < train.size(); ++i)
        smoothed_points.emplace_back(px(train[i].first), py(y_axis, smoothed[i]));
    svg.polyline(smoothed_points, {.color = train_colour, .width = 2.0});

    // ---- the second series: a line with a marker at every evaluation ----
    const Axis& valid_axis = draw_right_axis ? right_axis : y_axis;
    CurveSeries valid_points;
    for (const auto& [x, y] : second) valid_points.emplace_back(px(x), py(valid_axis, y));
    svg.polyline(valid_points, {.color = valid_colour, .width = 1.8});
    for (const auto& [x, y] : valid_points) svg.circle(x, y, 3.0, valid_colour);

    // ---- legend: one row between the title and the frame, so it can never cover the data ----
    double legend_x = left;
    const double legend_y = margin + title_font_size + 20.0;
    const TextStyle legend_style{.font_size = tick_font_size, .color = "#333333"};
    auto legend_entry = [&](const std::string& label, const std::function<void(double)>& draw_swatch) {
        draw_swatch(legend_x);
        svg.text(legend_x + 24.0, legend_y + 0.35 * tick_font_size, label, legend_style);
        legend_x += 24.0 + estimated_text_width(label, tick_font_size) + 18.0;
    };
    if (!train.empty()) {
        legend_entry(options.train_label + " (raw)",
                     [&](double x) { svg.circle(x + 10.0, legend_y, 2.5, train_colour, 0.4); });
        const std::string smoothed_label =
            window > 1 ? fmt::format("{} (moving average of {})", options.train_label, window) : options.train_label;
        legend_entry(smoothed_label, [&](double x) {
            svg.line(x, legend_y, x + 20.0, legend_y, {.color = train_colour, .width = 2.0});
        });
    }
    if (!second.empty())
        legend_entry(options.valid_label, [&](double x) {
            svg.line(x, legend_y, x + 20.0, legend_y, {.color = valid_colour, .width = 1.8});
            svg.circle(x + 10.0, legend_y, 3.0, valid_colour);
        });
    return svg.str();
}

void write_loss_curve(const std::filesystem::path& path, const CurveSeries& train_loss, const CurveSeries& valid,
                      const LossCurveOptions& options) {
    write_file_atomically(path, loss_curve_svg(train_loss, valid, options));
}

}  // namespace tapegrad::translate
