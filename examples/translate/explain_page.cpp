// The explain page: header, legend, the three kinds of attention as layer × head grids, statistics, definitions.
#include "examples/translate/explain_page.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "examples/translate/explain_page_assets.h"
#include "examples/translate/svg.h"

namespace tapegrad::translate {

namespace {

using nn::AttentionKind;

std::string title_of(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::encoder_self: return "Encoder self-attention";
        case AttentionKind::decoder_self: return "Decoder masked self-attention";
        case AttentionKind::cross: return "Cross-attention";
    }
    return "?";
}

// Where Q, K and V come from, in the lecture's words.
std::string where_of(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::encoder_self:
            return "<b>Q, K and V all come from the source sentence</b> (the previous encoder layer). No mask: "
                   "every query sees every key, before and after it.";
        case AttentionKind::decoder_self:
            return "<b>Q, K and V all come from the translation so far</b> (BOS and the tokens already written). "
                   "The causal mask hides the future: position t sees positions 0..t only. The hatched cells are "
                   "blocked \u2014 not weights the model chose to make 0, but pairs it is never allowed to score.";
        case AttentionKind::cross:
            return "<b>Q comes from the decoder</b> (the translation so far), <b>K and V from the encoder\u2019s "
                   "output</b>, the memory of the source sentence. No causal mask: the whole source is known. "
                   "Each row shows where in the source the model looked to write that row\u2019s token.";
    }
    return "";
}

std::string axes_of(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::encoder_self:
            return "rows: the source token asking (its query); columns: the source token answering (its key and value)";
        case AttentionKind::decoder_self:
            return "rows: decoder positions, labelled <span style=\"color:#1f5fa8\">written</span> \u2190 read (the query "
                   "comes from the token read); columns: the tokens read so far (keys and values)";
        case AttentionKind::cross:
            return "rows: the <span style=\"color:#1f5fa8\">token being written</span> (its query comes from the decoder "
                   "position that reads the token before it); columns: the source tokens (keys and values)";
    }
    return "";
}

void validate(const ExplainReport& report) {
    const AttentionKind expected[] = {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross};
    if (report.kinds.size() != 3)
        throw std::invalid_argument(fmt::format(
            "explain_page: need the three kinds encoder_self, decoder_self, cross, got {} kinds", report.kinds.size()));
    for (std::size_t k = 0; k < 3; ++k) {
        const KindAttention& kind = report.kinds[k];
        const std::string name(nn::attention_kind_name(kind.kind));
        if (kind.kind != expected[k])
            throw std::invalid_argument(fmt::format("explain_page: kind {} must be {}, got {}", k,
                                                    nn::attention_kind_name(expected[k]), name));
        if (kind.weights.empty() || kind.weights[0].empty())
            throw std::invalid_argument(fmt::format("explain_page: {} has no layers or no heads", name));
        const std::size_t T = kind.axes.query_tokens.size(), S = kind.axes.key_tokens.size();
        for (std::size_t layer = 0; layer < kind.weights.size(); ++layer) {
            if (kind.weights[layer].size() != kind.weights[0].size())
                throw std::invalid_argument(fmt::format("explain_page: {} layer {} has {} heads, layer 0 has {}", name,
                                                        layer, kind.weights[layer].size(), kind.weights[0].size()));
            for (std::size_t head = 0; head < kind.weights[layer].size(); ++head) {
                const AttentionMatrix& w = kind.weights[layer][head];
                bool fits = w.size() == T;
                for (const auto& row : w) fits = fits && row.size() == S;
                if (!fits)
                    throw std::invalid_argument(fmt::format(
                        "explain_page: {} layer {} head {}: weights must be [T][S] = [{}][{}] (the axes' tokens), got {} "
                        "rows of {} columns",
                        name, layer, head, T, S, w.size(), w.empty() ? 0 : w[0].size()));
            }
        }
    }
}

AttentionMatrix mean_of_heads(const std::vector<AttentionMatrix>& heads) {
    AttentionMatrix mean = heads[0];
    for (std::size_t h = 1; h < heads.size(); ++h)
        for (std::size_t t = 0; t < mean.size(); ++t)
            for (std::size_t s = 0; s < mean[t].size(); ++s) mean[t][s] += heads[h][t][s];
    for (auto& row : mean)
        for (double& w : row) w /= static_cast<double>(heads.size());
    return mean;
}

std::string number(double value, int decimals = 2) {
    return std::isnan(value) ? std::string("\u2014") : fmt::format("{:.{}f}", value, decimals);
}

std::string figure(const KindAttention& kind, std::size_t layer, const std::string& head, const AttentionMatrix& weights,
                   const std::string& description, const AttentionMapLayout& layout) {
    const std::string name(nn::attention_kind_name(kind.kind));
    const std::string head_words = head == "mean" ? "mean of heads" : "head " + head;
    return fmt::format(
        R"(<figure class="map{}" id="map-{}-{}-{}" data-kind="{}" data-layer="{}" data-head="{}" aria-label="{}">)"
        "\n<div class=\"scroll\">{}</div>\n<figcaption>{}</figcaption></figure>\n",
        head == "mean" ? " mean" : "", name, layer, head, name, layer, head,
        escape_xml(fmt::format("{}, layer {}, {}: {}", title_of(kind.kind), layer, head_words, description)),
        attention_map_svg(kind.axes, weights, kind.kind == AttentionKind::decoder_self, layout), escape_xml(description));
}

// One kind: heading, where Q/K/V come from, then a grid with a column per layer and a row per head, the
// mean of the heads in the last row.
std::string kind_section(const KindAttention& kind, const std::vector<nn::HeadStatistics>& statistics) {
    const std::string name(nn::attention_kind_name(kind.kind));
    const std::size_t layers = kind.weights.size(), heads = kind.weights[0].size();
    const AttentionMapLayout layout = attention_map_layout(static_cast<int64_t>(kind.axes.query_tokens.size()),
                                                           static_cast<int64_t>(kind.axes.key_tokens.size()));
    std::string out = fmt::format(R"(<section class="kind" id="kind-{0}" data-kind="{0}">)", name);
    out += fmt::format("\n<h2>{}</h2>\n<p class=\"where\">{}</p>\n<p class=\"axes\">{} (T = {}, S = {})</p>\n",
                       title_of(kind.kind), where_of(kind.kind), axes_of(kind.kind), kind.axes.query_tokens.size(),
                       kind.axes.key_tokens.size());
    out += fmt::format(R"(<div class="grid" style="--layers: {}">)", layers);
    out += "\n<div></div>";
    for (std::size_t layer = 0; layer < layers; ++layer) out += fmt::format(R"(<div class="heading">layer {}</div>)", layer);
    out += '\n';
    for (std::size_t head = 0; head < heads; ++head) {
        out += fmt::format(R"(<div class="row-heading">head {}</div>)", head);
        for (std::size_t layer = 0; layer < layers; ++layer) {
            const nn::HeadStatistics* found = nullptr;
            for (const auto& s : statistics)
                if (s.kind == kind.kind && s.layer == static_cast<int64_t>(layer) && s.head == static_cast<int64_t>(head))
                    found = &s;
            out += figure(kind, layer, std::to_string(head), kind.weights[layer][head],
                          found ? nn::describe_head(*found) : "", layout);
        }
    }
    out += R"(<div class="row-heading mean-heading">mean of heads</div>)";
    for (std::size_t layer = 0; layer < layers; ++layer)
        out += figure(kind, layer, "mean", mean_of_heads(kind.weights[layer]),
                      fmt::format("the {} heads averaged: what layer {} gathers as a whole", heads, layer), layout);
    return out + "</div>\n</section>\n";
}

std::string token_chips(const std::vector<std::string>& tokens) {
    std::string out;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        out += fmt::format(R"(<span class="token">{}<sub>{}</sub></span>)", escape_xml(attention_map_token_label(tokens[i])), i);
    return out;
}

std::string statistics_table(const std::vector<nn::HeadStatistics>& statistics) {
    bool any_eos = false;
    for (const auto& s : statistics) any_eos = any_eos || !std::isnan(s.weight_on_eos);
    std::string out = "<table class=\"statistics\">\n<tr><th>kind</th><th>layer</th><th>head</th><th>what it does</th>"
                      "<th>entropy</th><th>mean distance</th><th>same</th><th>previous</th><th>next</th><th>first</th>";
    out += any_eos ? "<th>EOS</th>" : "";
    out += "<th>monotonicity</th></tr>\n";
    for (const auto& s : statistics) {
        const std::string name(nn::attention_kind_name(s.kind));
        out += fmt::format(
            R"(<tr class="head-row" data-kind="{0}" data-layer="{1}" data-head="{2}" data-map="map-{0}-{1}-{2}">)", name,
            s.layer, s.head);
        out += fmt::format(
            "<td class=\"kind-name\">{}</td><td>{}</td><td>{}</td><td class=\"words\">{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            title_of(s.kind), s.layer, s.head, escape_xml(nn::describe_head(s)), number(s.entropy),
            number(s.mean_distance, 1), number(s.weight_on_same), number(s.weight_on_previous), number(s.weight_on_next),
            number(s.weight_on_first));
        if (any_eos) out += fmt::format("<td>{}</td>", number(s.weight_on_eos));
        out += fmt::format("<td>{}</td></tr>\n", number(s.monotonicity));
    }
    out += "</table>\n";
    if (!any_eos)
        out += "<p class=\"muted\">No column for the weight on EOS: no key here is EOS (the source carries none, and "
               "the decoder reads BOS and its own output, never EOS).</p>\n";
    return out;
}

std::string definitions() {
    return fmt::format(
        R"(<dl class="definitions">
<dt>entropy</dt><dd>Of each query row, over the keys it may see (n of them): &#8722;&#931; w log w / log n. 0: all the weight on one key; 1: spread evenly. n<sup>entropy</sup> is the number of keys the row effectively reads. Rows that may see a single key (the decoder&#8217;s first position) have no choice to make and are left out of every mean.</dd>
<dt>mean distance</dt><dd>&#931; w &#183; |t &#8722; s|: how far, in positions, a query looks on average (self-attention only).</dd>
<dt>same, previous, next, first</dt><dd>The mean weight on the query&#8217;s own position, the one before it, the one after it (the encoder only: the decoder may not see it), and the first token (BOS in the decoder).</dd>
<dt>monotonicity</dt><dd>Cross-attention only: Spearman&#8217;s rank correlation between the target position and the expected source position &#931; w &#183; s. +1: the translation reads the source left to right; &#8722;1: right to left; near 0: in no order.</dd>
<dt>the words</dt><dd>The first rule that holds: (1) at least {:.0f}% of the weight on one fixed place (same, previous, next, first, EOS) &#8594; &#8220;looks at &#8230;&#8221;; (2) entropy &#8805; {:.2f} &#8594; &#8220;diffuse&#8221;; (3) cross-attention with |monotonicity| &#8805; {:.2f} &#8594; &#8220;aligns to the source&#8221;; (4) self-attention with mean distance &#8804; {:.1f} &#8594; &#8220;looks at its neighbours&#8221;; (5) entropy &#8804; {:.2f} &#8594; &#8220;sharp&#8221; (for cross-attention &#8220;mostly left to right&#8221; when monotonicity &#8805; {:.1f}, &#8220;out of order&#8221; when it is between &#177;{:.1f}); (6) otherwise &#8220;mixes several keys&#8221;. The thresholds are the named constants of <code>nn/head_statistics.h</code>.</dd>
</dl>
)",
        100.0 * nn::kPositionalMinWeight, nn::kDiffuseMinEntropy, nn::kAlignedMinMonotonicity, nn::kLocalMaxDistance,
        nn::kSharpMaxEntropy, nn::kMostlyOrderedMonotonicity, nn::kMostlyOrderedMonotonicity);
}

// A 0..1 viridis scale and the blocked swatch, plus the patterns every map refers to.
std::string legend_graphics() {
    std::string stops;
    for (int i = 0; i <= 8; ++i)
        stops += fmt::format(R"(<stop offset="{}" stop-color="{}"/>)", format_coordinate(i / 8.0), viridis(i / 8.0).hex());
    return fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="300" height="34" font-size="10" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">)"
        R"(<defs><linearGradient id="colour-scale" x1="0" y1="0" x2="1" y2="0">{}</linearGradient>)"
        R"~(<pattern id="blocked-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">)~"
        R"(<rect width="4" height="4" fill="#e4e4e4"/><line x1="0" y1="0" x2="0" y2="4" stroke="#a8a8a8" stroke-width="1.6"/></pattern></defs>)"
        R"~(<rect x="0" y="2" width="160" height="14" fill="url(#colour-scale)" stroke="#999" stroke-width="0.5"/>)~"
        R"(<text x="0" y="29">0</text><text x="80" y="29" text-anchor="middle">0.5</text><text x="160" y="29" text-anchor="end">1</text>)"
        R"~(<rect x="190" y="2" width="14" height="14" fill="url(#blocked-hatch)" stroke="#999" stroke-width="0.5"/>)~"
        R"(<text x="210" y="13">blocked</text></svg>)",
        stops);
}

std::string tokens_json(const ExplainReport& report) {
    nlohmann::json json;
    for (const KindAttention& kind : report.kinds) {
        nlohmann::json entry{{"title", title_of(kind.kind)}};
        for (auto [key, tokens] : {std::pair{"queries", &kind.axes.query_tokens}, std::pair{"written", &kind.axes.written_tokens},
                                   std::pair{"keys", &kind.axes.key_tokens}}) {
            entry[key] = nlohmann::json::array();
            for (const std::string& token : *tokens) entry[key].push_back(attention_map_token_label(token));
        }
        json[std::string(nn::attention_kind_name(kind.kind))] = entry;
    }
    // Inside <script> neither '<' nor '&' may appear raw; JSON's \u escapes say the same thing.
    std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), out;
    for (char c : text) out += c == '<' ? std::string("\\u003c") : c == '&' ? std::string("\\u0026") : std::string(1, c);
    return out;
}

}  // namespace

std::vector<nn::HeadStatistics> explain_statistics(const ExplainReport& report) {
    validate(report);
    std::vector<nn::HeadStatistics> out;
    for (const KindAttention& kind : report.kinds) {
        std::vector<int64_t> eos_keys;
        for (std::size_t s = 0; s < kind.axes.key_tokens.size(); ++s)
            if (kind.axes.key_tokens[s] == "<eos>") eos_keys.push_back(static_cast<int64_t>(s));
        for (std::size_t layer = 0; layer < kind.weights.size(); ++layer)
            for (std::size_t head = 0; head < kind.weights[layer].size(); ++head) {
                nn::HeadWeights sentence{.queries = static_cast<int64_t>(kind.axes.query_tokens.size()),
                                         .keys = static_cast<int64_t>(kind.axes.key_tokens.size()),
                                         .eos_keys = eos_keys,
                                         .causal = kind.kind == AttentionKind::decoder_self};
                for (const auto& row : kind.weights[layer][head]) sentence.weights.insert(sentence.weights.end(), row.begin(), row.end());
                out.push_back(nn::head_statistics(kind.kind, static_cast<int64_t>(layer), static_cast<int64_t>(head), {sentence}));
            }
    }
    return out;
}

std::string explain_statistics_csv(const ExplainReport& report) {
    std::string out = nn::head_statistics_csv_header() + "\n";
    for (const auto& s : explain_statistics(report)) out += nn::head_statistics_csv_row(s) + "\n";
    return out;
}

std::string explain_page_html(const ExplainReport& report) {
    const std::vector<nn::HeadStatistics> statistics = explain_statistics(report);  // validates
    const KindAttention& decoder = report.kinds[1];
    std::string page = fmt::format(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        escape_xml("Attention in \u201c" + report.sentence + "\u201d"), explain_page_css);

    page += "<header>\n<h1>What the model looked at</h1>\n";
    page += fmt::format(
        "<p class=\"sentence\"><span class=\"source\">{}</span> \u2192 <span class=\"target\">{}</span></p>\n",
        escape_xml(report.sentence), escape_xml(report.translation));
    page += fmt::format("<p class=\"muted\">{} \u00b7 checkpoint <code>{}</code></p>\n", escape_xml(report.model),
                        escape_xml(report.checkpoint));
    page += fmt::format("<p class=\"tokens\">source as the model sees it ({} tokens{}): {}</p>\n",
                        report.tokenizer, report.tokenizer == "bpe" ? "; \u2581 ends a word" : "",
                        token_chips(report.kinds[0].axes.key_tokens));
    page += fmt::format("<p class=\"tokens\">decoder positions, each reading one token and writing the next: {}</p>\n",
                        token_chips(decoder.axes.query_tokens));
    page += "</header>\n";

    page += "<div class=\"legend\">\n<span class=\"formula\">weights = softmax(QK<sup>T</sup>/\u221ad), output = weights \u00b7 V</span>\n";
    page += "<span>Q, the query: <i>what am I looking for?</i> \u00b7 K, the key: <i>what do I offer?</i> \u00b7 V, the value: "
            "<i>what do I carry?</i><br/>A row is one query; its cells, summing to 1, say how much of each key\u2019s value it takes.</span>\n";
    page += legend_graphics();
    page += "\n<span class=\"muted\">colour: the weight on an absolute 0\u20131 scale, the same in every map. Hover a cell for its "
            "tokens and weight; click a map to enlarge it.</span>\n</div>\n";

    page += "<div class=\"toolbar\"><button id=\"toggle-size\" type=\"button\" hidden=\"hidden\">show every map at its actual "
            "size</button></div>\n";
    page += "<div class=\"kinds\">\n";
    for (const KindAttention& kind : report.kinds) page += kind_section(kind, statistics);
    page += "</div>\n";

    page += "<h3>What each head does</h3>\n<p class=\"muted\">Statistics of this one sentence (click a row to find its map). "
            "The same numbers as CSV: ";
    std::string csv_uri;
    for (unsigned char c : explain_statistics_csv(report))
        csv_uri += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? std::string(1, static_cast<char>(c))
                                                                        : fmt::format("%{:02X}", c);
    page += fmt::format("<a download=\"heads.csv\" href=\"data:text/csv;charset=utf-8,{}\">heads.csv</a>.</p>\n", csv_uri);
    page += statistics_table(statistics);
    page += "<h3>How to read the numbers</h3>\n" + definitions();

    page += "<div id=\"tooltip\" hidden=\"hidden\"></div>\n<div id=\"zoom\" hidden=\"hidden\"></div>\n";
    page += fmt::format("<script type=\"application/json\" id=\"explain-tokens\">{}</script>\n", tokens_json(report));
    page += fmt::format("<script>{}</script>\n</body>\n</html>\n", explain_page_script);
    return page;
}

}  // namespace tapegrad::translate
