// read_metrics_log on log.csv files a fuzzer made (tests/fuzz/fuzz_metrics_log): refused with the file and
// line, never a series that is not strictly increasing in step.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "examples/translate/append_log.h"
#include "examples/translate/metrics_log.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

std::filesystem::path write_log(const ScratchDirectory& scratch, const std::string& text) {
    const std::filesystem::path path = scratch.path / "log.csv";
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

const std::string kHeader = "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s";

}  // namespace

TEST_CASE("read_metrics_log refuses a header naming a column twice", "[translate][metrics_log]") {
    // Found by the fuzzer: two grad_norm columns gave the grad_norm series two points per step.
    ScratchDirectory scratch;
    const auto path = write_log(scratch, kHeader + ",grad_norm,grad_norm\n1,0,2.5,0.001,10,1.0,0.1,0.5,0.7\n");
    REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains(path.string()) && Catch::Contains("line 1") &&
                                                    Catch::Contains("'grad_norm' appears twice"));
}

TEST_CASE("read_metrics_log refuses a step that is not a finite integer", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    for (const std::string step : {"nan", "inf", "-1", "2.5", "1e13"}) {
        CAPTURE(step);
        const auto path = write_log(scratch, kHeader + "\n1,0,2.5,0.001,10,1.0,0.1\n" + step + ",0,2.5,0.001,10,1.0,0.1\n");
        REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains(path.string()) && Catch::Contains("line 3") &&
                                                        Catch::Contains("step '" + step + "' is not an integer"));
    }
}

TEST_CASE("read_metrics_log still reads a resumed log's re-logged steps", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    const auto path = write_log(scratch, kHeader + ",grad_norm\n1,0,3,0.001,10,1.0,0.1,\n2,0,2,0.001,10,1.0,0.2,0.5\n"
                                                   "2,0,1.5,0.001,10,1.0,0.2,0.25\n");
    const MetricsSeries series = read_metrics_log(path);
    REQUIRE(series.loss == std::vector<std::pair<double, double>>{{1, 3}, {2, 1.5}});
    REQUIRE(series.columns.at("grad_norm") == std::vector<std::pair<double, double>>{{2, 0.25}});
}

TEST_CASE("a log.csv larger than the documented limit is refused before it is read", "[translate][metrics_log]") {
    // A sparse file: its size is past kMaxAppendLogBytes, its blocks are not on disk, and it is never read.
    ScratchDirectory scratch;
    const auto path = write_log(scratch, kHeader + "\n");
    std::filesystem::resize_file(path, kMaxAppendLogBytes + 1);
    REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains(path.string()) && Catch::Contains("more than"));
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path, {.keep_rows_up_to_step = 0}),
                        Catch::Contains(path.string()) && Catch::Contains("more than"));
}
