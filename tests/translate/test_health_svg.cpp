// health.svg: three panels (gradient norm with the clip threshold, clip factor, update ratio per group).
#include <catch2/catch.hpp>

#include <cmath>

#include "examples/translate/health_svg.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

MetricsSeries health_series() {
    MetricsSeries series;
    for (int step = 1; step <= 200; ++step) series.loss.emplace_back(step, 3.0 / step);
    for (int step = 10; step <= 200; step += 10) {
        const double norm = step == 120 ? NAN : 5.0 / std::sqrt(step);
        series.columns["grad_norm"].emplace_back(step, norm);
        series.columns["clip_factor"].emplace_back(step, std::isnan(norm) ? 1.0 : std::min(1.0, 1.0 / norm));
        series.columns["nonfinite"].emplace_back(step, step == 120 ? 7 : 0);
        for (const char* group : {"embedding", "encoder", "decoder", "output_projection"})
            series.columns[std::string("update_ratio_") + group].emplace_back(step, 2e-3 / std::sqrt(step));
    }
    series.columns["valid_exact_match"] = {{100, 0.3}, {200, 0.7}};
    series.column_order = {"valid_exact_match", "grad_norm", "clip_factor", "nonfinite", "update_ratio_embedding",
                           "update_ratio_encoder", "update_ratio_decoder", "update_ratio_output_projection"};
    return series;
}

}  // namespace

TEST_CASE("health_svg draws gradient norm, clip factor and one line per parameter group", "[translate][health]") {
    const std::string svg = health_svg(health_series(), {.title = "dates: training health", .clip_norm = 1.0});
    CHECK(xml_problem(svg).empty());
    // The NaN norm at step 120 breaks its line in two: a gap, not a bridge over the missing point.
    CHECK(count_occurrences(svg, "<polyline") == 2 + 1 + 4);
    CHECK(svg.find("clip threshold 1") != std::string::npos);
    CHECK(svg.find("rule of thumb") != std::string::npos);
    CHECK(svg.find("step with non-finite gradients") != std::string::npos);
    // The groups in the log's (the model's) order, not alphabetically.
    std::size_t previous = 0;
    for (const char* group : {"embedding", "encoder", "decoder", "output_projection"}) {
        const std::size_t at = svg.find(std::string(">") + group + "<");
        CHECK(at != std::string::npos);
        CHECK(at > previous);
        previous = at;
    }
}

TEST_CASE("health_svg of a log without health columns says no data instead of failing", "[translate][health]") {
    MetricsSeries old_log;
    old_log.loss = {{1, 3.0}, {2, 2.5}};
    const std::string svg = health_svg(old_log, {.clip_norm = 0});
    CHECK(xml_problem(svg).empty());
    CHECK(count_occurrences(svg, "no data") == 3);
    CHECK(svg.find("clip threshold") == std::string::npos);
    CHECK(svg.find("clipping is off") != std::string::npos);
}
