// Collating: padding, masks, the one-token shift between decoder input and loss target, token counts.
#include <catch2/catch.hpp>

#include "data/collate.h"
#include "data/vocab.h"

using namespace tapegrad;
using namespace tapegrad::data;

namespace {
constexpr int64_t PAD = Vocab::kPadId, BOS = Vocab::kBosId, EOS = Vocab::kEosId;
}

TEST_CASE("collate: with_bos_eos wraps a target", "[data][loader]") {
    CHECK(with_bos_eos({7, 8}) == std::vector<int64_t>{BOS, 7, 8, EOS});
    CHECK(with_bos_eos({}) == std::vector<int64_t>{BOS, EOS});
}

TEST_CASE("collate: pads to the longest row and marks padding", "[data][loader]") {
    const std::vector<std::vector<int64_t>> sources = {{10, 11, 12}, {13}, {14, 15}};
    const std::vector<std::vector<int64_t>> targets = {{20}, {21, 22, 23}, {}};
    const Batch batch = collate(sources, targets, {2, 0, 1});

    CHECK(batch.indices == std::vector<int64_t>{2, 0, 1});
    CHECK(batch.size() == 3);
    CHECK(batch.source.shape() == Shape{3, 3});
    CHECK(batch.source.dtype() == DType::Int64);
    CHECK(batch.source.to_vector<int64_t>() == std::vector<int64_t>{14, 15, PAD, 10, 11, 12, 13, PAD, PAD});
    CHECK(batch.source_padding_mask.dtype() == DType::Bool);
    CHECK(batch.source_padding_mask.shape() == Shape{3, 3});
    CHECK(batch.source_padding_mask.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 1, 0, 0, 0, 0, 1, 1});

    // T = longest target + 1 = 4.
    CHECK(batch.target_input.shape() == Shape{3, 4});
    CHECK(batch.target_input.to_vector<int64_t>() ==
          std::vector<int64_t>{BOS, PAD, PAD, PAD, BOS, 20, PAD, PAD, BOS, 21, 22, 23});
    CHECK(batch.target_output.to_vector<int64_t>() ==
          std::vector<int64_t>{EOS, PAD, PAD, PAD, 20, EOS, PAD, PAD, 21, 22, 23, EOS});
    CHECK(batch.target_padding_mask.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0});

    CHECK(batch.num_source_tokens == 6);
    CHECK(batch.num_target_tokens == 1 + 2 + 4);
}

TEST_CASE("collate: target_output is target_input shifted left by one", "[data][loader]") {
    const std::vector<std::vector<int64_t>> sources = {{5}, {6}};
    const std::vector<std::vector<int64_t>> targets = {{30, 31, 32, 33}, {40, 41}};
    const Batch batch = collate(sources, targets, {0, 1});
    const auto input = batch.target_input.to_vector<int64_t>();
    const auto output = batch.target_output.to_vector<int64_t>();
    const int64_t T = batch.target_input.size(1);
    for (int64_t row = 0; row < 2; ++row) {
        CHECK(input[static_cast<std::size_t>(row * T)] == BOS);
        for (int64_t t = 0; t + 1 < T; ++t) {
            const auto next_input = input[static_cast<std::size_t>(row * T + t + 1)];
            const auto this_output = output[static_cast<std::size_t>(row * T + t)];
            if (next_input != PAD) CHECK(this_output == next_input);
        }
    }
}

TEST_CASE("collate: rejects empty batches and bad indices", "[data][loader]") {
    const std::vector<std::vector<int64_t>> sources = {{5}}, targets = {{6}};
    REQUIRE_THROWS_WITH(collate(sources, targets, {}), Catch::Contains("collate"));
    REQUIRE_THROWS_WITH(collate(sources, targets, {1}), Catch::Contains("index 1") && Catch::Contains("[0, 1)"));
}
