// heads.csv (rows per evaluation, resume cuts, reading back) and heads.svg (a panel per kind × layer, a line per head).
#include <catch2/catch.hpp>

#include <fstream>

#include "base/atomic_file.h"
#include "examples/translate/heads_log.h"
#include "examples/translate/heads_svg.h"
#include "test_helpers.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

// Two layers of each kind, two heads: entropy falls with the step, a different slope per head.
std::vector<nn::HeadStatistics> heads_at(int64_t step) {
    std::vector<nn::HeadStatistics> heads;
    for (auto kind : {nn::AttentionKind::encoder_self, nn::AttentionKind::decoder_self, nn::AttentionKind::cross})
        for (int64_t layer = 0; layer < 2; ++layer)
            for (int64_t head = 0; head < 2; ++head)
                heads.push_back({.kind = kind, .layer = layer, .head = head, .rows = 5,
                                 .entropy = 1.0 / (1.0 + static_cast<double>(step * (head + 1)) / 100.0)});
    return heads;
}

}  // namespace

TEST_CASE("HeadsLog writes one row per head per evaluation under the statistics' header", "[translate][heads]") {
    ScratchDirectory scratch;
    {
        HeadsLog log(scratch.path, -1);
        log.append(0, heads_at(0));
        log.append(10, heads_at(10));
    }
    const std::string content = read_file(scratch.path / "heads.csv");
    CHECK(content.rfind("step,kind,layer,head,rows,entropy,", 0) == 0);
    CHECK(count_occurrences(content, "\n") == 1 + 2 * 12);
    CHECK(content.find("\n10,cross,1,1,5,0.8333,") != std::string::npos);

    const std::vector<HeadEntropySeries> series = read_heads_log(scratch.path / "heads.csv");
    REQUIRE(series.size() == 12);
    CHECK(series[0].kind == nn::AttentionKind::encoder_self);
    CHECK(series[11].kind == nn::AttentionKind::cross);
    CHECK(series[11].layer == 1);
    CHECK(series[11].head == 1);
    CHECK(series[11].entropy == CurveSeries{{0, 1.0}, {10, 0.8333}});
}

TEST_CASE("HeadsLog on resume drops the evaluations past the checkpoint's step", "[translate][heads]") {
    ScratchDirectory scratch;
    {
        HeadsLog log(scratch.path, -1);
        for (int64_t step : {0, 10, 20, 30}) log.append(step, heads_at(step));
    }
    {
        HeadsLog log(scratch.path, 25);  // the checkpoint was at 25: the crashed run's evaluation at 30 goes
        log.append(30, heads_at(60));
    }
    const std::string content = read_file(scratch.path / "heads.csv");
    CHECK(count_occurrences(content, "\n30,") == 12);  // once, the resumed run's
    const auto series = read_heads_log(scratch.path / "heads.csv");
    CHECK(series[0].entropy.size() == 4);
    CHECK(series[0].entropy.back().second == Approx(1.0 / 1.6).margin(1e-4));
    { HeadsLog log(scratch.path, -1); }  // a new run starts an empty log
    CHECK(read_file(scratch.path / "heads.csv") == HeadsLog::header() + "\n");
}

TEST_CASE("read_heads_log names the path and line of bad input", "[translate][heads]") {
    ScratchDirectory scratch;
    const auto path = scratch.path / "heads.csv";
    std::ofstream(path) << "step,kind\n";
    REQUIRE_THROWS_WITH(read_heads_log(path), Catch::Contains("heads.csv") && Catch::Contains("line 1"));
    std::ofstream(path) << HeadsLog::header() << "\n0,sideways,0,0,3,0.5,,,,,,,,\"x\"\n";
    REQUIRE_THROWS_WITH(read_heads_log(path), Catch::Contains("line 2") && Catch::Contains("sideways"));
    std::ofstream(path) << HeadsLog::header() << "\n0,cross,0,0,3,abc,,,,,,,,\"x\"\n";
    REQUIRE_THROWS_WITH(read_heads_log(path), Catch::Contains("line 2") && Catch::Contains("'abc'"));
}

TEST_CASE("heads_svg draws a panel per kind and layer with a line per head", "[translate][heads]") {
    std::vector<HeadEntropySeries> series;
    for (auto kind : {nn::AttentionKind::encoder_self, nn::AttentionKind::decoder_self, nn::AttentionKind::cross})
        for (int64_t layer = 0; layer < 2; ++layer)
            for (int64_t head = 0; head < 4; ++head)
                series.push_back({.kind = kind, .layer = layer, .head = head,
                                  .entropy = {{0, 0.99}, {250, 0.8 - 0.1 * head}, {500, 0.6 - 0.1 * head}}});
    const std::string svg = heads_svg(series, {.title = "dates <run> & heads"});
    CHECK(xml_problem(svg).empty());
    CHECK(count_occurrences(svg, "<polyline") == 3 * 2 * 4);
    CHECK(svg.find("cross-attention, layer 1") != std::string::npos);
    CHECK(svg.find("decoder masked self-attention, layer 0") != std::string::npos);
    CHECK(svg.find("head 3") != std::string::npos);
    CHECK(svg.find("dates &lt;run&gt; &amp; heads") != std::string::npos);

    const std::string empty = heads_svg({});
    CHECK(xml_problem(empty).empty());
    CHECK(empty.find("no data") != std::string::npos);
}
