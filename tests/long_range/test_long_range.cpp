// examples/long_range: the models, the task, the gradient reach and a whole quick run.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "examples/long_range/charts.h"
#include "examples/long_range/experiment.h"
#include "examples/long_range/gradient_reach.h"
#include "examples/long_range/recall_task.h"
#include "examples/long_range/report.h"

using namespace tapegrad;
using namespace tapegrad::long_range;

namespace {
SequenceModelOptions small_options() {
    return {.vocab_size = 8, .embed_dim = 16, .num_heads = 2, .num_layers = 1, .ff_dim = 32, .max_length = 64};
}
}  // namespace

TEST_CASE("long_range models: the counted parameters are the built ones, and the LSTM is matched to the Transformer") {
    for (const SequenceModelOptions& options : {small_options(), quick_settings().model, full_settings().model}) {
        Generator generator(1);
        const int64_t hidden = matched_lstm_hidden_size(options);
        TransformerSequenceModel transformer(options, generator);
        LSTMSequenceModel lstm(options, hidden, generator);
        CHECK(transformer.parameter_count() == transformer_parameter_count(options));
        CHECK(lstm.parameter_count() == lstm_parameter_count(options, hidden));
        // Within one hidden unit's worth of parameters (4·(E + H) + 8 + V): "equal parameter count".
        const double difference = std::abs(static_cast<double>(lstm.parameter_count() - transformer.parameter_count()));
        CHECK(difference <= 4.0 * static_cast<double>(options.embed_dim + 2 * hidden) + 8 + options.vocab_size);
    }
}

TEST_CASE("long_range models: a sequence longer than the Transformer was built for, or of the wrong width, is refused by name") {
    Generator generator(2);
    TransformerSequenceModel transformer(small_options(), generator);
    LSTMSequenceModel lstm(small_options(), 20, generator);
    const Tensor too_long = zeros({2, 65, 16});
    CHECK_THROWS_WITH(transformer.encode(too_long),
                      Catch::Contains("Transformer") && Catch::Contains("65 positions") && Catch::Contains("64"));
    CHECK_NOTHROW(lstm.encode(too_long));  // the LSTM has no length limit of its own
    CHECK_THROWS_WITH(lstm.encode(zeros({2, 5, 12})), Catch::Contains("LSTM") && Catch::Contains("[2, 5, 12]"));
    CHECK_THROWS_WITH(transformer.encode(zeros({5, 16})), Catch::Contains("Transformer") && Catch::Contains("[5, 16]"));
}

TEST_CASE("recall task: the answer is the first token, d positions before the last") {
    Generator generator(3);
    const RecallBatch batch = make_recall_batch(7, 5, 8, generator);
    REQUIRE(batch.tokens.shape() == Shape{5, 8});
    REQUIRE(batch.answers.shape() == Shape{5});
    CHECK(batch.answers.to_vector<int64_t>() == select(batch.tokens, 1, 0).contiguous().to_vector<int64_t>());
    for (int64_t token : batch.tokens.to_vector<int64_t>()) CHECK((token >= 0 && token < 8));
    CHECK_THROWS_WITH(make_recall_batch(0, 5, 8, generator), Catch::Contains("recall task") && Catch::Contains("distance 0"));
}

TEST_CASE("gradient reach: the LSTM's fades with the distance, the Transformer's does not") {
    Generator generator(4);
    TransformerSequenceModel transformer(small_options(), generator);
    LSTMSequenceModel lstm(small_options(), matched_lstm_hidden_size(small_options()), generator);
    Generator data(5);
    const std::vector<double> transformer_reach = gradient_reach(transformer, 60, 8, data);
    const std::vector<double> lstm_reach = gradient_reach(lstm, 60, 8, data);
    REQUIRE(transformer_reach.size() == 60);
    REQUIRE(lstm_reach.size() == 60);
    for (double r : transformer_reach) CHECK(std::isfinite(r));
    for (double r : lstm_reach) CHECK(std::isfinite(r));
    CHECK(transformer_reach[1] > 0);
    CHECK(lstm_reach[1] > 0);
    // Through 58 more cell steps the LSTM's Jacobian shrinks by orders of magnitude; the Transformer's
    // path to position 0 is one attention hop, as long as the path to position T − 2.
    CHECK(lstm_reach[59] < 1e-3 * lstm_reach[1]);
    CHECK(transformer_reach[59] > 0.1 * transformer_reach[1]);
    // The parameter gradients are left clean.
    for (const Tensor& p : lstm.parameters()) CHECK((!p.grad().defined() || max(abs(p.grad())).item() == 0));
}

TEST_CASE("learning at a distance: the LSTM learns to recall a token 2 positions back") {
    Generator generator(6);
    LSTMSequenceModel lstm(small_options(), 24, generator);
    Generator data(7);
    const DistanceResult result =
        train_at_distance(lstm, 2, {.steps = 150, .batch = 32, .learning_rate = 1e-2, .eval_sequences = 256}, data);
    CHECK(result.accuracy > 0.9);  // chance is 1/8
    CHECK(result.final_loss < 0.5);
}

TEST_CASE("run_long_range at the quick settings: every measurement present and finite") {
    std::ostringstream progress;
    const LongRangeSettings settings = quick_settings();
    const LongRangeResults results = run_long_range(settings, progress);
    CHECK_THAT(progress.str(), Catch::Contains("recall at d = 6") && Catch::Contains("greedy decoding timed"));
    REQUIRE(results.reach.size() == 4);  // 2 models × (initialisation, after training)
    for (const ReachCurve& curve : results.reach) {
        REQUIRE(curve.reach.size() == 7);  // the longest distance + 1 positions
        CHECK(curve.reach[1] > 0);
        for (double r : curve.reach) CHECK(std::isfinite(r));
    }
    REQUIRE(results.distances.size() == 4);
    for (const ModelDistanceResult& r : results.distances) CHECK((r.result.accuracy >= 0 && r.result.accuracy <= 1));
    REQUIRE(results.step_times.size() == 2 * 2 * 2);  // lengths × threads × models
    for (const StepTime& t : results.step_times) {
        CHECK(t.seconds > 0);
        CHECK(t.sequential_steps == (t.model == "LSTM" ? t.length : settings.model.num_layers));
    }
    REQUIRE(results.decode_times.size() == 2 * 3);
    for (const DecodeTime& t : results.decode_times) CHECK(t.seconds > 0);

    const std::string summary = summary_markdown(results);
    CHECK_THAT(summary, Catch::Contains("| 6 | LSTM |") && Catch::Contains("Transformer, KV cache"));
    const auto directory = std::filesystem::temp_directory_path() / "tapegrad_long_range_test";
    std::filesystem::remove_all(directory);
    write_results(directory, results);
    for (const char* name : {"reach.svg", "distance.svg", "step_time.svg", "decode_time.svg", "summary.md"})
        CHECK(std::filesystem::file_size(directory / name) > 100);
    std::filesystem::remove_all(directory);
}

TEST_CASE("run_long_range: a distance the Transformer cannot hold is refused before anything runs") {
    LongRangeSettings settings = quick_settings();
    settings.distances = {5, 64};
    std::ostringstream progress;
    CHECK_THROWS_WITH(run_long_range(settings, progress), Catch::Contains("distance 64") && Catch::Contains("[1, 63]"));
    CHECK(progress.str().empty());
}

TEST_CASE("run_long_range: the learning and the timing parts run on their own") {
    std::ostringstream progress;
    LongRangeSettings settings = quick_settings();
    settings.timing = false;
    const LongRangeResults learning = run_long_range(settings, progress);
    CHECK(learning.distances.size() == 4);
    CHECK(learning.step_times.empty());
    CHECK(learning.decode_times.empty());
    settings.timing = true;
    settings.learning = false;
    const LongRangeResults timing = run_long_range(settings, progress);
    CHECK(timing.distances.empty());
    CHECK(timing.reach.empty());
    CHECK(timing.step_times.size() == 8);
    // A part left out still gives every figure, each saying "no data" where it has none.
    CHECK_THAT(reach_svg(timing), Catch::Contains("no data"));
}
