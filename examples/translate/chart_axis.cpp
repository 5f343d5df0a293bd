// Chart axes: linear 1-2-5 and logarithmic ticks, and the mapping from data to [0, 1].
#include "examples/translate/chart_axis.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "examples/translate/svg.h"

namespace tapegrad::translate {

double Axis::fraction(double value) const {
    if (log) return (std::log10(value) - std::log10(low)) / (std::log10(high) - std::log10(low));
    return (value - low) / (high - low);
}

Axis linear_axis(double low, double high, int max_ticks, double min_step) {
    const std::vector<double> probe = nice_ticks(low, high, max_ticks);
    const double step = std::max(probe.size() > 1 ? probe[1] - probe[0] : 1.0, min_step);
    Axis axis;
    if (low == high) {
        low -= step;
        high += step;
    }
    axis.low = std::floor(low / step + 1e-9) * step;
    axis.high = std::ceil(high / step - 1e-9) * step;
    for (double k = std::round(axis.low / step); k * step <= axis.high + 1e-9 * step; k += 1.0) {
        axis.ticks.push_back(k * step);
        axis.tick_labels.push_back(format_tick(k * step, step));
    }
    return axis;
}

Axis log_axis(double low, double high) {
    if (low == high) {
        low /= 2.0;
        high *= 2.0;
    }
    const int first_decade = static_cast<int>(std::floor(std::log10(low)));
    const int last_decade = static_cast<int>(std::ceil(std::log10(high)));
    const bool dense = last_decade - first_decade <= 3;
    std::vector<double> candidates;
    for (int decade = first_decade; decade <= last_decade; ++decade)
        for (double mantissa : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1})
            candidates.push_back(mantissa * std::pow(10.0, decade));
    Axis axis;
    axis.log = true;
    axis.low = *std::prev(std::upper_bound(candidates.begin(), candidates.end(), low * (1 + 1e-9)));
    axis.high = *std::lower_bound(candidates.begin(), candidates.end(), high * (1 - 1e-9));
    for (double tick : candidates) {
        if (tick < axis.low || tick > axis.high) continue;
        axis.ticks.push_back(tick);
        axis.tick_labels.push_back(fmt::format("{:g}", tick));
    }
    return axis;
}

double widest(const std::vector<std::string>& labels, double font_size) {
    double width = 0.0;
    for (const std::string& label : labels) width = std::max(width, estimated_text_width(label, font_size));
    return width;
}

}  // namespace tapegrad::translate
