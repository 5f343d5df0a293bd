// The explain page: one self-contained HTML file (inline SVG and CSS, a little JavaScript for hover and
// zoom, nothing fetched) that shows a translation and every attention weight the model used for it —
// encoder self-attention, decoder masked self-attention and cross-attention, each as a grid of layer ×
// head heat maps plus each layer's mean over heads — with per-head statistics and their plain words.
// It takes a plain ExplainReport, so it is testable without a model (explain_report.h fills one from a
// checkpoint).
#pragma once

#include <string>
#include <vector>

#include "examples/translate/attention_map_svg.h"
#include "nn/head_statistics.h"

namespace tapegrad::translate {

using AttentionMatrix = std::vector<std::vector<double>>;  // [T][S]

// One kind of attention across the model.
struct KindAttention {
    nn::AttentionKind kind = nn::AttentionKind::encoder_self;
    AttentionMapAxes axes;                        // the same tokens for every layer and head of the kind
    std::vector<std::vector<AttentionMatrix>> weights{};  // [layer][head] -> [T][S], rows summing to 1
};

struct ExplainReport {
    std::string sentence;      // the source as given
    std::string translation;   // the greedy output, detokenized
    std::string model;         // one line: layers, heads, sizes, tokenizer, training steps
    std::string checkpoint;    // where the model came from
    std::string tokenizer;     // "char", "word" or "bpe"
    std::vector<KindAttention> kinds{};  // encoder_self, decoder_self, cross (in this order)
};

// The statistics of every head, in page order: kind, then layer, then head. The decoder's self-attention
// is causal; no key is EOS (the source carries none, and the decoder reads BOS and its own output).
std::vector<nn::HeadStatistics> explain_statistics(const ExplainReport& report);

// explain_statistics as CSV: nn::head_statistics_csv_header(), then one row per head.
std::string explain_statistics_csv(const ExplainReport& report);

// The page. Every heat map is a <figure class="map" data-kind="…" data-layer="L" data-head="h|mean">
// holding one attention_map_svg; blocked cells carry class "cell blocked". Throws std::invalid_argument
// naming the kind, layer and head of a matrix that does not match its axes, or when a kind is missing,
// repeated or has layers with different head counts.
std::string explain_page_html(const ExplainReport& report);

}  // namespace tapegrad::translate
