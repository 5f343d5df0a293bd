// MultiHeadAttention (Vaswani et al., 2017, §3.2.2), as torch.nn.MultiheadAttention(batch_first=True):
// H heads attend in parallel, each in its own D = E/H-dimensional slice of the projected query, key and
// value — so each head can look for something different — then the heads are concatenated and mixed
// by an output projection:
//   MultiHead(Q, K, V) = Concat(head_1, ..., head_H) W_oᵀ,  head_h = Attention(Q W_qhᵀ, K W_khᵀ, V W_vhᵀ)
//
// query (B, T, E), key (B, S, E), value (B, S, E) -> (B, T, E)
//   self-attention (encoder):      key = value = query                    (S == T)
//   masked self-attention (decoder): same, with attn_mask = causal_mask(T)
//   cross-attention (decoder):     query from the decoder, key = value = encoder output (memory), S ≠ T
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/attention.h"
#include "nn/attention_module.h"
#include "nn/linear.h"

namespace tapegrad::nn {

struct MultiHeadAttentionOptions {
    int64_t embed_dim = 0;  // E, the width of query, key, value and output (required)
    int64_t num_heads = 0;  // H, parallel heads; must divide embed_dim (required)
    double dropout = 0.0;   // probability of dropping an attention weight in training, in [0, 1]
    bool bias = true;       // learn biases in the four projections
};

// Keys and values already projected and split into heads, each (B, H, S, D): what a forward computes
// from `key` and `value`, and what a KeyValueCache keeps between decoding steps.
struct KeyValue {
    Tensor key;    // (B, H, S, D)
    Tensor value;  // (B, H, S, D)
    bool defined() const { return key.defined(); }
};

class MultiHeadAttention : public AttentionModule {
public:
    // Children, in order: q_proj, k_proj, v_proj, out_proj, each Linear(E, E). Init as
    // torch.nn.MultiheadAttention: Xavier-uniform weights (torch draws one (3E, E) in_proj_weight; we
    // draw per projection, which keeps each one's variance at 1/E instead of 1/(2E)), zero biases.
    // Throws std::invalid_argument on a bad option (num_heads not dividing embed_dim, ...).
    MultiHeadAttention(const MultiHeadAttentionOptions& options, Generator& generator);

    std::string type_name() const override { return "MultiHeadAttention"; }
    std::string extra_repr() const override;

    // query (B, T, E), key (B, S, E), value (B, S, E) -> output (B, T, E).
    //   attn_mask:        (T, S) or (B|1, H|1, T, S), bool (true = blocked) or float (additive)
    //   key_padding_mask: (B, S), bool (true = PAD) or float (additive)
    // With need_weights, result.weights holds every head's weights (B, H, T, S) (torch averages them
    // over heads by default); otherwise it is undefined.
    AttentionResult forward(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& attn_mask = {},
                            const Tensor& key_padding_mask = {}, bool need_weights = false);

    // ---- The steps of forward, public for the KV cache and for reading ----
    // (B, L, E) -> (B, H, L, D): head h sees features [h·D, (h+1)·D).
    Tensor split_heads(const Tensor& x) const;
    // (B, H, L, D) -> (B, L, E): concatenate the heads' outputs back along the features.
    Tensor merge_heads(const Tensor& x) const;
    // key (B, S, E), value (B, S, E) -> their projections split into heads, each (B, H, S, D).
    KeyValue project_key_value(const Tensor& key, const Tensor& value) const;
    // query (B, T, E) attends to already projected keys/values (B, H, S, D) -> output (B, T, E).
    // mask broadcasts to (B, H, T, S) (see combine_masks).
    AttentionResult attend(const Tensor& query, const KeyValue& source, const Tensor& mask, bool need_weights);

    const MultiHeadAttentionOptions& options() const { return options_; }
    int64_t head_dim() const { return options_.embed_dim / options_.num_heads; }
    Linear& q_proj() { return *q_proj_; }
    Linear& k_proj() { return *k_proj_; }
    Linear& v_proj() { return *v_proj_; }
    Linear& out_proj() { return *out_proj_; }
    // The source of dropout masks (seeded from the constructor's generator).
    Generator& generator() { return generator_; }

private:
    MultiHeadAttentionOptions options_;
    std::shared_ptr<Linear> q_proj_;
    std::shared_ptr<Linear> k_proj_;
    std::shared_ptr<Linear> v_proj_;
    std::shared_ptr<Linear> out_proj_;
    Generator generator_;
};

}  // namespace tapegrad::nn
