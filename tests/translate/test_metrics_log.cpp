// log.csv: exact contents, flushing, resuming (no second header, torn rows and rows past the resumed step cut,
// an older header without the health columns extended), and reading back for plots.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "base/atomic_file.h"
#include "examples/translate/metrics_log.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using tapegrad::read_file;
using tapegrad::translate::testing::ScratchDirectory;

namespace {

const MetricsLogOptions eval_options{.eval_columns = {"valid_loss", "valid_exact_match"}};

MetricsRow row(int64_t step, double loss) {
    return {.step = step, .epoch = step / 10, .loss = loss, .lr = 1e-3, .tokens = 320, .tokens_per_s = 1600.0,
            .elapsed_s = 0.2 * static_cast<double>(step)};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("MetricsLog writes a header and one flushed line per step", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    const auto directory = scratch.path / "runs" / "dates";  // created on demand
    MetricsLog log(directory, eval_options);
    CHECK(log.path() == directory / "log.csv");
    log.append(row(1, 4.5));
    MetricsRow evaluated = row(2, 4.25);
    evaluated.eval = {{"valid_loss", 3.5}, {"valid_exact_match", 0.25}};
    log.append(evaluated);
    MetricsRow diverged = row(3, NAN);
    diverged.eval = {{"valid_exact_match", 0.0}};
    log.append(diverged);
    // Read while the log is still open: flush_every = 1 means every row is already in the file.
    CHECK(read_file(log.path()) ==
          "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s,valid_loss,valid_exact_match\n"
          "1,0,4.5,0.001,320,1600.0,0.200,,\n"
          "2,0,4.25,0.001,320,1600.0,0.400,3.5,0.25\n"
          "3,0,nan,0.001,320,1600.0,0.600,,0\n");
}

TEST_CASE("MetricsLog continues the same file when a run resumes", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    {
        MetricsLog log(scratch.path, eval_options);
        log.append(row(1, 4.0));
        log.append(row(2, 3.0));
    }
    {
        MetricsLog log(scratch.path, eval_options);  // the resumed run
        log.append(row(3, 2.0));
    }
    const std::string content = read_file(scratch.path / "log.csv");
    CHECK(content.find("step,") == 0);
    CHECK(content.find("step,", 1) == std::string::npos);  // one header
    const MetricsSeries series = read_metrics_log(scratch.path / "log.csv");
    CHECK(series.loss == std::vector<std::pair<double, double>>{{1, 4.0}, {2, 3.0}, {3, 2.0}});
}

TEST_CASE("MetricsLog cuts off a row torn by a crash before appending", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    const auto path = scratch.path / "log.csv";
    write_text(path,
               "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s\n"
               "1,0,4,0.001,320,1600.0,0.200\n"
               "2,0,3.5,0.0");  // the process died mid-row
    // The reader ignores the torn row...
    CHECK(read_metrics_log(path).loss == std::vector<std::pair<double, double>>{{1, 4.0}});
    // ...and reopening removes it, so the next row starts on its own line.
    MetricsLog log(scratch.path);
    log.append(row(2, 3.0));
    CHECK(read_file(path) ==
          "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s\n"
          "1,0,4,0.001,320,1600.0,0.200\n"
          "2,0,3,0.001,320,1600.0,0.400\n");
}

TEST_CASE("MetricsLog refuses to mix columns and rejects unknown eval values", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    { MetricsLog log(scratch.path, {.eval_columns = {"valid_bleu"}}); }
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path, eval_options),
                        Catch::Contains("log.csv") && Catch::Contains("elapsed_s,valid_loss,valid_exact_match") &&
                            Catch::Contains("has header 'step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s,valid_bleu'"));
    MetricsLog log(scratch.path, {.eval_columns = {"valid_bleu"}});
    MetricsRow bad = row(7, 1.0);
    bad.eval = {{"bleu", 12.0}};
    REQUIRE_THROWS_WITH(log.append(bad), Catch::Contains("step 7") && Catch::Contains("'bleu'"));
    MetricsRow bad_health = row(8, 1.0);
    bad_health.health = {{"grad_norm", 1.0}};
    REQUIRE_THROWS_WITH(log.append(bad_health), Catch::Contains("step 8") && Catch::Contains("health value 'grad_norm'"));
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path / "other", {.eval_columns = {"a,b"}}), Catch::Contains("'a,b'"));
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path / "other", {.eval_columns = {"loss"}}), Catch::Contains("'loss'"));
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path / "other", {.eval_columns = {"x"}, .health_columns = {"x"}}),
                        Catch::Contains("health column 'x'"));
}

TEST_CASE("MetricsLog writes health columns after the eval ones, empty on steps that did not measure",
          "[translate][metrics_log]") {
    ScratchDirectory scratch;
    MetricsLog log(scratch.path, {.eval_columns = {"valid_bleu"}, .health_columns = {"grad_norm", "nonfinite"}});
    log.append(row(1, 4.5));
    MetricsRow measured = row(2, 4.0);
    measured.health = {{"grad_norm", 0.75}, {"nonfinite", 0}};
    log.append(measured);
    CHECK(read_file(log.path()) ==
          "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s,valid_bleu,grad_norm,nonfinite\n"
          "1,0,4.5,0.001,320,1600.0,0.200,,,\n"
          "2,0,4,0.001,320,1600.0,0.400,,0.75,0\n");
    const MetricsSeries series = read_metrics_log(log.path());
    CHECK(series.columns.at("grad_norm") == std::vector<std::pair<double, double>>{{2, 0.75}});
    CHECK(series.columns.count("valid_bleu") == 0);
    CHECK(series.column_order == std::vector<std::string>{"valid_bleu", "grad_norm", "nonfinite"});
}

TEST_CASE("MetricsLog drops the rows past the step a run resumes from, and all of them for a new run",
          "[translate][metrics_log]") {
    ScratchDirectory scratch;
    {
        MetricsLog log(scratch.path);
        for (int step = 1; step <= 5; ++step) log.append(row(step, 10.0 - step));
    }
    {
        // Resumed from the checkpoint of step 3: the crashed run's steps 4 and 5 are gone before 4 is logged again.
        MetricsLog log(scratch.path, {.keep_rows_up_to_step = 3});
        log.append(row(4, 0.5));
    }
    CHECK(read_file(scratch.path / "log.csv") ==
          "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s\n"
          "1,0,9,0.001,320,1600.0,0.200\n"
          "2,0,8,0.001,320,1600.0,0.400\n"
          "3,0,7,0.001,320,1600.0,0.600\n"
          "4,0,0.5,0.001,320,1600.0,0.800\n");
    { MetricsLog log(scratch.path, {.keep_rows_up_to_step = -1}); }  // a new run in the same directory
    CHECK(read_file(scratch.path / "log.csv") == "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s\n");
    write_text(scratch.path / "log.csv", "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s\nx,0,1,1,1,1,1\n");
    REQUIRE_THROWS_WITH(MetricsLog(scratch.path, {.keep_rows_up_to_step = 1}),
                        Catch::Contains("log.csv' line 2") && Catch::Contains("'x'"));
}

TEST_CASE("MetricsLog resumes a log written before the health columns: new header, old rows' new fields empty",
          "[translate][metrics_log]") {
    ScratchDirectory scratch;
    const auto path = scratch.path / "log.csv";
    write_text(path,
               "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s,valid_bleu\n"
               "1,0,4,0.001,320,1600.0,0.200,\n"
               "2,0,3.5,0.001,320,1600.0,0.400,12.5\n"
               "3,0,3.25,0.001,320,1600.0,0.600,\n");
    MetricsLog log(scratch.path, {.eval_columns = {"valid_bleu"}, .health_columns = {"grad_norm", "clip_factor"},
                                  .keep_rows_up_to_step = 2});
    MetricsRow measured = row(3, 3.0);
    measured.health = {{"grad_norm", 2.0}, {"clip_factor", 0.5}};
    log.append(measured);
    CHECK(read_file(path) ==
          "step,epoch,loss,lr,tokens,tokens_per_s,elapsed_s,valid_bleu,grad_norm,clip_factor\n"
          "1,0,4,0.001,320,1600.0,0.200,,,\n"
          "2,0,3.5,0.001,320,1600.0,0.400,12.5,,\n"
          "3,0,3,0.001,320,1600.0,0.600,,2,0.5\n");
    const MetricsSeries series = read_metrics_log(path);
    CHECK(series.loss.size() == 3);
    CHECK(series.columns.at("valid_bleu") == std::vector<std::pair<double, double>>{{2, 12.5}});
    CHECK(series.columns.at("clip_factor") == std::vector<std::pair<double, double>>{{3, 0.5}});
}

TEST_CASE("read_metrics_log returns loss and eval series — re-logged steps supersede older ones",
          "[translate][metrics_log]") {
    ScratchDirectory scratch;
    {
        MetricsLog log(scratch.path, eval_options);
        for (int step = 1; step <= 5; ++step) {
            MetricsRow r = row(step, 10.0 - step);
            if (step % 2 == 0) r.eval = {{"valid_loss", 20.0 - step}};
            log.append(r);
        }
    }
    {
        // Resumed from a checkpoint at step 3: steps 4 and 5 are logged again, with new values.
        MetricsLog log(scratch.path, eval_options);
        for (int step = 4; step <= 6; ++step) {
            MetricsRow r = row(step, 100.0 + step);
            if (step == 6) r.eval = {{"valid_loss", 50.0}, {"valid_exact_match", 0.5}};
            log.append(r);
        }
    }
    const MetricsSeries series = read_metrics_log(scratch.path / "log.csv");
    CHECK(series.loss == std::vector<std::pair<double, double>>{{1, 9}, {2, 8}, {3, 7}, {4, 104}, {5, 105}, {6, 106}});
    // valid_loss was logged at 2 and 4 by the first run; the resumed run's step 4 replaced that row.
    CHECK(series.columns.at("valid_loss") == std::vector<std::pair<double, double>>{{2, 18}, {6, 50}});
    CHECK(series.columns.at("valid_exact_match") == std::vector<std::pair<double, double>>{{6, 0.5}});
}

TEST_CASE("read_metrics_log names the path and line of bad input", "[translate][metrics_log]") {
    ScratchDirectory scratch;
    const auto path = scratch.path / "log.csv";
    REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains("log.csv"));  // missing
    write_text(path, "step,epoch,loss\n1,0,2.5\n2,0\n");
    REQUIRE_THROWS_WITH(read_metrics_log(path),
                        Catch::Contains("log.csv") && Catch::Contains("line 3") && Catch::Contains("expected 3 fields, got 2"));
    write_text(path, "step,epoch,loss\n1,0,abc\n");
    REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains("line 2") && Catch::Contains("'loss'") &&
                                                    Catch::Contains("'abc'"));
    write_text(path, "epoch,loss\n0,1\n");
    REQUIRE_THROWS_WITH(read_metrics_log(path), Catch::Contains("no 'step' column"));
    write_text(path, "");
    CHECK(read_metrics_log(path).loss.empty());
}
