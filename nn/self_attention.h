// SelfAttention: one head of attention with learned projections — the first attention module a learner
// reads. Every position of x asks a question of every position of x (itself included):
//   query = x W_qᵀ  "what am I looking for",  key = x W_kᵀ  "what do I offer",  value = x W_vᵀ  "what do I carry"
//   output = softmax(query · keyᵀ / √E + mask) · value
// MultiHeadAttention is this, run H times in parallel on E/H-sized slices, plus an output projection.
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/attention.h"
#include "nn/attention_module.h"
#include "nn/linear.h"

namespace tapegrad::nn {

struct SelfAttentionOptions {
    int64_t embed_dim = 0;  // E, the width of x and of every query, key and value (required)
    bool bias = true;       // learn biases in the three projections
};

class SelfAttention : public AttentionModule {
public:
    // Children, in order: query_proj, key_proj, value_proj, each Linear(E, E). Init as
    // MultiHeadAttention (Xavier-uniform weights, zero biases), so that the two agree for one head.
    // Unlike other attention modules it records its weights by default (record_weights = true): a
    // learner's first attention should be easy to look at. Throws std::invalid_argument on a bad option.
    SelfAttention(const SelfAttentionOptions& options, Generator& generator);

    std::string type_name() const override { return "SelfAttention"; }
    std::string extra_repr() const override;

    // x (B, T, E) -> (B, T, E). mask: bool (true = blocked) or float (additive), broadcastable to
    // (B, T, T) — causal_mask(T) for a decoder. The weights (B, T, T) are kept: last_weights().
    Tensor forward(const Tensor& x, const Tensor& mask = {});

    const SelfAttentionOptions& options() const { return options_; }
    Linear& query_proj() { return *query_proj_; }
    Linear& key_proj() { return *key_proj_; }
    Linear& value_proj() { return *value_proj_; }

private:
    SelfAttentionOptions options_;
    std::shared_ptr<Linear> query_proj_;
    std::shared_ptr<Linear> key_proj_;
    std::shared_ptr<Linear> value_proj_;
};

}  // namespace tapegrad::nn
