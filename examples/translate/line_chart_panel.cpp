// A line-chart panel: frame, ticks, series, reference lines, marks and legend inside a box of a larger SVG.
#include "examples/translate/line_chart_panel.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "examples/translate/chart_axis.h"

namespace tapegrad::translate {
namespace {

constexpr double title_font_size = 13.0;
constexpr double label_font_size = 11.0;
constexpr double tick_font_size = 10.0;
const std::string axis_colour = "#444444";
const std::string grid_colour = "#e5e5e5";

bool drawable(double x, double y, bool log_y) { return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0.0); }

Axis y_axis_of(const std::vector<PanelSeries>& series, const std::vector<PanelReference>& references,
               const PanelOptions& options) {
    if (options.y_range) return linear_axis(options.y_range->first, options.y_range->second, 6);
    std::vector<double> values;
    for (const PanelSeries& s : series)
        for (const auto& [x, y] : s.points)
            if (drawable(x, y, options.log_y)) values.push_back(y);
    for (const PanelReference& reference : references)
        if (drawable(0, reference.y, options.log_y)) values.push_back(reference.y);
    if (values.empty()) return options.log_y ? log_axis(0.1, 1.0) : linear_axis(0.0, 1.0, 6);
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    return options.log_y ? log_axis(*low, *high) : linear_axis(*low, *high, 6);
}

}  // namespace

const std::string& series_colour(std::size_t index) {
    static const std::array<std::string, 10> tab10 = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return tab10[index % tab10.size()];
}

void draw_line_panel(SvgWriter& svg, const PanelBox& box, const std::vector<PanelSeries>& series,
                     const std::vector<PanelReference>& references, const PanelOptions& options,
                     const PanelMarks& marks) {
    const Axis x_axis = linear_axis(options.x_range.first, options.x_range.second, 7, 1.0);
    const Axis y_axis = y_axis_of(series, references, options);
    const bool has_legend = options.legend &&
                            (std::any_of(series.begin(), series.end(), [](const auto& s) { return !s.label.empty(); }) ||
                             (!marks.x.empty() && !marks.label.empty()));

    // ---- layout: title, legend row, frame; tick labels and axis labels around the frame ----
    const double left = box.left + label_font_size + 8.0 + options.y_tick_room;
    const double right = box.left + box.width - 8.0;
    const double top = box.top + title_font_size + 8.0 + (has_legend ? 18.0 : 0.0);
    const double bottom = box.top + box.height - (options.x_label.empty() ? 0.0 : label_font_size + 4.0) -
                          tick_font_size - 8.0;
    const auto px = [&](double x) { return left + x_axis.fraction(x) * (right - left); };
    const auto py = [&](double y) { return bottom - std::clamp(y_axis.fraction(y), 0.0, 1.0) * (bottom - top); };

    svg.text(box.left, box.top + title_font_size, options.title, {.font_size = title_font_size, .bold = true});
    for (std::size_t i = 0; i < x_axis.ticks.size(); ++i) {
        const double x = px(x_axis.ticks[i]);
        svg.line(x, top, x, bottom, {.color = grid_colour});
        svg.line(x, bottom, x, bottom + 3.0, {.color = axis_colour});
        svg.text(x, bottom + 4.0 + tick_font_size, x_axis.tick_labels[i],
                 {.font_size = tick_font_size, .anchor = "middle", .color = axis_colour});
    }
    for (std::size_t i = 0; i < y_axis.ticks.size(); ++i) {
        const double y = py(y_axis.ticks[i]);
        svg.line(left, y, right, y, {.color = grid_colour});
        svg.line(left - 3.0, y, left, y, {.color = axis_colour});
        svg.text(left - 5.0, y + 0.35 * tick_font_size, y_axis.tick_labels[i],
                 {.font_size = tick_font_size, .anchor = "end", .color = axis_colour});
    }
    svg.line(left, top, left, bottom, {.color = axis_colour});
    svg.line(left, bottom, right, bottom, {.color = axis_colour});
    if (!options.x_label.empty())
        svg.text((left + right) / 2.0, box.top + box.height - 2.0, options.x_label,
                 {.font_size = label_font_size, .anchor = "middle", .color = axis_colour});
    svg.text(box.left + label_font_size, (top + bottom) / 2.0, options.y_label + (options.log_y ? " (log scale)" : ""),
             {.font_size = label_font_size, .anchor = "middle", .color = axis_colour, .rotate_degrees = -90.0});

    // ---- marks and references under the data ----
    const Stroke mark_stroke{.color = marks.colour, .width = 1.2, .opacity = 0.8, .dasharray = "3 3"};
    for (double x : marks.x)
        if (std::isfinite(x)) svg.line(px(x), top, px(x), bottom, mark_stroke);
    for (const PanelReference& reference : references) {
        if (!drawable(0, reference.y, options.log_y)) continue;
        const double y = py(reference.y);
        svg.line(left, y, right, y, {.color = reference.colour, .width = 1.2, .dasharray = "6 4"});
        svg.text(right - 4.0, y - 4.0, reference.label,
                 {.font_size = tick_font_size, .anchor = "end", .color = reference.colour});
    }

    // ---- the series ----
    bool any_point = false;
    for (const PanelSeries& s : series) {
        // A point that cannot be drawn (a NaN norm) breaks the line rather than being bridged over.
        std::vector<std::vector<std::pair<double, double>>> segments(1);
        for (const auto& [x, y] : s.points) {
            if (drawable(x, y, options.log_y))
                segments.back().emplace_back(px(x), py(y));
            else if (!segments.back().empty())
                segments.emplace_back();
        }
        for (const auto& segment : segments) {
            any_point = any_point || !segment.empty();
            svg.polyline(segment, {.color = s.colour, .width = 1.6});
            if (s.markers || segment.size() == 1)  // a lone point would otherwise be invisible
                for (const auto& [x, y] : segment) svg.circle(x, y, 2.2, s.colour);
        }
    }
    if (!any_point)
        svg.text((left + right) / 2.0, (top + bottom) / 2.0, "no data",
                 {.font_size = label_font_size, .anchor = "middle", .color = "#888888"});

    // ---- legend: one row under the title, so it never covers the data ----
    if (!has_legend) return;
    double legend_x = left;
    const double legend_y = box.top + title_font_size + 16.0;
    const TextStyle legend_style{.font_size = tick_font_size, .color = "#333333"};
    auto entry = [&](const std::string& label, const Stroke& swatch) {
        svg.line(legend_x, legend_y, legend_x + 18.0, legend_y, swatch);
        svg.text(legend_x + 22.0, legend_y + 0.35 * tick_font_size, label, legend_style);
        legend_x += 22.0 + estimated_text_width(label, tick_font_size) + 14.0;
    };
    for (const PanelSeries& s : series)
        if (!s.label.empty()) entry(s.label, {.color = s.colour, .width = 2.0});
    if (!marks.x.empty() && !marks.label.empty()) entry(marks.label, mark_stroke);
}

}  // namespace tapegrad::translate
