// The SVG toolkit: escaping (markup, UTF-8, invalid bytes), viridis, 1-2-5 ticks, tick labels, the writer.
#include <catch2/catch.hpp>

#include "examples/translate/svg.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using tapegrad::translate::testing::xml_problem;

TEST_CASE("escape_xml escapes markup characters and keeps UTF-8", "[translate][svg]") {
    CHECK(escape_xml("<unk>") == "&lt;unk&gt;");
    CHECK(escape_xml("Tom & Jerry's \"show\"") == "Tom &amp; Jerry&apos;s &quot;show&quot;");
    CHECK(escape_xml("zażółć gęślą jaźń") == "zażółć gęślą jaźń");
    CHECK(escape_xml("→ ␣ 日本") == "→ ␣ 日本");
}

TEST_CASE("escape_xml replaces invalid UTF-8 and forbidden control characters with U+FFFD", "[translate][svg]") {
    const std::string replacement = "\xEF\xBF\xBD";
    CHECK(escape_xml("a\xC5") == "a" + replacement);          // the first byte of "ż" alone (a cut token)
    CHECK(escape_xml("\xC0\xAF") == replacement + replacement);  // overlong '/'
    CHECK(escape_xml("\xED\xA0\x80") == replacement + replacement + replacement);  // a UTF-16 surrogate
    CHECK(escape_xml(std::string("x\x01y", 3)) == "x" + replacement + "y");
    CHECK(escape_xml("tab\there") == "tab\there");
    CHECK(utf8_length("zażółć") == 6);
}

TEST_CASE("viridis runs from dark purple to yellow and interpolates between samples", "[translate][svg]") {
    CHECK(viridis(0.0).hex() == "#440154");
    CHECK(viridis(1.0).hex() == "#fde725");
    CHECK(viridis(0.5).hex() == "#21908c");
    CHECK(viridis(-3.0).hex() == "#440154");  // clamped
    CHECK(viridis(7.0).hex() == "#fde725");
    CHECK(viridis(std::nan("")).hex() == "#440154");
    // Halfway between samples 0 (68,1,84) and 1 (71,45,123): (69.5, 23, 103.5) → rounded (70, 23, 104).
    const Rgb between = viridis(1.0 / 16.0);
    CHECK(int(between.red) == 70);
    CHECK(int(between.green) == 23);
    CHECK(int(between.blue) == 104);
    // Lightness rises monotonically: the green channel (the main carrier of luminance here) never falls.
    for (int i = 1; i <= 100; ++i) CHECK(viridis(i / 100.0).green >= viridis((i - 1) / 100.0).green);
}

TEST_CASE("nice_ticks follow the 1-2-5 rule", "[translate][svg]") {
    using Catch::Matchers::Approx;
    // [0, 1] with at most 6 ticks: step 0.1 gives 11, step 0.2 gives 6.
    REQUIRE_THAT(nice_ticks(0.0, 1.0, 6), Approx(std::vector<double>{0.0, 0.2, 0.4, 0.6, 0.8, 1.0}));
    // [0, 3000] with at most 8: step 200 gives 16, step 500 gives 7.
    REQUIRE_THAT(nice_ticks(0.0, 3000.0, 8), Approx(std::vector<double>{0, 500, 1000, 1500, 2000, 2500, 3000}));
    // [0.07, 4.6] with at most 6: step 0.5 gives 0.5..4.5 = 9, step 1 gives 1..4 = 4.
    REQUIRE_THAT(nice_ticks(0.07, 4.6, 6), Approx(std::vector<double>{1, 2, 3, 4}));
    // A single value is widened to [4, 6] first; step 0.5 gives 5 ticks.
    REQUIRE_THAT(nice_ticks(5.0, 5.0, 6), Approx(std::vector<double>{4, 4.5, 5, 5.5, 6}));
    REQUIRE_THROWS_WITH(nice_ticks(2.0, 1.0), Catch::Contains("nice_ticks") && Catch::Contains("[2, 1]"));
}

TEST_CASE("format_tick uses the step's decimals and a k suffix for thousands", "[translate][svg]") {
    CHECK(format_tick(0.4, 0.2) == "0.4");
    CHECK(format_tick(1.0, 0.5) == "1.0");
    CHECK(format_tick(0.25, 0.05) == "0.25");
    CHECK(format_tick(300.0, 100.0) == "300");
    CHECK(format_tick(2500.0, 500.0) == "2500");
    CHECK(format_tick(12000.0, 2000.0) == "12k");
    CHECK(format_tick(12500.0, 2500.0) == "12.5k");
    CHECK(format_tick(-1e-17, 0.1) == "0.0");
}

TEST_CASE("SvgWriter produces well-formed XML with escaped text and attributes", "[translate][svg]") {
    SvgWriter svg(100, 50);
    svg.rect(1.004, 2.5, 10, 10, "#ff0000", "cell", "<unk> & \"quotes\"");
    svg.line(0, 0, 100, 50, {.color = "#000000", .width = 1.5, .dasharray = "4 3"});
    svg.polyline({{0, 0}, {1.256, 2}}, {});
    svg.circle(5, 5, 2, "#00ff00", 0.5);
    svg.text(10, 20, "<unk> ą & ż", {.rotate_degrees = -45});
    svg.vertical_gradient("g", {{0.0, "#000000"}, {1.0, "#ffffff"}});
    const std::string xml = svg.str();
    CHECK(xml_problem(xml).empty());
    INFO(xml_problem(xml));
    CHECK(xml.find("&lt;unk&gt; ą &amp; ż</text>") != std::string::npos);
    CHECK(xml.find("<title>&lt;unk&gt; &amp; &quot;quotes&quot;</title>") != std::string::npos);
    CHECK(xml.find(R"(x="1" y="2.5")") != std::string::npos);  // 2 decimals, trailing zeros dropped
    CHECK(xml.find("points=\"0,0 1.26,2\"") != std::string::npos);
    CHECK(xml.find("rotate(-45 10 20)") != std::string::npos);
    CHECK(xml.find("<unk>") == std::string::npos);
}

TEST_CASE("xml_problem catches what an escaping bug would produce", "[translate][svg]") {
    CHECK(xml_problem("<svg><text>ok</text></svg>").empty());
    CHECK_FALSE(xml_problem("<svg><text><unk></text></svg>").empty());
    CHECK_FALSE(xml_problem("<svg><text>a & b</text></svg>").empty());
    CHECK_FALSE(xml_problem("<svg><text a=\"<\">x</text></svg>").empty());
    CHECK_FALSE(xml_problem("<svg><g></svg>").empty());
    CHECK_FALSE(xml_problem("<svg/><svg/>").empty());
}
