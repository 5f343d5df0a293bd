// heads.svg: each attention head's normalised entropy over training, one small panel per kind × layer, so a
// learner watches heads specialise (their entropy falling from near 1, uniform, towards 0, one key).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "examples/translate/heads_log.h"

namespace tapegrad::translate {

struct HeadsPlotOptions {
    std::string title = "attention entropy per head over training";
    double panel_width = 330;   // pixels, per panel
    double panel_height = 210;  // pixels, per panel
};

// A grid of panels: a row per attention kind present (encoder self-attention, decoder masked self-attention,
// cross-attention), a column per layer; in each, one line per head (the same colour for head h in every
// panel, named once in the legend at the top) with a marker at each evaluation, on a fixed [0, 1] axis so
// panels compare at a glance. All panels share the step axis. With no series it draws "no data".
std::string heads_svg(const std::vector<HeadEntropySeries>& heads, const HeadsPlotOptions& options = {});

// heads_svg written to `path` atomically. Throws std::runtime_error naming the path on I/O failure.
void write_heads_svg(const std::filesystem::path& path, const std::vector<HeadEntropySeries>& heads,
                     const HeadsPlotOptions& options = {});

}  // namespace tapegrad::translate
