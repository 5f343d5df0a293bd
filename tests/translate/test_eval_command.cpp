// `translate eval`: a split of the checkpoint's corpus (--split) or a file of one's own (--data), with the
// same file:line errors as train, unknown tokens read as <unk>, too-long pairs left out, empty splits
// reported as empty.
#include <catch2/catch.hpp>

#include "command_fixtures.h"
#include "examples/translate/checkpoint.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

// A checkpoint trained a few steps on 200 reversal pairs (180 train, 10 valid, 10 test), and its corpus.
struct TinyRun {
    ScratchDirectory scratch;
    std::filesystem::path data = scratch.path / "pairs.tsv";
    std::filesystem::path checkpoint = scratch.path / "run";
    explicit TinyRun(const std::vector<std::string>& extra = {}) {
        write_text(data, reversal_tsv(200));
        train_tiny(data, checkpoint, extra);
    }
    CapturedOutput eval(std::vector<std::string> arguments) const {
        arguments.insert(arguments.begin(), {"--checkpoint", checkpoint.string(), "--threads", "1"});
        int status = -1;
        CapturedOutput output = capture_output([&] { status = eval_command(arguments); });
        REQUIRE(status == 0);
        return output;
    }
};

}  // namespace

TEST_CASE("eval command: --split scores the chosen split of the checkpoint's corpus", "[translate][commands]") {
    const TinyRun run;
    const Experiment experiment = read_checkpoint(run.checkpoint).experiment();
    for (const auto& [split, size] : {std::pair<std::string, std::size_t>{"train", experiment.splits.train.size()},
                                      {"valid", experiment.splits.valid.size()},
                                      {"test", experiment.splits.test.size()}}) {
        const CapturedOutput output = run.eval({"--split", split});
        CAPTURE(split, output.out, output.err);
        const nlohmann::json summary = last_json_line(output.out);
        CHECK(summary["split"] == split);
        CHECK(summary["sentences"] == size);
        CHECK(summary["exact_match"].is_number());
        CHECK(summary["final_loss"].is_null());
        CHECK(summary.contains("test_sentences") == (split == "test"));
        CHECK_THAT(output.out, Catch::StartsWith(split + ": exact match "));
        CHECK(count_occurrences(output.err, "warning: 200 pairs: metrics on so few sentences are noisy") == 1);
    }
    // The default is the test split, as before.
    CHECK(last_json_line(run.eval({}).out)["split"] == "test");
}

TEST_CASE("eval command: --data scores a file of one's own with the checkpoint's tokenizers", "[translate][commands]") {
    const TinyRun run;
    const std::filesystem::path mine = run.scratch.path / "mine.tsv";
    // Line 4 is blank (skipped), line 5 holds 'z', which the vocabulary has never seen, and line 7 is longer
    // than the model's max_len of 24.
    write_text(mine, "abc\tcba\nhgf\tfgh\r\nabcd\tdcba\n\nabz\tzba\ndeed\tdeed\n" + std::string(30, 'a') + "\tb\n");
    std::filesystem::remove(run.data);  // the training corpus is not needed to score another file
    const CapturedOutput output = run.eval({"--data", mine.string()});
    CAPTURE(output.out, output.err);
    const nlohmann::json summary = last_json_line(output.out);
    CHECK(summary["split"] == mine.string());
    CHECK(summary["sentences"] == 5);
    CHECK(summary["exact_match"].is_number());
    CHECK(!summary.contains("test_sentences"));
    CHECK_THAT(output.out, Catch::StartsWith(mine.string() + ": exact match "));
    CHECK_THAT(output.err, Catch::Contains("warning: 6 pairs: metrics on so few sentences are noisy"));
    CHECK_THAT(output.err, Catch::Contains("1 of 5 pairs hold tokens the checkpoint's vocabularies do not know; "
                                           "they are read as <unk>"));
    CHECK_THAT(output.err, Catch::Contains("1 of 6 pairs are longer than the model's max_len (24 tokens)") &&
                               Catch::Contains(mine.string() + ":7"));
}

TEST_CASE("eval command: --data has train's file:line errors, and says what is wrong with the option",
          "[translate][commands]") {
    const TinyRun run;
    const std::string checkpoint = run.checkpoint.string();
    const std::filesystem::path broken = run.scratch.path / "broken.tsv";
    write_text(broken, "abc\tcba\n\tb\n");
    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--data", broken.string()}),
                        Catch::Contains(broken.string() + ":2:") && Catch::Contains("empty source side"));
    const std::filesystem::path no_tab = run.scratch.path / "no_tab.tsv";
    write_text(no_tab, "abc\tcba\n\nno tab here\n");
    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--data", no_tab.string()}),
                        Catch::Contains(no_tab.string() + ":3:") && Catch::Contains("no tab"));

    const std::string dir = run.scratch.path.string();
    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--data", dir}),
                        Catch::Contains("--data '" + dir + "' is a directory; give a tab-separated file"));
    const std::filesystem::path blank = run.scratch.path / "blank.tsv";
    write_text(blank, "\n");
    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--data", blank.string()}),
                        Catch::Contains("--data '" + blank.string() + "' holds no pairs"));

    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--data", run.data.string(), "--split", "valid"}),
                        Catch::Contains("--split 'valid'") && Catch::Contains("--data '" + run.data.string() + "'"));
    REQUIRE_THROWS_WITH(eval_command({"--checkpoint", checkpoint, "--split", "dev"}),
                        Catch::Contains("--split must be train, valid or test, got 'dev'"));
}

TEST_CASE("eval command: an empty split is reported as empty, with null metrics", "[translate][commands]") {
    const TinyRun run({"--valid-fraction", "0", "--test-fraction", "0"});
    for (const std::string split : {"test", "valid"}) {
        const CapturedOutput output = run.eval({"--split", split});
        CAPTURE(output.out);
        CHECK_THAT(output.out, Catch::StartsWith(split + " split is empty: no metrics\n"));
        const nlohmann::json summary = last_json_line(output.out);
        CHECK(summary["sentences"] == 0);
        CHECK(summary["exact_match"].is_null());
        CHECK(summary["token_accuracy"].is_null());
        CHECK(summary["bleu"].is_null());
        CHECK(summary["steps"] == 3);
    }
}
