// The attention heat-map: one cell per (target, source), colours by weight, escaped labels, size checks.
#include <catch2/catch.hpp>

#include <cmath>

#include "base/atomic_file.h"
#include "examples/translate/heatmap_svg.h"
#include "examples/translate/svg.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

std::vector<std::string> chars(const std::string& text) {
    std::vector<std::string> tokens;
    for (char c : text) tokens.emplace_back(1, c);
    return tokens;
}

// The fill colour of every <rect class="cell">, in document order (row-major: target, then source).
std::vector<std::string> cell_fills(const std::string& svg) {
    std::vector<std::string> fills;
    const std::string marker = R"(" class="cell")";
    for (std::size_t at = svg.find(marker); at != std::string::npos; at = svg.find(marker, at + 1))
        fills.push_back(svg.substr(at - 7, 7));  // the "#rrggbb" just before the marker
    return fills;
}

// A T×S matrix whose row t puts weight `peak` on column t·S/T and spreads the rest evenly.
std::vector<std::vector<double>> diagonal_weights(std::size_t T, std::size_t S, double peak) {
    std::vector<std::vector<double>> weights(T, std::vector<double>(S, (1.0 - peak) / static_cast<double>(S - 1)));
    for (std::size_t t = 0; t < T; ++t) weights[t][t * S / T] = peak;
    return weights;
}

}  // namespace

TEST_CASE("attention_heatmap_svg draws T x S cells, coloured by weight", "[translate][heatmap]") {
    const auto source = chars("27 Nov 2026");  // S = 11
    const auto target = chars("2026-11-27");   // T = 10
    auto weights = diagonal_weights(10, 11, 0.8);
    const std::string svg = attention_heatmap_svg(source, target, weights, "cross-attention, layer 1 (mean of heads)");
    INFO(xml_problem(svg));
    CHECK(xml_problem(svg).empty());

    const std::vector<std::string> fills = cell_fills(svg);
    REQUIRE(fills.size() == 10 * 11);
    CHECK(count_occurrences(svg, "class=\"cell\"") == 110);
    // The maximum (0.8) maps to the top of the scale, the minimum (0.02) close to the bottom.
    CHECK(fills[0 * 11 + 0] == viridis(1.0).hex());
    CHECK(fills[0 * 11 + 1] == viridis(0.02 / 0.8).hex());
    CHECK(fills[0 * 11 + 0] != fills[0 * 11 + 1]);
    // Labels, title, the colour bar and the tooltips are there; the space token shows as ␣.
    CHECK(svg.find(">cross-attention, layer 1 (mean of heads)</text>") != std::string::npos);
    CHECK(svg.find(">\u2423</text>") != std::string::npos);
    CHECK(svg.find("class=\"colour-bar\"") != std::string::npos);
    CHECK(svg.find("<title>2 \u2190 2: 0.800</title>") != std::string::npos);
    CHECK(svg.find("rotate(-45") == std::string::npos);  // single characters fit their column
}

TEST_CASE("attention_heatmap_svg escapes tokens and rotates long source labels", "[translate][heatmap]") {
    const std::vector<std::string> source = {"<unk>", "Tom", "&", "\"quoted\"", "zażółć", "", "<eos>"};
    const std::vector<std::string> target = {"<bos>", "gęślą", "jaźń", "it's", "an-extremely-long-token-that-goes-on-and-on"};
    const std::string svg = attention_heatmap_svg(source, target, diagonal_weights(5, 7, 0.6), "tokens <&> \"escaped\"");
    INFO(xml_problem(svg));
    CHECK(xml_problem(svg).empty());
    CHECK(count_occurrences(svg, "class=\"cell\"") == 5 * 7);
    CHECK(svg.find(">&lt;unk&gt;</text>") != std::string::npos);
    CHECK(svg.find(">&amp;</text>") != std::string::npos);
    CHECK(svg.find(">&quot;quoted&quot;</text>") != std::string::npos);
    CHECK(svg.find(">zażółć</text>") != std::string::npos);
    CHECK(svg.find(">gęślą</text>") != std::string::npos);
    CHECK(svg.find(">\u2205</text>") != std::string::npos);  // the empty token
    CHECK(svg.find(">tokens &lt;&amp;&gt; &quot;escaped&quot;</text>") != std::string::npos);
    CHECK(svg.find("an-extremely-long-token\u2026</text>") != std::string::npos);  // 23 characters + …
    CHECK(svg.find("rotate(-45") != std::string::npos);
    CHECK(svg.find("<unk>") == std::string::npos);
}

TEST_CASE("attention_heatmap_svg accepts an all-zero matrix and a 1x1 one", "[translate][heatmap]") {
    const std::string zeros = attention_heatmap_svg({"a", "b"}, {"x"}, {{0.0, 0.0}}, "zeros");
    CHECK(xml_problem(zeros).empty());
    CHECK(cell_fills(zeros) == std::vector<std::string>{viridis(0.0).hex(), viridis(0.0).hex()});
    const std::string single = attention_heatmap_svg({"a"}, {"x"}, {{1.0}}, "");
    CHECK(xml_problem(single).empty());
    CHECK(cell_fills(single) == std::vector<std::string>{viridis(1.0).hex()});
}

TEST_CASE("attention_heatmap_svg validates the matrix against the token counts", "[translate][heatmap]") {
    const std::vector<std::string> source = {"a", "b", "c"};
    const std::vector<std::string> target = {"x", "y"};
    REQUIRE_THROWS_WITH(attention_heatmap_svg(source, target, {{0.5, 0.5, 0.0}}, "t"),
                        Catch::Contains("attention_heatmap_svg") && Catch::Contains("[2][3]") &&
                            Catch::Contains("got 1 rows"));
    REQUIRE_THROWS_WITH(attention_heatmap_svg(source, target, {{1, 0, 0}, {1, 0}}, "t"),
                        Catch::Contains("[2][3]") && Catch::Contains("row 1 has 2 columns"));
    REQUIRE_THROWS_WITH(attention_heatmap_svg(source, target, {{1, 0, 0}, {1, -0.5, 0}}, "t"),
                        Catch::Contains("weights[1][1] = -0.5"));
    REQUIRE_THROWS_WITH(attention_heatmap_svg(source, target, {{1, 0, std::nan("")}, {1, 0, 0}}, "t"),
                        Catch::Contains("weights[0][2] = nan"));
    REQUIRE_THROWS_WITH(attention_heatmap_svg({}, target, {{}, {}}, "t"),
                        Catch::Contains("S=0") && Catch::Contains("T=2"));
}

TEST_CASE("write_attention_heatmap writes the SVG to the path", "[translate][heatmap]") {
    ScratchDirectory scratch;
    const auto path = scratch.path / "attention.svg";
    write_attention_heatmap(path, {"a", "b"}, {"x", "y"}, {{0.9, 0.1}, {0.2, 0.8}}, "map");
    CHECK(tapegrad::read_file(path) == attention_heatmap_svg({"a", "b"}, {"x", "y"}, {{0.9, 0.1}, {0.2, 0.8}}, "map"));
    REQUIRE_THROWS_WITH(write_attention_heatmap(path, {"a"}, {"x"}, {}, "map"), Catch::Contains("[1][1]"));
}
