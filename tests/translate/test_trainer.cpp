// The trainer end to end on small runs: it learns, it resumes bit for bit, its after_step test seam, and
// beam 1 equals greedy.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "examples/translate/checkpoint.h"
#include "examples/translate/decode.h"
#include "examples/translate/fault_injection.h"
#include "examples/translate/model.h"
#include "examples/translate/train.h"

using namespace tapegrad;
using namespace tapegrad::translate;

namespace {

// A model small enough to train in seconds on the reverse task.
TrainConfig tiny_reverse_config() {
    TrainConfig config;
    config.task = "reverse";
    config.num_examples = 2000;
    config.encoder_layers = config.decoder_layers = 1;
    config.embed_dim = 64;
    config.num_heads = 4;
    config.ff_dim = 128;
    config.batch_size = 32;
    config.lr = 2e-3;
    config.schedule = "warmup";
    config.warmup_steps = 50;
    config.eval_every = 1000000;  // no periodic validation
    config.checkpoint_every = 1000000;
    config.threads = 1;
    config.max_len = 32;
    return config;
}

std::filesystem::path scratch(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() / ("tapegrad_trainer_" + name);
    std::filesystem::remove_all(path);
    return path;
}

}  // namespace

// Untrained, the loss is about ln(30) ≈ 3.4 (uniform over the vocabulary); measured at step 200: 2.23.
TEST_CASE("trainer: a tiny model gets its reverse-task loss below 2.5 within 200 steps", "[translate][trainer]") {
    TrainConfig config = tiny_reverse_config();
    config.max_steps = 200;
    const TrainResult result = train({.config = config, .checkpoint_dir = scratch("learn"), .evaluate_test = false});
    CHECK(result.steps == 200);
    CHECK(result.final_loss < 2.5);
    const auto directory = std::filesystem::temp_directory_path() / "tapegrad_trainer_learn";
    CHECK(std::filesystem::exists(directory / "loss_curve.svg"));
    CHECK(std::filesystem::exists(directory / "log.csv"));
}

TEST_CASE("trainer: 2N steps straight equal N steps, save, resume, N steps — bitwise", "[translate][trainer]") {
    TrainConfig config = tiny_reverse_config();
    config.max_steps = 40;
    const auto straight = scratch("straight"), resumed = scratch("resumed");
    train({.config = config, .checkpoint_dir = straight, .evaluate_test = false});
    config.max_steps = 20;
    train({.config = config, .checkpoint_dir = resumed, .evaluate_test = false});
    train({.config = config, .checkpoint_dir = resumed, .resume = true, .max_steps = 40, .evaluate_test = false});

    const Checkpoint a = read_checkpoint(straight), b = read_checkpoint(resumed);
    CHECK(a.state.step == 40);
    CHECK(b.state.step == 40);
    CHECK(a.state.loader == b.state.loader);
    REQUIRE(a.contents.tensors.size() == b.contents.tensors.size());
    for (std::size_t i = 0; i < a.contents.tensors.size(); ++i) {
        CAPTURE(a.contents.tensors[i].first);
        REQUIRE(a.contents.tensors[i].first == b.contents.tensors[i].first);
        const Tensor& x = a.contents.tensors[i].second;
        const Tensor& y = b.contents.tensors[i].second;
        REQUIRE(x.dtype() == y.dtype());
        REQUIRE(x.numel() == y.numel());
        CHECK(std::memcmp(x.raw_data(), y.raw_data(), x.numel() * dtype_size(x.dtype())) == 0);
    }
}

TEST_CASE("trainer: after_step sees every step in order, and a fault it injects ends the run", "[translate][trainer]") {
    TrainConfig config = tiny_reverse_config();
    config.max_steps = 5;
    std::vector<int64_t> steps;
    train({.config = config, .checkpoint_dir = scratch("after_step"), .evaluate_test = false,
           .after_step = [&steps](int rank, int64_t step, nn::Module&) {
               CHECK(rank == 0);
               steps.push_back(step);
           }});
    CHECK(steps == std::vector<int64_t>{1, 2, 3, 4, 5});

    config.max_steps = 10;
    REQUIRE_THROWS_WITH(train({.config = config, .checkpoint_dir = scratch("fault"), .evaluate_test = false,
                               .after_step = inject_fault(parse_test_fault("0:3:throw"))}),
                        Catch::Contains("rank 0 fails after step 3"));
}

TEST_CASE("trainer: beam search with beam 1 gives exactly the greedy output", "[translate][decode]") {
    TrainConfig config = tiny_reverse_config();
    config.max_steps = 60;
    const auto directory = scratch("beam");
    train({.config = config, .checkpoint_dir = directory, .evaluate_test = false});
    const Checkpoint checkpoint = read_checkpoint(directory);
    const Experiment experiment = checkpoint.experiment();
    auto model = checkpoint.load_model(experiment);
    for (std::size_t i = 0; i < 20; ++i) {
        const auto source = experiment.source.encode(experiment.splits.test.at(i).source);
        const auto greedy = greedy_decode(*model, from_vector(source, {1, static_cast<int64_t>(source.size())}), 30)[0];
        CHECK(beam_search(*model, source, {.beam_size = 1, .max_len = 30}) == greedy);
        CHECK(beam_search(*model, source, {.beam_size = 3, .max_len = 30}).size() <= 30);
    }
}
