// Chart axes for the translate example's plots: a data range mapped onto [0, 1], with 1-2-5 ticks on a
// linear axis and 1, 2, 5 × 10^k ticks on a logarithmic one.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::translate {

// One axis: its data-space domain, where ticks go and how they read, and whether it is logarithmic.
struct Axis {
    double low = 0.0;
    double high = 1.0;
    bool log = false;
    std::vector<double> ticks;
    std::vector<std::string> tick_labels;

    // Position of `value` in [0, 1] along the axis.
    double fraction(double value) const;
};

// A linear axis over [low, high] widened to the enclosing 1-2-5 ticks, so the frame starts and ends on a
// tick; at most about max_ticks ticks. `min_step` keeps ticks off fractional values of an integer quantity
// (steps of a three-step run: 1, 2, 3). A degenerate range (low == high) is widened by one step either side.
Axis linear_axis(double low, double high, int max_ticks, double min_step = 0.0);

// A log axis over [low, high] (both > 0): ticks at 1, 2, 5 × 10^k when the data spans at most three decades,
// at 10^k only beyond that; the domain widens to the nearest tick on each side.
Axis log_axis(double low, double high);

// The widest of `labels` in a sans-serif font of `font_size` (estimated_text_width): room to leave for them.
double widest(const std::vector<std::string>& labels, double font_size);

}  // namespace tapegrad::translate
