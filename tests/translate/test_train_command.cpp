// `translate train` as a new user meets it: --data naming a directory or nothing, --task with --data, a
// corpus too small for its metrics, and empty validation and test splits.
#include <catch2/catch.hpp>

#include "command_fixtures.h"
#include "examples/translate/metrics_log.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

TEST_CASE("train command: --data naming a directory says so", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::string dir = (scratch.path / "corpus").string();
    std::filesystem::create_directories(dir);
    REQUIRE_THROWS_WITH(train_command({"--data", dir, "--checkpoint", (scratch.path / "run").string()}),
                        Catch::Contains("--data '" + dir +
                                        "' is a directory; give a tab-separated file (source<TAB>target per line)"));
}

TEST_CASE("train command: --data naming no file, or a file without pairs, says so", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::string missing = (scratch.path / "missing.tsv").string();
    REQUIRE_THROWS_WITH(train_command({"--data", missing}), Catch::Contains("--data '" + missing + "' does not exist"));
    const std::filesystem::path blank = scratch.path / "blank.tsv";
    write_text(blank, "\n  \n");
    REQUIRE_THROWS_WITH(train_tiny(blank, scratch.path / "run"),
                        Catch::Contains("--data '" + blank.string() + "' holds no pairs"));
}

TEST_CASE("train command: --task given together with --data is an error naming both", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(50));
    for (const std::string task : {"reverse", "dates"}) {  // dates is the default: given explicitly, still an error
        std::vector<std::string> arguments = tiny_train_arguments(data, scratch.path / "run");
        arguments.insert(arguments.end(), {"--task", task});
        REQUIRE_THROWS_WITH(train_command(arguments),
                            Catch::Contains("--task '" + task + "'") && Catch::Contains("--data '" + data.string() + "'"));
    }
    CHECK(!std::filesystem::exists(scratch.path / "run"));
}

TEST_CASE("train command: file:line errors of --data", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "broken.tsv";
    write_text(data, "abc\tcba\n\nno tab here\n");
    REQUIRE_THROWS_WITH(train_tiny(data, scratch.path / "run"),
                        Catch::Contains(data.string() + ":3:") && Catch::Contains("no tab"));
}

TEST_CASE("train command: a small corpus is warned about once, and the test split scored", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(200));
    const CapturedOutput output = train_tiny(data, scratch.path / "run", {"--eval-every", "2"});
    CAPTURE(output.out, output.err);
    CHECK(count_occurrences(output.err, "warning: 200 pairs: metrics on so few sentences are noisy") == 1);
    CHECK(count_occurrences(output.out, "validation exact match") == 2);  // steps 2 and 3 (the last)
    CHECK_THAT(output.out, !Catch::Contains("validation split is empty"));
    const nlohmann::json summary = last_json_line(output.out);
    CHECK(summary["sentences"] == 10);  // 5% of 200
    CHECK(summary["test_sentences"] == 10);
    CHECK(summary["split"] == "test");
    CHECK(summary["exact_match"].is_number());
    CHECK(summary["bleu"].is_number());
}

TEST_CASE("train command: empty validation and test splits are reported as empty, not as 0.0", "[translate][commands]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(100));
    // A validation every step, and a target of 0 that any score would reach: nothing to validate must not stop
    // the run, nor print 0.0 metrics.
    const CapturedOutput output = train_tiny(data, scratch.path / "run",
                                             {"--valid-fraction", "0", "--test-fraction", "0", "--eval-every", "1",
                                              "--target-exact-match", "0"});
    CAPTURE(output.out, output.err);
    CHECK(count_occurrences(output.out, "validation split is empty: no validation metrics") == 1);
    CHECK_THAT(output.out, !Catch::Contains("validation exact match"));
    CHECK_THAT(output.out, Catch::Contains("test split is empty: no metrics"));
    const nlohmann::json summary = last_json_line(output.out);
    CHECK(summary["steps"] == 3);
    CHECK(summary["sentences"] == 0);
    CHECK(summary["test_sentences"] == 0);
    CHECK(summary["exact_match"].is_null());
    CHECK(summary["token_accuracy"].is_null());
    CHECK(summary["bleu"].is_null());
    // log.csv has no validation values on any row.
    const MetricsSeries series = read_metrics_log(scratch.path / "run" / "log.csv");
    CHECK(series.loss.size() == 3);
    CHECK((series.columns.count("valid_exact_match") == 0 || series.columns.at("valid_exact_match").empty()));
}
