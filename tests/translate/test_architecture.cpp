// `translate train --architecture transformer|lstm|lstm-attention`: the LSTMs train, save, evaluate and
// translate (greedy, beam, and lstm-attention's heat-map); the architecture is recorded in the checkpoint;
// an unknown architecture, resuming as another one, a heat-map of a model without attention, and
// tensors that do not fit the config's model are clear errors. lstm-attention learns the reversal task.
#include <catch2/catch.hpp>

#include "autograd/serialize/safetensors.h"
#include "command_fixtures.h"
#include "examples/translate/checkpoint.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

CapturedOutput run_command(int (*command)(const std::vector<std::string>&), const std::vector<std::string>& arguments) {
    int status = -1;
    CapturedOutput output = capture_output([&] { status = command(arguments); });
    REQUIRE(status == 0);
    return output;
}

}  // namespace

TEST_CASE("architecture: lstm and lstm-attention train, save, evaluate and translate", "[translate][architecture]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(200));
    for (const std::string architecture : {"lstm", "lstm-attention"}) {
        DYNAMIC_SECTION(architecture) {
            const std::filesystem::path run = scratch.path / architecture;
            train_tiny(data, run, {"--architecture", architecture});
            const Checkpoint checkpoint = read_checkpoint(run);
            CHECK(checkpoint.config.architecture == architecture);
            const auto model = checkpoint.load_model(checkpoint.experiment(RestoreSplits::skip));
            CHECK(model->type_name() == "Seq2SeqLSTM");
            CHECK(model->cross_attention().size() == (architecture == "lstm" ? 0u : 1u));

            const nlohmann::json eval = last_json_line(run_command(eval_command, {"--checkpoint", run.string(), "--threads", "1"}).out);
            CHECK(eval.at("sentences").get<int64_t>() > 0);
            const std::vector<std::string> greedy =
                lines_of(run_command(translate_command, {"--checkpoint", run.string(), "--threads", "1", "abc", "hgfe"}).out);
            CHECK(greedy.size() == 2);
            const std::vector<std::string> beam = lines_of(
                run_command(translate_command, {"--checkpoint", run.string(), "--threads", "1", "--beam", "3", "abc", "hgfe"}).out);
            CHECK(beam.size() == 2);

            const std::filesystem::path svg = scratch.path / (architecture + ".svg");
            const std::vector<std::string> with_map{"--checkpoint", run.string(), "--threads", "1", "--attention", svg.string(), "abc"};
            if (architecture == "lstm") {
                REQUIRE_THROWS_WITH(translate_command(with_map),
                                    Catch::Contains("--attention") && Catch::Contains("Seq2SeqLSTM") &&
                                        Catch::Contains("does not attend") && Catch::Contains("lstm-attention"));
                CHECK(!std::filesystem::exists(svg));
            } else {
                run_command(translate_command, with_map);
                const std::string picture = read_text(svg);
                CHECK(xml_problem(picture).empty());
                REQUIRE_THROWS_WITH(translate_command({"--checkpoint", run.string(), "--threads", "1", "--attention",
                                                       svg.string(), "--layer", "1", "abc"}),
                                    Catch::Contains("--layer 1") && Catch::Contains("1 layers"));
            }
        }
    }
}

TEST_CASE("architecture: an unknown --architecture or --attention-score is an error naming it", "[translate][architecture]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(50));
    std::vector<std::string> arguments = tiny_train_arguments(data, scratch.path / "run");
    arguments.insert(arguments.end(), {"--architecture", "gru"});
    REQUIRE_THROWS_WITH(train_command(arguments), Catch::Contains("--architecture") && Catch::Contains("'gru'") &&
                                                      Catch::Contains("lstm, lstm-attention, transformer"));
    arguments = tiny_train_arguments(data, scratch.path / "run");
    arguments.insert(arguments.end(), {"--architecture", "lstm-attention", "--attention-score", "bilinear"});
    REQUIRE_THROWS_WITH(train_command(arguments), Catch::Contains("--attention-score") && Catch::Contains("'bilinear'"));
    CHECK(!std::filesystem::exists(scratch.path / "run"));
}

TEST_CASE("architecture: resuming a checkpoint as another architecture is an error naming both", "[translate][architecture]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(100));
    const std::filesystem::path run = scratch.path / "run";
    train_tiny(data, run, {"--architecture", "lstm-attention"});
    REQUIRE_THROWS_WITH(
        train_command({"--checkpoint", run.string(), "--resume", "--max-steps", "5", "--architecture", "transformer"}),
        Catch::Contains("lstm-attention model") && Catch::Contains("--architecture transformer") &&
            Catch::Contains(checkpoint_file(run).string()));
    // Naming its own architecture, or none, resumes.
    const nlohmann::json resumed = last_json_line(run_command(
        train_command, {"--checkpoint", run.string(), "--resume", "--max-steps", "5", "--architecture", "lstm-attention"}).out);
    CHECK(resumed.at("steps").get<int64_t>() == 5);
}

TEST_CASE("architecture: a checkpoint whose tensors do not fit its config's model names the tensors and shapes", "[translate][architecture]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(100));
    const std::filesystem::path run = scratch.path / "run";
    train_tiny(data, run, {"--architecture", "lstm"});
    // Relabel the checkpoint as a Transformer: its LSTM tensors cannot load into one.
    SafetensorsContents contents = load_safetensors(checkpoint_file(run));
    TrainConfig config = TrainConfig::from_json(contents.metadata.at("config"));
    config.architecture = "transformer";
    contents.metadata["config"] = config.to_json();
    save_safetensors(checkpoint_file(run), contents.tensors, contents.metadata);
    REQUIRE_THROWS_WITH(run_command(eval_command, {"--checkpoint", run.string(), "--threads", "1"}),
                        Catch::Contains("Seq2SeqTransformer") && Catch::Contains("architecture 'transformer'") &&
                            Catch::Contains("unexpected 'encoder.weight_ih_l0'") && Catch::Contains("missing"));
}

TEST_CASE("architecture: lstm-attention learns to reverse strings", "[translate][architecture][learning]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(400));
    const std::filesystem::path run = scratch.path / "run";
    std::vector<std::string> arguments = tiny_train_arguments(data, run);
    *(std::find(arguments.begin(), arguments.end(), "--max-steps") + 1) = "300";
    arguments.insert(arguments.end(), {"--architecture", "lstm-attention", "--schedule", "constant", "--lr", "1e-2",
                                       "--label-smoothing", "0", "--log-every", "50", "--eval-every", "1000"});
    const CapturedOutput output = run_command(train_command, arguments);
    const nlohmann::json summary = last_json_line(output.out);
    INFO(output.out);
    // Chance is ln(12) ≈ 2.5 nats per token (8 letters, EOS, PAD, BOS, <unk>).
    CHECK(summary.at("final_loss").get<double>() < 0.5);
}

TEST_CASE("precision: --precision bf16 trains under autocast, is recorded, and resumes in either precision",
          "[translate][precision][bfloat16]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(100));
    const std::filesystem::path run = scratch.path / "run";
    const CapturedOutput trained = train_tiny(data, run, {"--precision", "bf16"});
    CHECK(trained.out.find("bf16 products") != std::string::npos);
    CHECK(trained.out.find("note: --precision bf16 runs its products on the portable path") != std::string::npos);
    CHECK(read_checkpoint(run).config.precision == "bf16");
    // The weights are float32 in both precisions, so the checkpoint resumes in the other one.
    const nlohmann::json resumed = last_json_line(run_command(
        train_command, {"--checkpoint", run.string(), "--resume", "--max-steps", "8", "--precision", "fp32"}).out);
    CHECK(resumed.at("steps").get<int64_t>() == 8);
    const Checkpoint after = read_checkpoint(run);
    CHECK(after.config.precision == "fp32");
    for (const auto& [name, tensor] : after.model_state()) {
        CAPTURE(name);
        CHECK(tensor.dtype() == DType::Float32);
    }
    CHECK(lines_of(run_command(translate_command, {"--checkpoint", run.string(), "--threads", "1", "abc"}).out).size() == 1);
    // A bf16 run and an fp32 run of the same seed differ: the products really were rounded.
    const std::filesystem::path fp32_run = scratch.path / "fp32";
    train_tiny(data, fp32_run, {});
    CHECK(read_checkpoint(fp32_run).model_state().front().second.to_vector<float>() !=
          read_checkpoint(scratch.path / "run").model_state().front().second.to_vector<float>());
}

TEST_CASE("precision: another --precision is an error naming the choices", "[translate][precision]") {
    const ScratchDirectory scratch;
    const std::filesystem::path data = scratch.path / "pairs.tsv";
    write_text(data, reversal_tsv(50));
    std::vector<std::string> arguments = tiny_train_arguments(data, scratch.path / "run");
    arguments.insert(arguments.end(), {"--precision", "fp16"});
    REQUIRE_THROWS_WITH(train_command(arguments), Catch::Contains("--precision") && Catch::Contains("'fp16'") &&
                                                      Catch::Contains("bf16, fp32"));
    CHECK(!std::filesystem::exists(scratch.path / "run"));
}
