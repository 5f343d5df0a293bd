// DataLoader: seeded order, bucketing, token budgets, drop_last, and resuming from a saved state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include "base/generator.h"
#include "data/data_loader.h"

using namespace tapegrad;
using namespace tapegrad::data;

namespace Catch {
template <> struct StringMaker<DataLoaderState> {
    static std::string convert(const DataLoaderState& state) {
        return "{epoch " + std::to_string(state.epoch) + ", batch_index " + std::to_string(state.batch_index) + "}";
    }
};
}  // namespace Catch

namespace {

struct Dataset {
    std::vector<std::vector<int64_t>> sources, targets;
};

// n examples with random lengths in [1, max_length]; ids start at 4 (after the special tokens).
Dataset random_dataset(int64_t n, int64_t max_length, uint64_t seed) {
    Generator generator(seed);
    Dataset data;
    for (int64_t i = 0; i < n; ++i) {
        std::vector<int64_t> source(static_cast<std::size_t>(generator.next_int(1, max_length + 1)), 4 + i % 50);
        std::vector<int64_t> target(static_cast<std::size_t>(generator.next_int(1, max_length + 1)), 5 + i % 50);
        data.sources.push_back(std::move(source));
        data.targets.push_back(std::move(target));
    }
    return data;
}

std::vector<std::vector<int64_t>> epoch_batches(DataLoader& loader) {
    std::vector<std::vector<int64_t>> batches;
    while (auto batch = loader.next()) batches.push_back(batch->indices);
    return batches;
}

int64_t padded_cells(const Dataset& data, const std::vector<std::vector<int64_t>>& batches) {
    int64_t cells = 0;
    for (const auto& batch : batches) {
        std::size_t longest = 0;
        for (int64_t i : batch) longest = std::max(longest, data.sources[static_cast<std::size_t>(i)].size());
        cells += static_cast<int64_t>(longest * batch.size());
    }
    return cells;
}

}  // namespace

TEST_CASE("data_loader: the same seed gives the same batches, another seed another order", "[data][loader]") {
    const Dataset data = random_dataset(500, 20, 1);
    DataLoader a(data.sources, data.targets, {.batch_size = 16, .seed = 3});
    DataLoader b(data.sources, data.targets, {.batch_size = 16, .seed = 3});
    DataLoader c(data.sources, data.targets, {.batch_size = 16, .seed = 4});
    const auto a0 = epoch_batches(a), a1 = epoch_batches(a);
    CHECK(a0 == epoch_batches(b));
    CHECK(a1 == epoch_batches(b));
    CHECK(a0 != a1);  // a new order every epoch
    CHECK(a0 != epoch_batches(c));
    CHECK(a.state() == DataLoaderState{2, 0});
}

TEST_CASE("data_loader: each example once per epoch, and drop_last keeps full batches only", "[data][loader]") {
    const Dataset data = random_dataset(103, 10, 2);
    DataLoader loader(data.sources, data.targets, {.batch_size = 10});
    std::vector<int64_t> seen;
    for (const auto& batch : epoch_batches(loader)) {
        CHECK(batch.size() <= 10);
        seen.insert(seen.end(), batch.begin(), batch.end());
    }
    std::sort(seen.begin(), seen.end());
    std::vector<int64_t> all(103);
    std::iota(all.begin(), all.end(), 0);
    CHECK(seen == all);

    DataLoader dropping(data.sources, data.targets, {.batch_size = 10, .drop_last = true});
    const auto batches = epoch_batches(dropping);
    CHECK(batches.size() == 10);
    for (const auto& batch : batches) CHECK(batch.size() == 10);
}

TEST_CASE("data_loader: without shuffle or bucketing, batches follow dataset order", "[data][loader]") {
    const Dataset data = random_dataset(7, 5, 3);
    DataLoader loader(data.sources, data.targets, {.batch_size = 3, .shuffle = false, .bucket_by_length = false});
    CHECK(epoch_batches(loader) == std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}});
    const auto batch = DataLoader(data.sources, data.targets, {.batch_size = 3, .shuffle = false}).plan_epoch(0);
    for (const auto& indices : batch)  // bucketing alone sorts by source length
        for (std::size_t i = 1; i < indices.size(); ++i)
            CHECK(data.sources[static_cast<std::size_t>(indices[i - 1])].size() <=
                  data.sources[static_cast<std::size_t>(indices[i])].size());
}

TEST_CASE("data_loader: bucketing by length reduces padding", "[data][loader]") {
    const Dataset data = random_dataset(2000, 40, 4);
    const auto bucketed = DataLoader(data.sources, data.targets, {.batch_size = 32}).plan_epoch(0);
    const auto plain = DataLoader(data.sources, data.targets, {.batch_size = 32, .bucket_by_length = false}).plan_epoch(0);
    int64_t tokens = 0;
    for (const auto& source : data.sources) tokens += static_cast<int64_t>(source.size());
    INFO("tokens " << tokens << ", padded cells bucketed " << padded_cells(data, bucketed) << ", plain "
                   << padded_cells(data, plain));
    CHECK(padded_cells(data, bucketed) < tokens * 11 / 10);  // under 10% padding
    CHECK(padded_cells(data, plain) > tokens * 3 / 2);
}

TEST_CASE("data_loader: token budgets are never exceeded, except by one over-long sentence", "[data][loader]") {
    Dataset data = random_dataset(600, 30, 5);
    data.sources.push_back(std::vector<int64_t>(300, 9));  // alone it costs 300 > 256
    data.targets.push_back({9});
    DataLoader loader(data.sources, data.targets, {.max_tokens = 256, .seed = 1});
    int64_t examples = 0;
    bool saw_long = false;
    while (auto batch = loader.next()) {
        const int64_t cost = batch_token_cost(data.sources, data.targets, batch->indices);
        CHECK(cost == batch->size() * std::max(batch->source.size(1), batch->target_output.size(1)));
        if (batch->indices == std::vector<int64_t>{600}) saw_long = true;
        else CHECK(cost <= 256);
        examples += batch->size();
    }
    CHECK(saw_long);
    CHECK(examples == 601);
}

TEST_CASE("data_loader: a restored state resumes at the same batch", "[data][loader]") {
    const Dataset data = random_dataset(300, 15, 6);
    const DataLoaderOptions options{.batch_size = 8, .seed = 9};
    DataLoader original(data.sources, data.targets, options);
    const int64_t per_epoch = original.num_batches();
    for (int64_t i = 0; i < per_epoch; ++i) REQUIRE(original.next());
    REQUIRE_FALSE(original.next());  // end of epoch 0
    for (int i = 0; i < 5; ++i) REQUIRE(original.next());
    const DataLoaderState saved = original.state();
    CHECK(saved == DataLoaderState{1, 5});
    const Batch expected = *original.next();

    DataLoader resumed(data.sources, data.targets, options);
    resumed.set_state(saved);
    const Batch batch = *resumed.next();
    CHECK(batch.indices == expected.indices);
    CHECK(batch.source.to_vector<int64_t>() == expected.source.to_vector<int64_t>());
    CHECK(batch.target_output.to_vector<int64_t>() == expected.target_output.to_vector<int64_t>());
    CHECK(resumed.state() == original.state());

    REQUIRE_THROWS_WITH(resumed.set_state({0, per_epoch + 1}),
                        Catch::Contains("set_state") && Catch::Contains(std::to_string(per_epoch + 1)));
    CHECK(resumed.state() == original.state());  // a rejected state changes nothing
}

TEST_CASE("data_loader: invalid data and options are rejected with the offending value", "[data][loader]") {
    REQUIRE_THROWS_WITH(DataLoader({{4}}, {{5}, {6}}), Catch::Contains("1 source") && Catch::Contains("2 target"));
    REQUIRE_THROWS_WITH(DataLoader({{4, 0, 5}}, {{6}}),
                        Catch::Contains("source sequence 0") && Catch::Contains("position 1"));
    REQUIRE_THROWS_WITH(DataLoader({{}}, {{6}}), Catch::Contains("source sequence 0 is empty"));
    REQUIRE_THROWS_WITH(DataLoader({{4}}, {{6}}, {.batch_size = 0}), Catch::Contains("batch_size") && Catch::Contains("0"));
    REQUIRE_THROWS_WITH(DataLoader({{4}}, {{6}}, {.max_tokens = -5}), Catch::Contains("max_tokens") && Catch::Contains("-5"));
    DataLoader empty({}, {});
    CHECK(empty.num_batches() == 0);
    CHECK_FALSE(empty.next().has_value());
    CHECK(empty.state() == DataLoaderState{1, 0});
}
