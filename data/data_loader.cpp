// DataLoader: the per-epoch plan (shuffle, length buckets, batches) and the resumable position in it.
#include "data/data_loader.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "base/generator.h"
#include "data/vocab.h"

namespace tapegrad::data {

namespace {

// Bucketing sorts within windows of this many batches: wide enough that batches are nearly uniform in
// length, narrow enough that the epoch order stays random at the scale of the whole dataset.
constexpr int64_t kBucketWindowBatches = 50;

void check_sequences(const std::vector<std::vector<int64_t>>& sequences, const char* side, bool allow_empty) {
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        if (!allow_empty && sequences[i].empty())
            throw std::invalid_argument(fmt::format("DataLoader: {} sequence {} is empty", side, i));
        for (std::size_t j = 0; j < sequences[i].size(); ++j)
            if (sequences[i][j] < 0 || sequences[i][j] == Vocab::kPadId)
                throw std::invalid_argument(fmt::format(
                    "DataLoader: {} sequence {} holds id {} at position {} (ids must be >= 0 and not PAD = {})", side,
                    i, sequences[i][j], j, Vocab::kPadId));
    }
}

}  // namespace

int64_t batch_token_cost(const std::vector<std::vector<int64_t>>& source_ids,
                         const std::vector<std::vector<int64_t>>& target_ids, const std::vector<int64_t>& indices) {
    std::size_t longest = 0;
    for (int64_t index : indices) {
        const auto i = static_cast<std::size_t>(index);
        longest = std::max({longest, source_ids[i].size(), target_ids[i].size() + 1});
    }
    return static_cast<int64_t>(indices.size() * longest);
}

DataLoader::DataLoader(std::vector<std::vector<int64_t>> source_ids, std::vector<std::vector<int64_t>> target_ids,
                       DataLoaderOptions options)
    : source_ids_(std::move(source_ids)), target_ids_(std::move(target_ids)), options_(options) {
    if (source_ids_.size() != target_ids_.size())
        throw std::invalid_argument(fmt::format("DataLoader: {} source sequences but {} target sequences",
                                                source_ids_.size(), target_ids_.size()));
    if (options_.max_tokens < 0)
        throw std::invalid_argument(fmt::format("DataLoader: max_tokens must be >= 0, got {}", options_.max_tokens));
    if (options_.max_tokens == 0 && options_.batch_size < 1)
        throw std::invalid_argument(fmt::format("DataLoader: batch_size must be >= 1, got {}", options_.batch_size));
    validate(options_.shard);
    check_sequences(source_ids_, "source", /*allow_empty=*/false);
    check_sequences(target_ids_, "target", /*allow_empty=*/true);
}

std::vector<std::vector<int64_t>> DataLoader::plan_epoch(int64_t epoch) const {
    const int64_t n = num_examples();
    // Each epoch draws from its own stretch of counters (2^40 per epoch), so epochs are independent and any
    // epoch's order can be recomputed without replaying the ones before it.
    Generator generator(options_.seed);
    generator.set_state(options_.seed, static_cast<uint64_t>(epoch) << 40);

    std::vector<int64_t> order(static_cast<std::size_t>(n));
    if (options_.shuffle) order = randperm(n, generator);
    else std::iota(order.begin(), order.end(), 0);

    const bool by_tokens = options_.max_tokens > 0;
    // What one example costs against the token budget: its padded width max(S, T).
    auto width = [&](int64_t index) {
        const auto i = static_cast<std::size_t>(index);
        return static_cast<int64_t>(std::max(source_ids_[i].size(), target_ids_[i].size() + 1));
    };
    if (options_.bucket_by_length && n > 0) {
        int64_t sentences_per_batch = options_.batch_size;
        if (by_tokens) {
            int64_t total = 0;
            for (int64_t i = 0; i < n; ++i) total += width(i);
            sentences_per_batch = std::max<int64_t>(1, options_.max_tokens * n / std::max<int64_t>(1, total));
        }
        const int64_t window = std::max<int64_t>(1, kBucketWindowBatches * sentences_per_batch);
        auto by_length = [&](int64_t a, int64_t b) {
            const auto ia = static_cast<std::size_t>(a), ib = static_cast<std::size_t>(b);
            return std::pair(source_ids_[ia].size(), target_ids_[ia].size()) <
                   std::pair(source_ids_[ib].size(), target_ids_[ib].size());
        };
        for (int64_t start = 0; start < n; start += window)
            std::stable_sort(order.begin() + start, order.begin() + std::min(n, start + window), by_length);
    }

    std::vector<std::vector<int64_t>> batches;
    std::vector<int64_t> current;
    int64_t current_width = 0;  // the widest example in `current`
    for (int64_t index : order) {
        const auto size = static_cast<int64_t>(current.size());
        const bool full = by_tokens ? (size + 1) * std::max(current_width, width(index)) > options_.max_tokens
                                    : size >= options_.batch_size;
        if (full && !current.empty()) {
            batches.push_back(std::exchange(current, {}));
            current_width = 0;
        }
        current.push_back(index);
        current_width = std::max(current_width, width(index));
    }
    if (!current.empty() &&
        !(options_.drop_last && !by_tokens && static_cast<int64_t>(current.size()) < options_.batch_size))
        batches.push_back(std::move(current));
    if (options_.shard.world_size > 1)
        std::erase_if(batches, [&](const auto& batch) { return batch.size() < static_cast<std::size_t>(options_.shard.world_size); });

    if (options_.shuffle && options_.bucket_by_length) {
        std::vector<std::vector<int64_t>> shuffled;
        shuffled.reserve(batches.size());
        for (int64_t b : randperm(static_cast<int64_t>(batches.size()), generator))
            shuffled.push_back(std::move(batches[static_cast<std::size_t>(b)]));
        batches = std::move(shuffled);
    }
    return batches;
}

const std::vector<std::vector<int64_t>>& DataLoader::plan() const {
    if (plan_epoch_ != state_.epoch) {
        plan_ = plan_epoch(state_.epoch);
        plan_epoch_ = state_.epoch;
    }
    return plan_;
}

std::optional<Batch> DataLoader::next() {
    const auto& batches = plan();
    if (state_.batch_index >= static_cast<int64_t>(batches.size())) {
        state_ = {state_.epoch + 1, 0};
        return std::nullopt;
    }
    const auto& indices = batches[static_cast<std::size_t>(state_.batch_index++)];
    if (options_.shard.world_size == 1) return collate(source_ids_, target_ids_, indices);
    return collate(source_ids_, target_ids_, shard_of_batch(indices, options_.shard));
}

void DataLoader::set_state(DataLoaderState state) {
    if (state.epoch < 0)
        throw std::invalid_argument(fmt::format("DataLoader::set_state: epoch must be >= 0, got {}", state.epoch));
    const DataLoaderState previous = state_;
    state_ = state;
    const int64_t batches = num_batches();
    if (state.batch_index < 0 || state.batch_index > batches) {
        state_ = previous;
        throw std::invalid_argument(fmt::format(
            "DataLoader::set_state: batch_index {} is outside [0, {}] for epoch {}", state.batch_index, batches,
            state.epoch));
    }
}

}  // namespace tapegrad::data
