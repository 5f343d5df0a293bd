// Sharding for data-parallel training: which part of every global batch one rank trains on.
//
// Every rank builds the same DataLoader (same data, same seed), so every rank computes the same plan of
// global batches; rank r of R then collates only its shard of each one. The shards of a batch are
// disjoint and together are the whole batch, and since the plan is a pure function of (seed, epoch) the
// shards are too — nothing is communicated to agree on them, and a checkpoint's loader position resumes
// every rank at once. Plain ints, no MPI: data/ knows nothing of how ranks talk.
#pragma once

#include <cstdint>
#include <vector>

namespace tapegrad::data {

// Which shard of every global batch a DataLoader yields: rank in [0, world_size).
struct ShardOptions {
    int rank = 0;
    int world_size = 1;
};

// Throws std::invalid_argument naming the values unless 1 <= world_size and 0 <= rank < world_size.
void validate(const ShardOptions& shard);

// Rank r's examples of a global batch: positions r, r + R, r + 2R, ... (R = world_size). Strided rather
// than contiguous because a bucketed batch is sorted by length: every rank gets short and long sentences
// alike, so the ranks' steps take about equally long and none waits for the slowest in the all-reduce.
// Empty when the batch has fewer than rank + 1 examples.
std::vector<int64_t> shard_of_batch(const std::vector<int64_t>& global_batch, const ShardOptions& shard);

}  // namespace tapegrad::data
