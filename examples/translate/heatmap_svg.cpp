// Attention heat-map SVG: a [target][source] grid coloured with viridis, token labels, colour bar, title.
#include "examples/translate/heatmap_svg.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/svg.h"

namespace tapegrad::translate {

namespace {

constexpr double margin = 16.0;
constexpr double title_font_size = 15.0;
constexpr double caption_font_size = 11.0;
constexpr double tick_font_size = 10.0;
constexpr double label_gap = 6.0;            // between a label and the grid
constexpr double colour_bar_gap = 20.0;      // between the grid and the colour bar
constexpr double colour_bar_width = 14.0;
constexpr double colour_bar_min_height = 120.0;
const double sin45 = std::sqrt(0.5);

void validate(const std::vector<std::string>& source_tokens, const std::vector<std::string>& target_tokens,
              const std::vector<std::vector<double>>& weights) {
    const std::size_t S = source_tokens.size();
    const std::size_t T = target_tokens.size();
    if (S == 0 || T == 0)
        throw std::invalid_argument(fmt::format(
            "attention_heatmap_svg: need at least one source and one target token, got S={} source and T={} target tokens",
            S, T));
    if (weights.size() != T)
        throw std::invalid_argument(fmt::format(
            "attention_heatmap_svg: weights must be [target][source] = [{}][{}], got {} rows", T, S, weights.size()));
    for (std::size_t t = 0; t < T; ++t) {
        if (weights[t].size() != S)
            throw std::invalid_argument(fmt::format(
                "attention_heatmap_svg: weights must be [target][source] = [{}][{}], but row {} has {} columns", T, S, t,
                weights[t].size()));
        for (std::size_t s = 0; s < S; ++s)
            if (!std::isfinite(weights[t][s]) || weights[t][s] < 0.0)
                throw std::invalid_argument(fmt::format(
                    "attention_heatmap_svg: weights must be finite and non-negative, got weights[{}][{}] = {}", t, s,
                    weights[t][s]));
    }
}

double widest(const std::vector<std::string>& labels, double font_size) {
    double width = 0.0;
    for (const std::string& label : labels) width = std::max(width, estimated_text_width(label, font_size));
    return width;
}

}  // namespace

std::string token_display_label(const std::string& token, std::size_t max_code_points) {
    if (token.empty()) return "\u2205";  // ∅
    if (token == " ") return "\u2423";   // ␣
    if (utf8_length(token) <= max_code_points) return token;
    // Cut at a code point boundary: skip continuation bytes (10xxxxxx) when counting.
    std::size_t code_points = 0, byte = 0;
    for (; byte < token.size(); ++byte) {
        if ((static_cast<unsigned char>(token[byte]) & 0xC0) != 0x80 && code_points++ == max_code_points - 1) break;
    }
    return token.substr(0, byte) + "\u2026";  // …
}

std::string attention_heatmap_svg(const std::vector<std::string>& source_tokens,
                                  const std::vector<std::string>& target_tokens,
                                  const std::vector<std::vector<double>>& weights, const std::string& title) {
    validate(source_tokens, target_tokens, weights);
    const std::size_t S = source_tokens.size();
    const std::size_t T = target_tokens.size();

    std::vector<std::string> source_labels, target_labels;
    for (const std::string& token : source_tokens) source_labels.push_back(token_display_label(token));
    for (const std::string& token : target_tokens) target_labels.push_back(token_display_label(token));

    // ---- layout ----
    const double cell = std::clamp(std::floor(600.0 / static_cast<double>(std::max(S, T))), 14.0, 40.0);
    const double label_font_size = std::clamp(std::round(cell * 0.5), 9.0, 14.0);
    const double source_label_width = widest(source_labels, label_font_size);
    // Labels that fit inside their column stay horizontal; longer ones rise at −45°, where neighbours sit
    // cell·sin45 apart, which the font size (≤ cell/2) clears.
    const bool rotate_source_labels = source_label_width > cell - 4.0;
    const std::string source_caption = "source \u2192";  // →
    const std::string target_caption = "target \u2193";  // ↓
    const double caption_width = estimated_text_width(source_caption, caption_font_size);

    const double left_width = std::max(widest(target_labels, label_font_size), caption_width) + label_gap;
    const double label_band =
        rotate_source_labels ? source_label_width * sin45 + label_font_size : label_font_size + 2.0;
    const double top_band = std::max(label_band, 2.0 * caption_font_size + 12.0) + label_gap;
    // A rotated label of the last column overhangs the grid's right edge by about its width·cos45.
    const double rotated_overhang =
        rotate_source_labels ? std::max(0.0, source_label_width * sin45 - cell / 2.0 + label_font_size) : 0.0;

    const double value_max = [&] {
        double m = 0.0;
        for (const auto& row : weights) m = std::max(m, *std::max_element(row.begin(), row.end()));
        return m > 0.0 ? m : 1.0;  // an all-zero matrix still gets a sensible scale
    }();
    const std::vector<double> bar_ticks = nice_ticks(0.0, value_max, 5);
    const double bar_tick_step = bar_ticks.size() > 1 ? bar_ticks[1] - bar_ticks[0] : value_max;
    double bar_label_width = estimated_text_width(format_tick(value_max, bar_tick_step / 10.0), tick_font_size);
    for (double tick : bar_ticks)
        bar_label_width = std::max(bar_label_width, estimated_text_width(format_tick(tick, bar_tick_step), tick_font_size));
    const double bar_band = colour_bar_gap + colour_bar_width + 5.0 + bar_label_width + 8.0 + tick_font_size + 4.0;

    // Whole pixels, so that cell edges fall on pixel boundaries and renderers draw no anti-aliased seams.
    const double grid_left = std::ceil(margin + left_width);
    const double grid_top = std::ceil(margin + title_font_size + 10.0 + top_band);
    const double grid_width = cell * static_cast<double>(S);
    const double grid_height = cell * static_cast<double>(T);
    const double bar_height = std::max(grid_height, colour_bar_min_height);
    const double width = std::max(grid_left + grid_width + std::max(bar_band, rotated_overhang) + margin,
                                  2.0 * margin + estimated_text_width(title, title_font_size) * 1.05);
    const double height = grid_top + std::max(grid_height, bar_height) + margin;

    SvgWriter svg(width, height);
    svg.text(margin, margin + title_font_size, title, {.font_size = title_font_size, .bold = true});

    // Corner captions say which axis is which.
    const TextStyle caption_style{.font_size = caption_font_size, .anchor = "end", .color = "#666666"};
    svg.text(grid_left - label_gap, grid_top - label_gap - caption_font_size - 4.0, source_caption, caption_style);
    svg.text(grid_left - label_gap, grid_top - label_gap, target_caption, caption_style);

    // ---- cells: one <rect class="cell"> per (target, source), a 1 px white gap when cells are roomy ----
    const double gap = cell >= 20.0 ? 1.0 : 0.0;
    for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t s = 0; s < S; ++s) {
            const double weight = weights[t][s];
            const std::string tooltip =
                fmt::format("{} \u2190 {}: {:.3f}", target_labels[t], source_labels[s], weight);  // ←
            svg.rect(grid_left + cell * static_cast<double>(s), grid_top + cell * static_cast<double>(t), cell - gap,
                     cell - gap, viridis(weight / value_max).hex(), "cell", tooltip);
        }
    }

    // ---- labels ----
    const double baseline_shift = 0.35 * label_font_size;  // puts the x-height centre on the row centre
    for (std::size_t s = 0; s < S; ++s) {
        const double column_centre = grid_left + cell * (static_cast<double>(s) + 0.5) - gap / 2.0;
        if (rotate_source_labels)
            svg.text(column_centre - baseline_shift, grid_top - label_gap, source_labels[s],
                     {.font_size = label_font_size, .rotate_degrees = -45.0});
        else
            svg.text(column_centre, grid_top - label_gap, source_labels[s],
                     {.font_size = label_font_size, .anchor = "middle"});
    }
    for (std::size_t t = 0; t < T; ++t) {
        const double row_centre = grid_top + cell * (static_cast<double>(t) + 0.5) - gap / 2.0;
        svg.text(grid_left - label_gap, row_centre + baseline_shift, target_labels[t],
                 {.font_size = label_font_size, .anchor = "end"});
    }

    // ---- colour bar: the gradient runs 0 (bottom) to value_max (top), ticks on its right ----
    const double bar_left = grid_left + grid_width + colour_bar_gap;
    std::vector<std::pair<double, std::string>> stops;
    for (int i = 0; i <= 8; ++i) stops.emplace_back(i / 8.0, viridis(i / 8.0).hex());
    svg.vertical_gradient("colour-scale", stops);
    const Stroke outline{.color = "#999999", .width = 0.5};
    svg.rect(bar_left, grid_top, colour_bar_width, bar_height, "url(#colour-scale)", "colour-bar", {}, &outline);
    for (double tick : bar_ticks) {
        const double y = grid_top + bar_height * (1.0 - tick / value_max);
        svg.line(bar_left + colour_bar_width, y, bar_left + colour_bar_width + 3.0, y, {.color = "#666666"});
        svg.text(bar_left + colour_bar_width + 5.0, y + 0.35 * tick_font_size, format_tick(tick, bar_tick_step),
                 {.font_size = tick_font_size, .color = "#444444"});
    }
    // Label the maximum too when the highest tick is well below it, so the scale's end is readable.
    if ((1.0 - bar_ticks.back() / value_max) * bar_height >= 1.4 * tick_font_size)
        svg.text(bar_left + colour_bar_width + 5.0, grid_top + 0.35 * tick_font_size,
                 format_tick(value_max, bar_tick_step / 10.0), {.font_size = tick_font_size, .color = "#444444"});
    const double bar_caption_x = bar_left + colour_bar_width + 5.0 + bar_label_width + 8.0 + tick_font_size * 0.8;
    svg.text(bar_caption_x, grid_top + bar_height / 2.0, "attention weight",
             {.font_size = tick_font_size, .anchor = "middle", .color = "#666666", .rotate_degrees = -90.0});

    return svg.str();
}

void write_attention_heatmap(const std::filesystem::path& path, const std::vector<std::string>& source_tokens,
                             const std::vector<std::string>& target_tokens,
                             const std::vector<std::vector<double>>& weights, const std::string& title) {
    write_file_atomically(path, attention_heatmap_svg(source_tokens, target_tokens, weights, title));
}

}  // namespace tapegrad::translate
