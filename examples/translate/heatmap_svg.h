// Attention heat-maps as SVG: which source tokens each target token attended to.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tapegrad::translate {

// An SVG heat-map of one attention matrix (e.g. a cross-attention head, or the mean over heads):
//   source_tokens  S labels across the top (rotated −45° when they do not fit a cell's width)
//   target_tokens  T labels down the left side
//   weights        [T][S]: weights[t][s] is how much target position t attends to source position s;
//                  rows of a softmax sum to 1, but any finite non-negative matrix is accepted
//   title          drawn above the map
// Each cell is coloured with viridis(weight / max weight) and carries a hover tooltip with the exact value;
// a colour bar from 0 to the maximum weight sits on the right. Cell size shrinks as the matrix grows
// (40 px for short sequences down to 14 px), so a date or a short sentence stays legible and a 40-token one
// still fits a screen. A space token is shown as ␣ and an empty one as ∅, so that neither is invisible;
// labels longer than 24 characters are shortened with … (the tooltip keeps the full token).
// Throws std::invalid_argument naming the expected [T][S] and what was given (row count, a row's length,
// or the position and value of a negative or non-finite weight), or when either token list is empty.
std::string attention_heatmap_svg(const std::vector<std::string>& source_tokens,
                                  const std::vector<std::string>& target_tokens,
                                  const std::vector<std::vector<double>>& weights, const std::string& title);

// What a token looks like as a label: a space token as ␣ and an empty one as ∅, so that neither is
// invisible, and a token longer than `max_code_points` cut there and ended with … (valid UTF-8 stays valid).
std::string token_display_label(const std::string& token, std::size_t max_code_points = 24);

// attention_heatmap_svg written to `path` atomically (temporary file + rename): a crash never leaves half
// a picture. Throws like attention_heatmap_svg, or std::runtime_error naming the path on I/O failure.
void write_attention_heatmap(const std::filesystem::path& path, const std::vector<std::string>& source_tokens,
                             const std::vector<std::string>& target_tokens,
                             const std::vector<std::vector<double>>& weights, const std::string& title);

}  // namespace tapegrad::translate
