// One attention heat map for the explain page: cells, hatched blocked future, thinned token labels.
#include "examples/translate/attention_map_svg.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "examples/translate/heatmap_svg.h"
#include "examples/translate/svg.h"

namespace tapegrad::translate {

namespace {

constexpr double padding = 4.0;
constexpr double label_gap = 3.0;     // between a label and the grid
constexpr double column_gap = 10.0;   // between the "writes" and the "reads" label columns, room for "←"
constexpr double caption_size = 8.0;  // "writes" / "reads" above the row labels, when the columns are wide enough
constexpr std::size_t max_label_code_points = 12;

void validate(const AttentionMapAxes& axes, const std::vector<std::vector<double>>& weights) {
    const std::size_t T = axes.query_tokens.size(), S = axes.key_tokens.size();
    if (T == 0 || S == 0)
        throw std::invalid_argument(fmt::format(
            "attention_map_svg: need at least one query and one key token, got T={} and S={}", T, S));
    if (!axes.written_tokens.empty() && axes.written_tokens.size() != T)
        throw std::invalid_argument(fmt::format(
            "attention_map_svg: written_tokens must be empty or one per query (T={}), got {}", T,
            axes.written_tokens.size()));
    if (weights.size() != T)
        throw std::invalid_argument(fmt::format(
            "attention_map_svg: weights must be [T][S] = [{}][{}], got {} rows", T, S, weights.size()));
    for (std::size_t t = 0; t < T; ++t) {
        if (weights[t].size() != S)
            throw std::invalid_argument(fmt::format(
                "attention_map_svg: weights must be [T][S] = [{}][{}], but row {} has {} columns", T, S, t,
                weights[t].size()));
        for (std::size_t s = 0; s < S; ++s)
            if (!std::isfinite(weights[t][s]) || weights[t][s] < -1e-6 || weights[t][s] > 1.0 + 1e-6)
                throw std::invalid_argument(fmt::format(
                    "attention_map_svg: weights must lie in [0, 1], got weights[{}][{}] = {}", t, s, weights[t][s]));
    }
}

std::vector<std::string> labels_of(const std::vector<std::string>& tokens) {
    std::vector<std::string> labels;
    for (const std::string& token : tokens) labels.push_back(attention_map_token_label(token));
    return labels;
}

// The widest of the labels that are drawn (every stride-th), with 10% to spare: the estimate is an average
// advance, and labels such as "<bos>" are made of wider glyphs.
double widest_drawn(const std::vector<std::string>& labels, int64_t stride) {
    double width = 0.0;
    for (std::size_t i = 0; i < labels.size(); i += static_cast<std::size_t>(stride))
        width = std::max(width, estimated_text_width(labels[i], AttentionMapLayout::kFontSize));
    return 1.1 * width;
}

std::string text_element(double x, double y, const std::string& label, std::string_view css_class,
                         std::string_view anchor, double rotate = 0.0, double font_size = 0.0) {
    std::string out = fmt::format(R"(<text class="{}" x="{}" y="{}")", css_class, format_coordinate(x), format_coordinate(y));
    if (font_size > 0.0) out += fmt::format(R"( font-size="{}" fill="#777777")", format_coordinate(font_size));
    if (anchor != "start") out += fmt::format(R"( text-anchor="{}")", anchor);
    if (rotate != 0.0)
        out += fmt::format(R"svg( transform="rotate({} {} {})")svg", format_coordinate(rotate), format_coordinate(x),
                           format_coordinate(y));
    return out + fmt::format(R"( xml:space="preserve">{}</text>)", escape_xml(label)) + "\n";
}

}  // namespace

std::string attention_map_token_label(const std::string& token) {
    std::string label = token;
    const std::string end_of_word = "</w>";
    if (label.size() > end_of_word.size() && label.ends_with(end_of_word))
        label = label.substr(0, label.size() - end_of_word.size()) + "\u2581";  // ▁
    return token_display_label(label, max_label_code_points);
}

AttentionMapLayout attention_map_layout(int64_t queries, int64_t keys) {
    const auto cell_for = [](int64_t tokens) {
        return std::clamp(std::floor(AttentionMapLayout::kMapSide / static_cast<double>(std::max<int64_t>(tokens, 1))),
                          AttentionMapLayout::kMinCell, AttentionMapLayout::kMaxCell);
    };
    const auto stride_for = [](double cell) {
        return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(AttentionMapLayout::kLinePitch / cell)));
    };
    AttentionMapLayout layout;
    layout.cell_width = cell_for(keys);
    layout.cell_height = cell_for(queries);
    layout.key_stride = stride_for(layout.cell_width);
    layout.query_stride = stride_for(layout.cell_height);
    return layout;
}

std::string attention_map_svg(const AttentionMapAxes& axes, const std::vector<std::vector<double>>& weights,
                              bool causal, const AttentionMapLayout& layout) {
    validate(axes, weights);
    const std::size_t T = axes.query_tokens.size(), S = axes.key_tokens.size();
    const double cell_width = layout.cell_width, cell_height = layout.cell_height, font = AttentionMapLayout::kFontSize;
    const std::vector<std::string> query_labels = labels_of(axes.query_tokens), key_labels = labels_of(axes.key_tokens),
                                   written_labels = labels_of(axes.written_tokens);
    const bool with_written = !written_labels.empty();
    const bool with_read = axes.label_query_tokens || !with_written;

    // ---- layout: [written ←] [read] grid, key labels above ----
    // Key labels stand upright when each fits its column (single characters, mostly); otherwise they
    // turn −90° and read upwards, one per column.
    const double key_label_width = widest_drawn(key_labels, layout.key_stride);
    const bool vertical_keys = key_label_width > cell_width * static_cast<double>(layout.key_stride) - 1.0;
    const double top_band = (vertical_keys ? key_label_width : font) + label_gap + 2.0;
    const double reads_width = with_read ? widest_drawn(query_labels, layout.query_stride) : 0.0;
    const double writes_width =
        with_written ? widest_drawn(written_labels, layout.query_stride) + (with_read ? column_gap : 0.0) : 0.0;
    const bool captions = with_written && with_read && reads_width >= estimated_text_width("reads", caption_size) &&
                          writes_width - column_gap >= estimated_text_width("writes", caption_size);
    const double grid_left = std::ceil(padding + writes_width + reads_width + label_gap);
    const double grid_top = std::ceil(padding + top_band);
    const double grid_width = cell_width * static_cast<double>(S), grid_height = cell_height * static_cast<double>(T);
    const double width = grid_left + grid_width + padding;
    const double height = grid_top + grid_height + padding;

    std::string svg = fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" class="attention-map" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
        R"(font-size="{2}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" data-cell-width="{3}" data-cell-height="{4}" )"
        R"(data-left="{5}" data-top="{6}" data-rows="{7}" data-columns="{8}" style="min-width: {9}px">)"
        "\n",
        format_coordinate(width), format_coordinate(height), format_coordinate(font), format_coordinate(cell_width),
        format_coordinate(cell_height), format_coordinate(grid_left), format_coordinate(grid_top), T, S,
        format_coordinate(std::floor(width * AttentionMapLayout::kMinScale)));

    // ---- cells, row by row; a 1 px gap between roomy cells ----
    const double gap_x = cell_width >= 14.0 ? 1.0 : 0.0, gap_y = cell_height >= 14.0 ? 1.0 : 0.0;
    const std::string size = fmt::format(R"(width="{}" height="{}")", format_coordinate(cell_width - gap_x),
                                         format_coordinate(cell_height - gap_y));
    for (std::size_t t = 0; t < T; ++t) {
        const std::string y = format_coordinate(grid_top + cell_height * static_cast<double>(t));
        for (std::size_t s = 0; s < S; ++s) {
            const std::string x = format_coordinate(grid_left + cell_width * static_cast<double>(s));
            if (causal && s > t) {
                svg += fmt::format(R"svg(<rect class="cell blocked" x="{}" y="{}" {} fill="url(#blocked-hatch)"/>)svg", x, y, size);
            } else {
                const double w = std::clamp(weights[t][s], 0.0, 1.0);
                svg += fmt::format(R"(<rect class="cell" x="{}" y="{}" {} fill="{}" data-w="{:.3f}"/>)", x, y, size,
                                   viridis(w).hex(), w);
            }
        }
        svg += '\n';
    }
    svg += fmt::format(R"(<rect class="frame" x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#bbbbbb" stroke-width="0.5"/>)",
                       format_coordinate(grid_left - 0.5), format_coordinate(grid_top - 0.5),
                       format_coordinate(grid_width + 1.0 - gap_x), format_coordinate(grid_height + 1.0 - gap_y));
    svg += '\n';

    // ---- labels: every stride-th token; the baseline shift puts a glyph's middle on the row or column centre ----
    const double shift = 0.35 * font;
    for (std::size_t s = 0; s < S; s += static_cast<std::size_t>(layout.key_stride)) {
        const double centre = grid_left + cell_width * (static_cast<double>(s) + 0.5) - gap_x / 2.0;
        svg += vertical_keys ? text_element(centre + shift, grid_top - label_gap, key_labels[s], "tick key", "start", -90.0)
                             : text_element(centre, grid_top - label_gap, key_labels[s], "tick key", "middle");
    }
    const double reads_right = grid_left - label_gap;
    const double writes_right = with_read ? reads_right - reads_width - column_gap : reads_right;
    for (std::size_t t = 0; t < T; t += static_cast<std::size_t>(layout.query_stride)) {
        const double centre = grid_top + cell_height * (static_cast<double>(t) + 0.5) - gap_y / 2.0;
        if (with_read) svg += text_element(reads_right, centre + shift, query_labels[t], "tick query", "end");
        if (with_written) svg += text_element(writes_right, centre + shift, written_labels[t], "tick written", "end");
        if (with_written && with_read)
            svg += text_element(reads_right - reads_width - column_gap / 2.0, centre + shift, "\u2190", "arrow", "middle", 0.0,
                                caption_size);  // ←
    }
    if (captions) {
        svg += text_element(reads_right, grid_top - label_gap, "reads", "caption", "end", 0.0, caption_size);
        svg += text_element(writes_right, grid_top - label_gap, "writes", "caption", "end", 0.0, caption_size);
    }
    return svg + "</svg>";
}

}  // namespace tapegrad::translate
