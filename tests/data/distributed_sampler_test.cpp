// Sharding global batches across ranks (data/distributed_sampler.h and DataLoaderOptions::shard): the
// shards of every batch are disjoint, together are the batch, and are fixed by the seed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "base/generator.h"
#include "data/data_loader.h"

using namespace tapegrad;
using namespace tapegrad::data;

namespace {

void random_dataset(int64_t n, uint64_t seed, std::vector<std::vector<int64_t>>& sources,
                    std::vector<std::vector<int64_t>>& targets) {
    Generator generator(seed);
    for (int64_t i = 0; i < n; ++i) {
        sources.emplace_back(static_cast<std::size_t>(generator.next_int(1, 20)), 4 + i % 7);
        targets.emplace_back(static_cast<std::size_t>(generator.next_int(1, 20)), 5 + i % 5);
    }
}

}  // namespace

TEST_CASE("shard_of_batch: strided positions of the global batch", "[data][distributed_sampler]") {
    const std::vector<int64_t> batch{10, 11, 12, 13, 14, 15, 16};
    CHECK(shard_of_batch(batch, {0, 1}) == batch);
    CHECK(shard_of_batch(batch, {0, 3}) == std::vector<int64_t>{10, 13, 16});
    CHECK(shard_of_batch(batch, {1, 3}) == std::vector<int64_t>{11, 14});
    CHECK(shard_of_batch(batch, {2, 3}) == std::vector<int64_t>{12, 15});
    CHECK(shard_of_batch({10}, {1, 2}).empty());
    CHECK_THROWS_WITH(shard_of_batch(batch, {2, 2}), Catch::Contains("shard_of_batch") && Catch::Contains("rank 2 of world_size 2"));
    CHECK_THROWS_WITH(shard_of_batch(batch, {0, 0}), Catch::Contains("world_size 0"));
    CHECK_THROWS_WITH(shard_of_batch(batch, {-1, 2}), Catch::Contains("rank -1"));
}

TEST_CASE("DataLoader shards: every global batch split into disjoint shards that cover it, fixed by the seed",
          "[data][distributed_sampler]") {
    std::vector<std::vector<int64_t>> sources, targets;
    random_dataset(203, 5, sources, targets);
    for (const int world_size : {2, 3}) {
        for (const DataLoaderOptions base : {DataLoaderOptions{.batch_size = 16, .seed = 9},
                                             DataLoaderOptions{.max_tokens = 200, .seed = 9}}) {
            CAPTURE(world_size, base.max_tokens);
            DataLoaderOptions whole_options = base;
            DataLoader whole(sources, targets, whole_options);
            std::vector<DataLoader> ranks;
            for (int rank = 0; rank < world_size; ++rank) {
                DataLoaderOptions options = base;
                options.shard = {.rank = rank, .world_size = world_size};
                ranks.emplace_back(sources, targets, options);
            }
            for (int epoch = 0; epoch < 2; ++epoch) {
                // Global batches smaller than the world are dropped; all the others are kept, in order.
                std::vector<std::vector<int64_t>> expected = whole.plan_epoch(epoch);
                std::erase_if(expected, [&](const auto& b) { return b.size() < static_cast<std::size_t>(world_size); });
                REQUIRE(ranks[0].plan_epoch(epoch) == expected);
                for (const auto& global_batch : expected) {
                    std::multiset<int64_t> covered;
                    for (DataLoader& loader : ranks) {
                        const auto batch = loader.next();
                        REQUIRE(batch.has_value());
                        CHECK(batch->size() >= 1);
                        covered.insert(batch->indices.begin(), batch->indices.end());
                    }
                    CHECK(covered == std::multiset<int64_t>(global_batch.begin(), global_batch.end()));
                }
                for (DataLoader& loader : ranks) CHECK_FALSE(loader.next().has_value());  // the epoch ends together
            }
        }
    }
}

TEST_CASE("DataLoader shards: resuming a rank from a saved state gives the same shards", "[data][distributed_sampler]") {
    std::vector<std::vector<int64_t>> sources, targets;
    random_dataset(100, 6, sources, targets);
    const DataLoaderOptions options{.batch_size = 8, .seed = 3, .shard = {.rank = 1, .world_size = 2}};
    DataLoader straight(sources, targets, options), resumed(sources, targets, options);
    for (int i = 0; i < 5; ++i) straight.next();
    resumed.set_state(straight.state());
    for (int i = 0; i < 5; ++i) CHECK(straight.next()->indices == resumed.next()->indices);
    CHECK_THROWS_WITH(DataLoader(sources, targets, {.shard = {.rank = 3, .world_size = 2}}),
                      Catch::Contains("rank 3 of world_size 2"));
}
