// `translate translate --input FILE [--output FILE]`: a sentence a line in, a translation a line out, empty
// lines kept, errors naming FILE:LINE.
#include <catch2/catch.hpp>

#include "command_fixtures.h"

using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

struct TinyModel {
    ScratchDirectory scratch;
    std::filesystem::path checkpoint = scratch.path / "run";
    TinyModel() {
        const std::filesystem::path data = scratch.path / "pairs.tsv";
        write_text(data, reversal_tsv(200));
        train_tiny(data, checkpoint);
        std::filesystem::remove(data);  // translating needs the tokenizers, not the training corpus
    }
    CapturedOutput translate(std::vector<std::string> arguments) const {
        arguments.insert(arguments.begin(), {"--checkpoint", checkpoint.string(), "--threads", "1"});
        int status = -1;
        CapturedOutput output = capture_output([&] { status = translate_command(arguments); });
        REQUIRE(status == 0);
        return output;
    }
};

}  // namespace

TEST_CASE("translate command: --input gives one output line per input line, empty lines kept", "[translate][commands]") {
    const TinyModel model;
    const std::filesystem::path input = model.scratch.path / "in.txt";
    // Line 2 is empty and line 4 holds 'z', which the vocabulary has never seen (read as <unk>).
    write_text(input, "abc\n\nhgfe\r\nabz\n");
    const std::vector<std::string> expected =
        lines_of(model.translate({"abc", "", "hgfe", "abz"}).out);  // positional sentences, as before
    REQUIRE(expected.size() == 4);
    CHECK(expected[1].empty());

    const CapturedOutput to_stdout = model.translate({"--input", input.string()});
    CHECK(lines_of(to_stdout.out) == expected);

    const std::filesystem::path output = model.scratch.path / "out.txt";
    CHECK(model.translate({"--input", input.string(), "--output", output.string()}).out.empty());
    CHECK(lines_of(read_text(output)) == expected);
    CHECK(count_occurrences(read_text(output), "\n") == 4);

    // Beam search reads the same file.
    const std::vector<std::string> beam = lines_of(model.translate({"--input", input.string(), "--beam", "3"}).out);
    CHECK(beam.size() == 4);
    CHECK(beam[1].empty());
}

TEST_CASE("translate command: --input errors name the file and the line", "[translate][commands]") {
    const TinyModel model;
    const std::string checkpoint = model.checkpoint.string();
    const std::filesystem::path bad_utf8 = model.scratch.path / "bad.txt";
    write_text(bad_utf8, "abc\nab\xC5\n");
    const std::filesystem::path output = model.scratch.path / "out.txt";
    REQUIRE_THROWS_WITH(
        translate_command({"--checkpoint", checkpoint, "--input", bad_utf8.string(), "--output", output.string()}),
        Catch::Contains(bad_utf8.string() + ":2: invalid UTF-8 at byte offset 2"));
    CHECK(!std::filesystem::exists(output));  // nothing written: every line is checked first

    const std::filesystem::path too_long = model.scratch.path / "long.txt";
    write_text(too_long, "abc\n\n" + std::string(30, 'a') + "\n");
    REQUIRE_THROWS_WITH(translate_command({"--checkpoint", checkpoint, "--input", too_long.string()}),
                        Catch::Contains(too_long.string() + ":3:") && Catch::Contains("30 tokens") &&
                            Catch::Contains("at most 24"));
    REQUIRE_THROWS_WITH(translate_command({"--checkpoint", checkpoint, std::string(30, 'a')}),
                        Catch::Contains("sentence 1:") && Catch::Contains("at most 24"));

    const std::string dir = model.scratch.path.string();
    REQUIRE_THROWS_WITH(translate_command({"--checkpoint", checkpoint, "--input", dir}),
                        Catch::Contains("--input '" + dir + "' is a directory"));
    const std::string missing = (model.scratch.path / "missing.txt").string();
    REQUIRE_THROWS_WITH(translate_command({"--checkpoint", checkpoint, "--input", missing}),
                        Catch::Contains("--input '" + missing + "' cannot be opened"));
}

TEST_CASE("translate command: --input together with sentences on the command line is an error", "[translate][commands]") {
    const ScratchDirectory scratch;  // parsing fails before the checkpoint is read
    const std::filesystem::path input = scratch.path / "in.txt";
    write_text(input, "abc\n");
    REQUIRE_THROWS_WITH(translate_command({"--checkpoint", (scratch.path / "run").string(), "--input", input.string(), "abc"}),
                        Catch::Contains("--input '" + input.string() + "'") && Catch::Contains("('abc')"));
}
