// DataLoader: batches of encoded sentence pairs for training, in a seeded order that a checkpoint can resume.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "data/collate.h"
#include "data/distributed_sampler.h"

namespace tapegrad::data {

struct DataLoaderOptions {
    int64_t batch_size = 64;  // sentences per batch (>= 1 unless max_tokens is set)
    // When > 0, batches are formed by a token budget instead of batch_size: as many sentences as fit in
    // size * max(S, T) <= max_tokens, counting padding (S longest source, T longest target + 1). A single
    // sentence longer than the budget forms a batch of its own.
    int64_t max_tokens = 0;
    bool shuffle = true;           // a new random order every epoch, from seed and the epoch number
    bool bucket_by_length = true;  // batch sentences of similar length together, so less compute goes to PAD
    uint64_t seed = 0;
    bool drop_last = false;        // drop a final batch smaller than batch_size (batch_size mode only)
    // Data-parallel training: batch_size and max_tokens describe the global batch, and next() returns only
    // this rank's shard of it (data/distributed_sampler.h). With world_size > 1, a global batch smaller
    // than world_size (only ever the last of an epoch) is dropped, so that no rank gets an empty shard.
    ShardOptions shard = {};
};

// Where a loader is in its stream of batches: the next call to next() returns batch `batch_index` of epoch
// `epoch`. Saving this with a checkpoint and restoring it with set_state() resumes at the same batch.
struct DataLoaderState {
    int64_t epoch = 0;
    int64_t batch_index = 0;
    bool operator==(const DataLoaderState&) const = default;
};

// The order of an epoch is a pure function of (seed, epoch), so no random state needs saving:
//  1. shuffle the example indices (randperm with a generator at counter epoch * 2^40);
//  2. with bucket_by_length, cut that order into windows of 50 batches' worth of sentences and sort each
//     window by (source length, target length) — a stable sort, so ties keep the shuffled order;
//  3. cut the order into batches (by batch_size, or by the token budget);
//  4. with shuffle and bucket_by_length, shuffle the order of the batches, so lengths do not grow through
//     the epoch.
// Without shuffle the examples stay in dataset order (sorted within windows when bucketing).
class DataLoader {
public:
    // source_ids[i] and target_ids[i] are example i; targets are bare ids (collate adds BOS / EOS). Throws
    // std::invalid_argument for mismatched counts, an empty source, a negative id or a PAD id inside a
    // sequence (it would be masked out), or invalid options.
    DataLoader(std::vector<std::vector<int64_t>> source_ids, std::vector<std::vector<int64_t>> target_ids,
               DataLoaderOptions options = {});

    // The next batch of the current epoch (this rank's shard of it), or nullopt when the epoch is over; the
    // call that returns nullopt also moves to the next epoch, so `while (auto batch = loader.next())` is one
    // epoch.
    std::optional<Batch> next();

    DataLoaderState state() const { return state_; }
    // Throws std::invalid_argument for a negative epoch or a batch_index outside [0, num_batches(epoch)].
    void set_state(DataLoaderState state);

    // Batches of the current epoch, and each (global) batch as example indices (fixed by seed and epoch).
    int64_t num_batches() const { return static_cast<int64_t>(plan().size()); }
    const std::vector<std::vector<int64_t>>& plan() const;
    // The example indices of every batch of `epoch` (what plan() holds when that epoch is current).
    std::vector<std::vector<int64_t>> plan_epoch(int64_t epoch) const;

    int64_t num_examples() const { return static_cast<int64_t>(source_ids_.size()); }
    const DataLoaderOptions& options() const { return options_; }

private:
    std::vector<std::vector<int64_t>> source_ids_, target_ids_;
    DataLoaderOptions options_;
    DataLoaderState state_;
    mutable std::vector<std::vector<int64_t>> plan_;  // cache of plan_epoch(plan_epoch_)
    mutable int64_t plan_epoch_ = -1;
};

// The token-budget cost of a batch: size * max(longest source, longest target + 1).
int64_t batch_token_cost(const std::vector<std::vector<int64_t>>& source_ids,
                         const std::vector<std::vector<int64_t>>& target_ids, const std::vector<int64_t>& indices);

}  // namespace tapegrad::data
