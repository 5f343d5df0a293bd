// KeyValueCache: what incremental decoding keeps between steps so that producing token t does not redo
// the work for tokens < t.
//
// In the decoder, a position's self-attention keys and values depend only on that position and the
// ones before it (the causal mask), so once computed they never change: each step projects the new
// token's key and value and appends them. The cross-attention keys and values are projections of the
// encoder memory, the same for every step: they are computed at the first step and reused.
// Per step the work is then O(t) attention instead of re-running the decoder on all t tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/multi_head_attention.h"

namespace tapegrad::nn {

// One decoder layer's cache.
struct LayerKeyValueCache {
    KeyValue self_attn;   // (B, H, t, D): keys/values of target positions 0..t-1, grown each step
    KeyValue cross_attn;  // (B, H, S, D): keys/values of the encoder memory, computed once

    // Appends the new positions' keys/values (B, H, n, D) and returns all of them (B, H, t + n, D).
    const KeyValue& append_self_attn(const KeyValue& step);
};

class KeyValueCache {
public:
    KeyValueCache() = default;

    // Layer i's cache, created empty on first use.
    LayerKeyValueCache& layer(std::size_t index);
    std::size_t num_layers() const { return layers_.size(); }

    // How many target positions are cached (0 before the first step).
    int64_t length() const { return length_; }

    // Records the new positions' key padding (bool (B, n), true = PAD) and advances length() by n;
    // returns the padding of every cached position (B, length()), the decoder's tgt_key_padding_mask.
    const Tensor& append_positions(const Tensor& key_padding_mask);
    const Tensor& key_padding_mask() const { return key_padding_mask_; }

    // Keeps row rows[k] (rows: int64 (K)) of every cached tensor as row k: beam search's reordering.
    void select_rows(const Tensor& rows);

    // Empties the cache for a new batch of sequences.
    void clear();

private:
    std::vector<LayerKeyValueCache> layers_;
    Tensor key_padding_mask_;  // (B, t)
    int64_t length_ = 0;
};

}  // namespace tapegrad::nn
