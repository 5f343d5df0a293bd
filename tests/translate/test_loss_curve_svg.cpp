// The loss-curve SVG: structure, moving average, log axis, second series, robustness to bad points.
#include <catch2/catch.hpp>

#include <cmath>

#include "base/atomic_file.h"
#include "examples/translate/loss_curve_svg.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

// loss(step) = 0.05 + 4.5 · exp(−step / 400), with a deterministic ±15% wobble.
CurveSeries decaying_loss(int steps) {
    CurveSeries points;
    for (int step = 1; step <= steps; ++step)
        points.emplace_back(step, (0.05 + 4.5 * std::exp(-step / 400.0)) * (1.0 + 0.15 * std::sin(step * 12.9898)));
    return points;
}

}  // namespace

TEST_CASE("centred_moving_average averages a window around each point, shrinking at the ends",
          "[translate][loss_curve]") {
    using Catch::Matchers::Approx;
    // w = 3: [mean(1,2), mean(1,2,3), mean(2,3,4), mean(3,4,5), mean(4,5)].
    REQUIRE_THAT(centred_moving_average({1, 2, 3, 4, 5}, 3), Approx(std::vector<double>{1.5, 2, 3, 4, 4.5}));
    // w = 2 covers [i − 1, i].
    REQUIRE_THAT(centred_moving_average({1, 2, 3}, 2), Approx(std::vector<double>{1, 1.5, 2.5}));
    REQUIRE_THAT(centred_moving_average({1, 5, 2}, 1), Approx(std::vector<double>{1, 5, 2}));
    CHECK(centred_moving_average({}, 4).empty());
    REQUIRE_THROWS_WITH(centred_moving_average({1}, 0), Catch::Contains("window") && Catch::Contains("0"));
}

TEST_CASE("loss_curve_svg draws raw points, the smoothed line, axes and legend", "[translate][loss_curve]") {
    const CurveSeries train = decaying_loss(600);
    const CurveSeries valid = {{200, 1.4}, {400, 0.9}, {600, 0.6}};
    const std::string svg = loss_curve_svg(train, valid, {.title = "toy run <dates> & co"});
    INFO(xml_problem(svg));
    CHECK(xml_problem(svg).empty());
    // 600 raw dots + 3 validation markers + 2 legend swatches (raw dot, validation marker).
    CHECK(count_occurrences(svg, "<circle") == 600 + 3 + 2);
    CHECK(count_occurrences(svg, "<polyline") == 2);
    CHECK(svg.find(">toy run &lt;dates&gt; &amp; co</text>") != std::string::npos);
    CHECK(svg.find(">step</text>") != std::string::npos);
    CHECK(svg.find(">loss</text>") != std::string::npos);
    CHECK(svg.find("train loss (moving average of 12)") != std::string::npos);  // 600 / 50
    CHECK(svg.find(">validation</text>") != std::string::npos);
    // x ticks from the 1-2-5 rule over [1, 600]: 0, 100, ..., 600.
    CHECK(svg.find(">600</text>") != std::string::npos);
    CHECK(svg.find(">300</text>") != std::string::npos);
}

TEST_CASE("loss_curve_svg thins very long runs to at most 1500 raw dots", "[translate][loss_curve]") {
    const std::string svg = loss_curve_svg(decaying_loss(6000), {}, {.smoothing_window = 50});
    CHECK(xml_problem(svg).empty());
    CHECK(count_occurrences(svg, "<circle") == 1500 + 1);  // every 4th point + the legend swatch
    CHECK(svg.find("moving average of 50") != std::string::npos);
    CHECK(svg.find(">6k</text>") != std::string::npos);  // thousands as k once ticks are >= 1000 apart
}

TEST_CASE("loss_curve_svg on a log axis ticks at 1-2-5 times powers of ten", "[translate][loss_curve]") {
    const std::string svg = loss_curve_svg(decaying_loss(3000), {}, {.log_y = true});
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find("loss (log scale)") != std::string::npos);
    for (const char* tick : {">0.05</text>", ">0.1</text>", ">0.2</text>", ">0.5</text>", ">1</text>", ">2</text>", ">5</text>"})
        CHECK(svg.find(tick) != std::string::npos);
}

TEST_CASE("loss_curve_svg puts a differently scaled second series on its own right axis", "[translate][loss_curve]") {
    const CurveSeries exact_match = {{100, 0.0}, {200, 0.35}, {300, 0.8}};
    const std::string svg = loss_curve_svg(decaying_loss(300), exact_match,
                                           {.valid_label = "valid exact match", .valid_on_right_axis = true,
                                            .valid_y_label = "exact match"});
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find(">exact match</text>") != std::string::npos);
    CHECK(svg.find("rotate(90") != std::string::npos);
    // The right axis starts at 0 for a non-negative metric: ticks 0, 0.1, ..., 0.8.
    CHECK(svg.find("fill=\"#d62728\" xml:space=\"preserve\">0.0</text>") != std::string::npos);
    CHECK(svg.find("fill=\"#d62728\" xml:space=\"preserve\">0.8</text>") != std::string::npos);
}

TEST_CASE("loss_curve_svg skips non-finite points and draws 'no data' when nothing is left",
          "[translate][loss_curve]") {
    CurveSeries train = decaying_loss(50);
    train[10].second = NAN;
    train[20].second = INFINITY;
    const std::string svg = loss_curve_svg(train);
    CHECK(xml_problem(svg).empty());
    CHECK(count_occurrences(svg, "<circle") == 48 + 1);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);

    const std::string empty = loss_curve_svg({});
    CHECK(xml_problem(empty).empty());
    CHECK(empty.find(">no data</text>") != std::string::npos);
    // On a log axis a zero loss cannot be drawn either.
    CHECK(loss_curve_svg({{1, 0.0}}, {}, {.log_y = true}).find(">no data</text>") != std::string::npos);
}

TEST_CASE("loss_curve_svg validates its options — write_loss_curve writes the file", "[translate][loss_curve]") {
    REQUIRE_THROWS_WITH(loss_curve_svg({}, {}, {.width = 100}),
                        Catch::Contains("loss_curve_svg") && Catch::Contains("100 x 440"));
    REQUIRE_THROWS_WITH(loss_curve_svg({}, {}, {.smoothing_window = -1}), Catch::Contains("smoothing_window"));
    ScratchDirectory scratch;
    write_loss_curve(scratch.path / "loss.svg", decaying_loss(20));
    CHECK(tapegrad::read_file(scratch.path / "loss.svg") == loss_curve_svg(decaying_loss(20)));
}
