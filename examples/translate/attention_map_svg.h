// One attention heat map as an inline <svg> element for the explain page: cells coloured by weight on an
// absolute 0..1 scale, tokens on both axes, the blocked future of a causal map hatched and marked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tapegrad::translate {

// The geometry every map of one kind shares, so that a kind's layers and heads line up cell for cell.
// Each axis on its own: a cell is kMapSide / (tokens on that axis) wide (or high), kept within
// [kMinCell, kMaxCell], so every map is about kMapSide square whatever T and S — a short target against a
// long source gets tall, narrow cells — and past kMinCell the page scrolls a map instead of shrinking it.
// Labels use one readable font size; where cells are closer than kLinePitch only every k-th token on
// that axis is labelled (the hover tooltip still names every token).
struct AttentionMapLayout {
    static constexpr double kMapSide = 200.0;  // px: the grid's target width and height
    static constexpr double kMinCell = 5.0;    // px: below this a cell is too small to point at
    static constexpr double kMaxCell = 22.0;   // px: short sequences need not fill the whole side
    static constexpr double kFontSize = 10.0;  // px: token labels
    static constexpr double kLinePitch = 8.0;  // px: the least spacing at which neighbouring labels do not collide
    static constexpr double kMinScale = 0.6;   // a page fitting maps to its width may shrink them this far, no further

    double cell_width = kMaxCell;   // key axis
    double cell_height = kMaxCell;  // query axis
    int64_t key_stride = 1;         // label keys 0, k, 2k, ...
    int64_t query_stride = 1;       // label queries 0, k, 2k, ...
};

// The layout for maps of T queries × S keys.
AttentionMapLayout attention_map_layout(int64_t queries, int64_t keys);

// What the axes show.
struct AttentionMapAxes {
    std::vector<std::string> query_tokens;    // T labels down the left: the token at each query position
    std::vector<std::string> written_tokens;  // T labels further left, or empty: the token each decoder
                                              // position writes (its query reads query_tokens[t])
    std::vector<std::string> key_tokens;      // S labels across the top: the token at each key position
    bool label_query_tokens = true;           // false: rows show written_tokens alone (cross-attention, where
                                              // what a row writes is what a reader looks for)
};

// weights [T][S], each in [0, 1]. With `causal`, cells with s > t are the blocked future: drawn hatched
// (the page defines the pattern "blocked-hatch") with class "cell blocked" and no weight, whatever the
// matrix holds there. Every other cell is <rect class="cell" ... data-w="0.123">, coloured viridis(w).
// The root <svg class="attention-map"> carries data-cell-width, data-cell-height, data-left and data-top (the
// grid's origin) so a script can map a pointer position to (t, s), and a min-width of kMinScale × its width, so that a page that
// scales maps down to fit never makes them unreadable (it scrolls instead). Decoder rows show
// "written ← read"; labels are escaped; BPE's end-of-word "</w>" shows as ▁.
// Throws std::invalid_argument naming what does not fit [T][S] (T, S from the axes), or a weight outside
// [0, 1] (beyond 1e-6) or non-finite with its position.
std::string attention_map_svg(const AttentionMapAxes& axes, const std::vector<std::vector<double>>& weights,
                              bool causal, const AttentionMapLayout& layout);

// A token as a label: "</w>" → "▁", then token_display_label (␣ for a space, ∅ for empty, … past 12).
std::string attention_map_token_label(const std::string& token);

}  // namespace tapegrad::translate
