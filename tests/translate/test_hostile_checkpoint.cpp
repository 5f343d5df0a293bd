// Checkpoints stand on their own (eval and translate need only the directory) and every hostile file a
// user can hand the trainer is refused with one line naming the file and the field (docs/reliability.md).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <optional>
#include <tuple>
#include <limits>

#include "autograd/serialize/safetensors.h"
#include "command_fixtures.h"
#include "examples/translate/checkpoint.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

struct TinyRun {
    ScratchDirectory scratch;
    std::filesystem::path data = scratch.path / "pairs.tsv";
    std::filesystem::path checkpoint = scratch.path / "run";
    TinyRun() {
        write_text(data, reversal_tsv(200));
        train_tiny(data, checkpoint);
    }
    CapturedOutput eval(std::vector<std::string> arguments) const {
        arguments.insert(arguments.begin(), {"--checkpoint", checkpoint.string(), "--threads", "1"});
        int status = -1;
        CapturedOutput output = capture_output([&] { status = eval_command(arguments); });
        REQUIRE(status == 0);
        return output;
    }
    // Rewrites one metadata key of the checkpoint (nullopt: removes it).
    void edit_metadata(const std::string& key, const std::optional<std::string>& value) const {
        SafetensorsContents contents = load_safetensors(checkpoint_file(checkpoint));
        if (value) contents.metadata[key] = *value;
        else contents.metadata.erase(key);
        save_safetensors(checkpoint_file(checkpoint), contents.tensors, contents.metadata);
    }
    std::string metadata(const std::string& key) const {
        return load_safetensors(checkpoint_file(checkpoint)).metadata.at(key);
    }
};

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& error) {
        return error.what();
    }
    return "(no error)";
}

// One line, naming `file`, and no JSON library's own text.
void check_clear(const std::string& message, const std::string& file) {
    CAPTURE(message);
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Catch::Contains(file));
    CHECK_THAT(message, !Catch::Contains("json.exception") && !Catch::Contains("stoull") && !Catch::Contains("bad_alloc"));
}

}  // namespace

TEST_CASE("hostile checkpoint: eval and translate need only the checkpoint directory", "[translate][hostile]") {
    const TinyRun run;
    const Experiment original = read_checkpoint(run.checkpoint).experiment();
    CHECK(std::filesystem::exists(run.checkpoint / "test.tsv"));
    CHECK(std::filesystem::exists(run.checkpoint / "valid.tsv"));
    std::filesystem::remove(run.data);  // the training data is gone

    for (const auto& [split, pairs] : {std::pair{std::string("test"), &original.splits.test},
                                       std::pair{std::string("valid"), &original.splits.valid}}) {
        const nlohmann::json summary = last_json_line(run.eval({"--split", split}).out);
        CHECK(summary["sentences"] == pairs->size());
        CHECK(read_checkpoint(run.checkpoint).split_pairs(split) == *pairs);
    }
    // The training split is not stored: the error says so and what to do instead.
    const std::string train_error = error_of([&] { run.eval({"--split", "train"}); });
    CHECK_THAT(train_error, Catch::Contains("not stored") && Catch::Contains("--data"));

    int status = -1;
    const CapturedOutput translated = capture_output(
        [&] { status = translate_command({"--checkpoint", run.checkpoint.string(), "abc"}); });
    CHECK(status == 0);
    CHECK(!translated.out.empty());
}

TEST_CASE("hostile checkpoint: an edited stored split is noticed", "[translate][hostile]") {
    const TinyRun run;
    write_text(run.checkpoint / "test.tsv", "abc\tcba\n");
    const std::string message = error_of([&] { run.eval({}); });
    check_clear(message, (run.checkpoint / "test.tsv").string());
    CHECK_THAT(message, Catch::Contains("not the test split this checkpoint saved"));
}

TEST_CASE("hostile checkpoint: an old checkpoint without stored splits rebuilds them, or says how to go on",
          "[translate][hostile]") {
    const TinyRun run;
    const Experiment original = read_checkpoint(run.checkpoint).experiment();
    run.edit_metadata("splits", std::nullopt);
    std::filesystem::remove(run.checkpoint / "test.tsv");
    CHECK(last_json_line(run.eval({}).out)["sentences"] == original.splits.test.size());
    std::filesystem::remove(run.data);
    const std::string message = error_of([&] { run.eval({}); });
    check_clear(message, checkpoint_file(run.checkpoint).string());
    CHECK_THAT(message, Catch::Contains("predates stored splits") && Catch::Contains("--data"));
}

TEST_CASE("hostile checkpoint: config errors name the file and the field", "[translate][hostile]") {
    const TinyRun run;
    const std::string file = checkpoint_file(run.checkpoint).string();
    nlohmann::json config = nlohmann::json::parse(run.metadata("config"));
    const auto with = [&](const std::string& field, const nlohmann::json& value) {
        nlohmann::json edited = config;
        edited[field] = value;
        return edited.dump();
    };
    const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
        {with("embed_dim", 1e20), "config: embed_dim", "1e+20 is not an integer in [1, 4096]"},
        {with("embed_dim", -3), "config: embed_dim", "-3 is not an integer in [1, 4096]"},
        {with("lr", "fast"), "config: lr", "\"fast\" is not a number"},
        {with("max_minutes", nullptr), "config: max_minutes", "null is not a number"},
        {with("num_examples", 1'000'000'000), "config: num_examples", "is not an integer in [10, 10000000]"},
        {with("encoder_layers", 1000), "config: encoder_layers", "[1, 64]"},
        {with("tokenizer", "sentencepiece"), "config: tokenizer", "'sentencepiece' is not one of bpe, char, word"},
        {"{\"embed_dim\": 16,", "config", "not valid JSON (at byte"},
        {"[1, 2]", "config", "expected a JSON object, got array"},
    };
    for (const auto& [text, field, problem] : cases) {
        run.edit_metadata("config", text);
        const std::string message = error_of([&] { run.eval({}); });
        check_clear(message, file);
        CHECK_THAT(message, Catch::Contains(file + ": " + field) && Catch::Contains(problem));
    }
}

TEST_CASE("hostile checkpoint: a config asking for a bigger model than the tensors is refused before building",
          "[translate][hostile]") {
    const TinyRun run;
    nlohmann::json config = nlohmann::json::parse(run.metadata("config"));
    config["embed_dim"] = 4096;
    config["num_heads"] = 4;
    config["encoder_layers"] = config["decoder_layers"] = 64;  // 30 GB of weights if built
    run.edit_metadata("config", config.dump());
    const std::string message = error_of([&] { run.eval({}); });
    check_clear(message, checkpoint_file(run.checkpoint).string());
    CHECK_THAT(message, Catch::Contains("the config and the tensors disagree"));
}

TEST_CASE("hostile checkpoint: trainer state errors name the field", "[translate][hostile]") {
    const std::string source = "run/checkpoint.safetensors: trainer_state";
    TrainerState saved;
    saved.step = 3;
    saved.generators = {{"dropout", {1, 2}}};
    const nlohmann::json good = nlohmann::json::parse(saved.to_json());
    const auto with = [&](const std::string& field, const nlohmann::json& value) {
        nlohmann::json edited = good;
        if (value.is_discarded()) edited.erase(field);
        else edited[field] = value;
        return edited.dump();
    };
    const std::vector<std::tuple<std::string, std::string>> cases = {
        {with("train_seconds", nlohmann::json(nlohmann::json::value_t::discarded)), "train_seconds: missing"},
        {with("step", "3"), "step: \"3\" is not an integer"},
        {with("step", 1e300), "step: 1e+300 is not an integer"},
        {with("generators", {{"dropout", {"abc", "2"}}}), "generators.dropout: seed: \"abc\" is not a decimal"},
        {with("generators", {{"dropout", {"1", "99999999999999999999999"}}}), "generators.dropout: counter:"},
        {with("generators", {{"dropout", {"1"}}}), "generators.dropout: expected [seed, counter]"},
        {with("world_size", 0), "world_size: 0 is not an integer in [1, 4096]"},
        {"{\"step\": ", "not valid JSON"},
    };
    for (const auto& [text, expected] : cases) {
        const std::string message = error_of([&] { TrainerState::from_json(text, source); });
        check_clear(message, source);
        CHECK_THAT(message, Catch::Contains(source + ": " + expected));
    }
    const TrainerState round_trip = TrainerState::from_json(good.dump(), source);
    CHECK(round_trip.step == 3);
    CHECK(round_trip.generators.at(0).second == std::pair<uint64_t, uint64_t>{1, 2});
}

TEST_CASE("hostile checkpoint: non-finite settings are refused at the command line", "[translate][hostile]") {
    for (const auto& [field, option] : {std::pair{&TrainConfig::max_minutes, "--max-minutes"},
                                        std::pair{&TrainConfig::lr, "--lr"}, std::pair{&TrainConfig::dropout, "--dropout"}}) {
        for (double value : {std::numeric_limits<double>::infinity(), std::nan("")}) {
            TrainConfig config;
            config.*field = value;
            const std::string message = error_of([&] { validate(config); });
            CAPTURE(option, value);
            CHECK_THAT(message, Catch::StartsWith(std::string("translate train: ") + option + ": ") &&
                                    Catch::Contains("not a finite number"));
        }
    }
    // The defaults pass, and every config that passes is read back as it was saved.
    TrainConfig config;
    validate(config);
    config.max_minutes = 1.5;
    CHECK(TrainConfig::from_json(config.to_json()).max_minutes == 1.5);
}

TEST_CASE("hostile checkpoint: a config naming a device as data is refused", "[translate][hostile]") {
    TrainConfig config;
    config.data_path = "/dev/zero";
    CHECK_THROWS_WITH(load_corpus(config), Catch::Contains("/dev/zero") && Catch::Contains("is a device"));
}
