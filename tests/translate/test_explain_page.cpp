// The explain page parsed and checked: every kind, layer and head present with T×S cells, the blocked
// future marked, labels escaped and thinned for long sentences, nothing fetched; the statistics CSV.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/translate/explain_page.h"
#include "nn/head_statistics.h"
#include "tests/translate/test_helpers.h"
#include "tests/translate/xml_tree.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;
using Catch::Contains;

namespace {

// Rows that sum to 1 over what each may see: a peak on key (t + shift) mod S on top of a flat floor.
AttentionMatrix peaked(std::size_t T, std::size_t S, std::size_t shift, bool causal) {
    AttentionMatrix w(T, std::vector<double>(S, 0.0));
    for (std::size_t t = 0; t < T; ++t) {
        const std::size_t visible = causal ? std::min(t + 1, S) : S;
        for (std::size_t s = 0; s < visible; ++s) w[t][s] = 0.2 / static_cast<double>(visible);
        w[t][(t + shift) % visible] += 0.8;
    }
    return w;
}

std::vector<std::vector<AttentionMatrix>> layers_of(std::size_t layers, std::size_t heads, std::size_t T, std::size_t S,
                                                    bool causal) {
    std::vector<std::vector<AttentionMatrix>> out(layers);
    for (std::size_t l = 0; l < layers; ++l)
        for (std::size_t h = 0; h < heads; ++h) out[l].push_back(peaked(T, S, l + h, causal));
    return out;
}

// A report shaped like a real one: source S tokens, decoder T = output + 1 positions.
ExplainReport make_report(const std::vector<std::string>& source, const std::vector<std::string>& output,
                          std::size_t encoder_layers, std::size_t decoder_layers, std::size_t heads) {
    ExplainReport report;
    report.sentence = "a sentence";
    report.translation = "a translation";
    report.model = "test model";
    report.checkpoint = "/nowhere";
    report.tokenizer = "char";
    AttentionMapAxes source_axes{.query_tokens = source, .written_tokens = {}, .key_tokens = source};
    AttentionMapAxes decoder_axes;
    decoder_axes.query_tokens = {"<bos>"};
    decoder_axes.query_tokens.insert(decoder_axes.query_tokens.end(), output.begin(), output.end());
    decoder_axes.written_tokens = output;
    decoder_axes.written_tokens.push_back("<eos>");
    decoder_axes.key_tokens = decoder_axes.query_tokens;
    AttentionMapAxes cross_axes = decoder_axes;
    cross_axes.key_tokens = source;
    cross_axes.label_query_tokens = false;
    const std::size_t S = source.size(), T = output.size() + 1;
    report.kinds = {{nn::AttentionKind::encoder_self, source_axes, layers_of(encoder_layers, heads, S, S, false)},
                    {nn::AttentionKind::decoder_self, decoder_axes, layers_of(decoder_layers, heads, T, T, true)},
                    {nn::AttentionKind::cross, cross_axes, layers_of(decoder_layers, heads, T, S, false)}};
    return report;
}

const XmlElement* figure_of(const XmlElement& page, const std::string& kind, std::size_t layer, const std::string& head) {
    const auto found = page.find_all([&](const XmlElement& e) {
        return e.name == "figure" && e.has_class("map") && e.attribute("data-kind") == kind &&
               e.attribute("data-layer") == std::to_string(layer) && e.attribute("data-head") == head;
    });
    return found.size() == 1 ? found[0] : nullptr;
}

}  // namespace

TEST_CASE("explain page: every kind, layer and head (and each layer's mean) has its map with T×S cells",
          "[translate][explain]") {
    const std::vector<std::string> source = {"2", "7", " ", "N", "o", "v"}, output = {"1", "1", "-", "2", "7"};
    const ExplainReport report = make_report(source, output, 2, 3, 4);
    const std::string html = explain_page_html(report);
    INFO(html.substr(0, 2000));
    REQUIRE(xml_problem(html) == "");
    const XmlElement page = parse_xml(html);
    CHECK(page.name == "html");

    struct Expected {
        std::string kind;
        std::size_t layers, T, S;
    };
    const std::size_t S = source.size(), T = output.size() + 1;
    for (const Expected& e : {Expected{"encoder_self", 2, S, S}, Expected{"decoder_self", 3, T, T}, Expected{"cross", 3, T, S}}) {
        for (std::size_t layer = 0; layer < e.layers; ++layer) {
            for (const std::string head : {"0", "1", "2", "3", "mean"}) {
                INFO(e.kind << " layer " << layer << " head " << head);
                const XmlElement* figure = figure_of(page, e.kind, layer, head);
                REQUIRE(figure != nullptr);
                const auto cells = figure->find_all("rect", "cell");
                CHECK(cells.size() == e.T * e.S);
                const auto blocked = figure->find_all("rect", "blocked");
                // The decoder's blocked future is the strict upper triangle: T(T−1)/2 cells; no other kind has any.
                CHECK(blocked.size() == (e.kind == "decoder_self" ? e.T * (e.T - 1) / 2 : 0));
                for (const XmlElement* cell : blocked) CHECK(cell->attribute("data-w").empty());
                const auto maps = figure->find_all("svg", "attention-map");
                REQUIRE(maps.size() == 1);
                CHECK(maps[0]->attribute("data-rows") == std::to_string(e.T));
                CHECK(maps[0]->attribute("data-columns") == std::to_string(e.S));
                // Tokens on both axes: short sequences label every token.
                CHECK(maps[0]->find_all("text", "key").size() == e.S);
                // Decoder rows say which token each writes; cross-attention rows say only that.
                CHECK(maps[0]->find_all("text", "query").size() == (e.kind == "cross" ? 0 : e.T));
                CHECK(maps[0]->find_all("text", "written").size() == (e.kind == "encoder_self" ? 0 : e.T));
            }
            CHECK(figure_of(page, e.kind, layer, "4") == nullptr);
        }
        CHECK(figure_of(page, e.kind, e.layers, "0") == nullptr);
    }
    // Three kind sections, each with the lecture's words for where Q, K and V come from.
    const auto sections = page.find_all("section", "kind");
    REQUIRE(sections.size() == 3);
    CHECK_THAT(html, Contains("Q, K and V all come from the source sentence"));
    CHECK_THAT(html, Contains("Q, K and V all come from the translation so far"));
    CHECK_THAT(html, Contains("Q comes from the decoder"));
}

TEST_CASE("explain page: cells carry their weight, blocked cells are hatched, each head has its words",
          "[translate][explain]") {
    const ExplainReport report = make_report({"a", "b", "c"}, {"x", "y"}, 1, 1, 2);
    const XmlElement page = parse_xml(explain_page_html(report));
    const XmlElement* decoder = figure_of(page, "decoder_self", 0, "0");
    REQUIRE(decoder != nullptr);
    const auto cells = decoder->find_all("rect", "cell");
    REQUIRE(cells.size() == 9);
    // Row 0 sees only <bos>: all its weight there, the two future cells blocked.
    CHECK(cells[0]->attribute("data-w") == "1.000");
    CHECK(cells[1]->has_class("blocked"));
    CHECK(cells[1]->attribute("fill") == "url(#blocked-hatch)");
    CHECK(cells[2]->has_class("blocked"));
    CHECK_FALSE(cells[3]->has_class("blocked"));
    // The pattern the blocked cells use is defined in the page.
    CHECK(page.find_all([](const XmlElement& e) { return e.name == "pattern" && e.attribute("id") == "blocked-hatch"; }).size() == 1);
    // Each head's map has its plain-words line as its caption; the mean says what it is.
    const auto statistics = explain_statistics(report);
    REQUIRE(statistics.size() == 3 * 2);
    const auto captions = decoder->find_all("figcaption");
    REQUIRE(captions.size() == 1);
    CHECK(captions[0]->text == nn::describe_head(statistics[2]));
    CHECK_THAT(figure_of(page, "cross", 0, "mean")->find_all("figcaption")[0]->text, Contains("2 heads averaged"));
}

TEST_CASE("explain page: the statistics table has one row per kind, layer and head, each pointing at its map",
          "[translate][explain]") {
    const ExplainReport report = make_report({"a", "b", "c", "d"}, {"x", "y", "z"}, 2, 1, 3);
    const XmlElement page = parse_xml(explain_page_html(report));
    const auto rows = page.find_all("tr", "head-row");
    CHECK(rows.size() == (2 + 1 + 1) * 3);
    std::set<std::string> ids;
    for (const XmlElement* figure : page.find_all("figure", "map")) ids.insert(figure->attribute("id"));
    for (const XmlElement* row : rows) CHECK(ids.count(row->attribute("data-map")) == 1);
    CHECK(rows.front()->attribute("data-kind") == "encoder_self");
    CHECK(rows.back()->attribute("data-kind") == "cross");
}

TEST_CASE("explain page: self-contained, with every token escaped", "[translate][explain]") {
    const ExplainReport report = make_report({"<unk>", "&", "\"", "kota</w>", " "}, {"<", "'"}, 1, 1, 1);
    const std::string html = explain_page_html(report);
    REQUIRE(xml_problem(html) == "");
    // Nothing is fetched: no external stylesheet, script, image or font; the only URLs are XML namespaces.
    const XmlElement page = parse_xml(html);
    CHECK(page.find_all("link").empty());
    CHECK(page.find_all([](const XmlElement& e) { return !e.attribute("src").empty(); }).empty());
    CHECK(page.find_all("script").size() == 2);  // the token data and the hover/zoom script, both inline
    std::size_t urls = count_occurrences(html, "http://") + count_occurrences(html, "https://");
    CHECK(urls == count_occurrences(html, "xmlns=\"http://www.w3.org/"));
    CHECK_THAT(html, !Contains("@import") && !Contains("url(http"));
    // Labels: "<unk>" as text, BPE's end of word as ▁, a space as ␣.
    CHECK_THAT(html, Contains(">&lt;unk&gt;</text>") && Contains(">kota\u2581</text>") && Contains(">\u2423</text>"));
    // The token data for the tooltip is JSON with '<' and '&' escaped, so no tag can end the script early.
    const auto scripts = page.find_all("script");
    CHECK_THAT(scripts[0]->text, Contains("\\u003cunk>") && Contains("\\u0026") && !Contains("<"));
}

TEST_CASE("explain page: a long sentence keeps cells at the minimum size, thins its labels and scrolls",
          "[translate][explain]") {
    std::vector<std::string> source, output;
    for (int i = 0; i < 90; ++i) source.push_back(fmt::format("w{}", i));
    for (int i = 0; i < 79; ++i) output.push_back(fmt::format("v{}", i));
    const ExplainReport report = make_report(source, output, 1, 1, 1);
    const AttentionMapLayout layout = attention_map_layout(80, 90);
    CHECK(layout.cell_width == AttentionMapLayout::kMinCell);
    CHECK(layout.cell_height == AttentionMapLayout::kMinCell);
    CHECK(layout.key_stride == 2);  // ceil(8 px pitch / 5 px cells)

    const std::string html = explain_page_html(report);
    REQUIRE(xml_problem(html) == "");
    const XmlElement page = parse_xml(html);
    const XmlElement* cross = figure_of(page, "cross", 0, "0");
    REQUIRE(cross != nullptr);
    CHECK(cross->find_all("rect", "cell").size() == 80 * 90);
    const auto maps = cross->find_all("svg", "attention-map");
    REQUIRE(maps.size() == 1);
    CHECK(maps[0]->find_all("text", "key").size() == 45);    // every 2nd of 90
    CHECK(maps[0]->find_all("text", "written").size() == 40);  // every 2nd of 80
    // The map never shrinks below kMinScale of its size (a min-width), and sits in a scrolling container.
    CHECK_THAT(maps[0]->attribute("style"), Contains("min-width:"));
    CHECK(cross->find_all("div", "scroll").size() == 1);
    CHECK_THAT(std::string(explain_page_html(report)), Contains("overflow: auto"));
}

TEST_CASE("explain page: short sequences get large cells and every label", "[translate][explain]") {
    const AttentionMapLayout small = attention_map_layout(3, 4);
    CHECK(small.cell_width == AttentionMapLayout::kMaxCell);
    CHECK(small.key_stride == 1);
    // A short target against a long source: tall narrow cells, so both axes stay about kMapSide long.
    const AttentionMapLayout wide = attention_map_layout(10, 40);
    CHECK(wide.cell_height == 20.0);
    CHECK(wide.cell_width == 5.0);
}

TEST_CASE("explain page: the CSV has the shared header and a row per kind, layer and head", "[translate][explain]") {
    const ExplainReport report = make_report({"a", "b", "c"}, {"x", "y"}, 2, 1, 2);
    std::istringstream csv(explain_statistics_csv(report));
    std::vector<std::string> lines;
    for (std::string line; std::getline(csv, line);) lines.push_back(line);
    REQUIRE(lines.size() == 1 + (2 + 1 + 1) * 2);
    CHECK(lines[0] == nn::head_statistics_csv_header());
    CHECK(lines[1].rfind("encoder_self,0,0,", 0) == 0);
    CHECK(lines[4].rfind("encoder_self,1,1,", 0) == 0);
    CHECK(lines[5].rfind("decoder_self,0,0,", 0) == 0);
    CHECK(lines[8].rfind("cross,0,1,", 0) == 0);
}

TEST_CASE("explain page: a matrix that does not match its tokens is named by kind, layer and head",
          "[translate][explain]") {
    ExplainReport report = make_report({"a", "b", "c"}, {"x"}, 1, 2, 2);
    report.kinds[2].weights[1][1].pop_back();
    CHECK_THROWS_WITH(explain_page_html(report),
                      Contains("cross layer 1 head 1") && Contains("[2][3]") && Contains("got 1 rows"));
    report = make_report({"a", "b", "c"}, {"x"}, 1, 1, 1);
    report.kinds.pop_back();
    CHECK_THROWS_WITH(explain_page_html(report), Contains("three kinds") && Contains("got 2"));
    report = make_report({"a", "b", "c"}, {"x"}, 1, 1, 1);
    report.kinds[0].weights[0][0][1][2] = 1.5;
    CHECK_THROWS_WITH(explain_page_html(report), Contains("weights[1][2] = 1.5"));
}
