// heads.svg: a kind × layer grid of small panels, one entropy line per head.
#include "examples/translate/heads_svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/line_chart_panel.h"

namespace tapegrad::translate {
namespace {

constexpr double margin = 16.0;
constexpr double header_height = 64.0;  // title, subtitle and the head legend

std::string kind_title(nn::AttentionKind kind) {
    switch (kind) {
        case nn::AttentionKind::encoder_self: return "encoder self-attention";
        case nn::AttentionKind::decoder_self: return "decoder masked self-attention";
        case nn::AttentionKind::cross: return "cross-attention";
    }
    return "attention";
}

}  // namespace

std::string heads_svg(const std::vector<HeadEntropySeries>& heads, const HeadsPlotOptions& options) {
    std::vector<nn::AttentionKind> kinds;
    for (nn::AttentionKind kind : {nn::AttentionKind::encoder_self, nn::AttentionKind::decoder_self, nn::AttentionKind::cross})
        if (std::any_of(heads.begin(), heads.end(), [&](const auto& s) { return s.kind == kind; })) kinds.push_back(kind);
    int64_t layers = 0, head_count = 0;
    double x_low = INFINITY, x_high = -INFINITY;
    for (const HeadEntropySeries& s : heads) {
        layers = std::max(layers, s.layer + 1);
        head_count = std::max(head_count, s.head + 1);
        for (const auto& [step, entropy] : s.entropy) x_low = std::min(x_low, step), x_high = std::max(x_high, step);
    }
    if (!(x_low <= x_high)) x_low = 0, x_high = 1;

    const auto columns = static_cast<double>(std::max<int64_t>(layers, 1));
    const auto rows = static_cast<double>(std::max<std::size_t>(kinds.size(), 1));
    const double width = 2 * margin + columns * options.panel_width;
    SvgWriter svg(std::max(width, 420.0), 2 * margin + header_height + rows * options.panel_height);
    svg.text(margin, margin + 15.0, options.title, {.font_size = 15.0, .bold = true});
    svg.text(margin, margin + 33.0,
             "normalised entropy on a fixed probe batch: 1 = weight spread evenly over the visible keys, 0 = all on one key",
             {.font_size = 11.0, .color = "#444444"});
    if (heads.empty()) {
        svg.text(margin, margin + header_height + 40.0, "no data", {.font_size = 12.0, .color = "#888888"});
        return svg.str();
    }
    // The legend: head h has the same colour in every panel.
    double legend_x = margin;
    const double legend_y = margin + 52.0;
    for (int64_t h = 0; h < head_count; ++h) {
        const std::string label = fmt::format("head {}", h);
        svg.line(legend_x, legend_y, legend_x + 18.0, legend_y, {.color = series_colour(static_cast<std::size_t>(h)), .width = 2.0});
        svg.text(legend_x + 22.0, legend_y + 3.5, label, {.font_size = 10.0, .color = "#333333"});
        legend_x += 22.0 + estimated_text_width(label, 10.0) + 14.0;
    }

    for (std::size_t k = 0; k < kinds.size(); ++k)
        for (int64_t layer = 0; layer < layers; ++layer) {
            std::vector<PanelSeries> lines;
            for (const HeadEntropySeries& s : heads)
                if (s.kind == kinds[k] && s.layer == layer)
                    lines.push_back({.label = "", .points = s.entropy,
                                     .colour = series_colour(static_cast<std::size_t>(s.head)), .markers = true});
            if (lines.empty()) continue;
            const PanelBox box{.left = margin + static_cast<double>(layer) * options.panel_width,
                               .top = margin + header_height + static_cast<double>(k) * options.panel_height,
                               .width = options.panel_width - 10.0, .height = options.panel_height - 12.0};
            draw_line_panel(svg, box, lines, {},
                            {.title = fmt::format("{}, layer {}", kind_title(kinds[k]), layer), .y_label = "entropy",
                             .y_range = std::pair{0.0, 1.0}, .x_range = {x_low, x_high}, .legend = false,
                             .y_tick_room = 26.0});
        }
    return svg.str();
}

void write_heads_svg(const std::filesystem::path& path, const std::vector<HeadEntropySeries>& heads,
                     const HeadsPlotOptions& options) {
    write_file_atomically(path, heads_svg(heads, options));
}

}  // namespace tapegrad::translate
