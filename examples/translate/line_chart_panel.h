// One framed line chart — a panel — drawn into part of an SVG, so that a plot can stack or tile several
// over one shared step axis (health.svg, heads.svg): series as lines, dashed horizontal reference lines,
// dashed vertical marks at chosen steps, a legend row, 1-2-5 or log ticks.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "examples/translate/loss_curve_svg.h"
#include "examples/translate/svg.h"

namespace tapegrad::translate {

struct PanelSeries {
    std::string label;      // legend entry; empty: not in the legend
    // (step, value) in increasing step. A point that cannot be drawn — not finite, or y <= 0 on a log axis —
    // breaks the line: one polyline per run of drawable points.
    CurveSeries points;
    std::string colour = "#1f77b4";
    bool markers = false;   // a dot at every point, for sparse series (one point per evaluation)
};

// A dashed horizontal line across the panel at y, labelled at its right end (a threshold, a rule of thumb).
struct PanelReference {
    double y = 0;
    std::string label;
    std::string colour = "#666666";
};

// Dashed vertical lines at these steps (e.g. steps with non-finite gradients), one legend entry for all.
struct PanelMarks {
    std::vector<double> x;
    std::string label;
    std::string colour = "#d62728";
};

// Where the panel goes: the whole of it, title, legend and tick labels included.
struct PanelBox {
    double left = 0;
    double top = 0;
    double width = 400;
    double height = 200;
};

struct PanelOptions {
    std::string title;            // bold, above the frame
    std::string y_label;          // beside the y axis ("(log scale)" is added on a log axis)
    std::string x_label = "step";
    bool log_y = false;
    // A fixed linear y range, e.g. {0, 1} for a fraction; unset: the data's range, references included.
    std::optional<std::pair<double, double>> y_range = std::nullopt;
    // The x range, the same for every panel of a plot so that they line up; ticks are whole steps.
    std::pair<double, double> x_range = {0, 1};
    bool legend = true;           // a row of the labelled series, references' labels stay on their lines
    double y_tick_room = 42;      // pixels left of the frame for y tick labels: equal in every panel, so frames align
};

// Draws the panel into `svg` within `box`. With nothing drawable it says "no data" in the frame.
void draw_line_panel(SvgWriter& svg, const PanelBox& box, const std::vector<PanelSeries>& series,
                     const std::vector<PanelReference>& references, const PanelOptions& options,
                     const PanelMarks& marks = {});

// Ten colours for series told apart by colour alone (matplotlib's tab10, in its order): series k uses
// series_colour(k % 10).
const std::string& series_colour(std::size_t index);

}  // namespace tapegrad::translate
