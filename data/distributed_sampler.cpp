// shard_of_batch: rank r's strided share of a global batch.
#include "data/distributed_sampler.h"

#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::data {

void validate(const ShardOptions& shard) {
    if (shard.world_size < 1 || shard.rank < 0 || shard.rank >= shard.world_size)
        throw std::invalid_argument(fmt::format(
            "shard_of_batch: rank must be in [0, world_size) with world_size >= 1, got rank {} of world_size {}",
            shard.rank, shard.world_size));
}

std::vector<int64_t> shard_of_batch(const std::vector<int64_t>& global_batch, const ShardOptions& shard) {
    validate(shard);
    std::vector<int64_t> indices;
    indices.reserve(global_batch.size() / static_cast<std::size_t>(shard.world_size) + 1);
    for (std::size_t i = static_cast<std::size_t>(shard.rank); i < global_batch.size();
         i += static_cast<std::size_t>(shard.world_size))
        indices.push_back(global_batch[i]);
    return indices;
}

}  // namespace tapegrad::data
