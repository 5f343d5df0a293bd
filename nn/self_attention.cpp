// SelfAttention: Q, K and V from the same x, then scaled_dot_product_attention.
#include "nn/self_attention.h"

#include <stdexcept>

namespace tapegrad::nn {
namespace {
const SelfAttentionOptions& validated(const SelfAttentionOptions& options) {
    if (options.embed_dim <= 0)
        throw std::invalid_argument(fmt::format("SelfAttention: embed_dim must be positive, got {}", options.embed_dim));
    return options;
}
}  // namespace

SelfAttention::SelfAttention(const SelfAttentionOptions& options, Generator& generator)
    : options_(validated(options)) {
    record_weights = true;
    query_proj_ = register_module("query_proj", attention_projection(options.embed_dim, options.bias, generator));
    key_proj_ = register_module("key_proj", attention_projection(options.embed_dim, options.bias, generator));
    value_proj_ = register_module("value_proj", attention_projection(options.embed_dim, options.bias, generator));
}

std::string SelfAttention::extra_repr() const {
    return fmt::format("embed_dim={}, bias={}", options_.embed_dim, options_.bias);
}

Tensor SelfAttention::forward(const Tensor& x, const Tensor& mask) {
    if (x.dim() != 3 || x.size(-1) != options_.embed_dim)
        throw std::invalid_argument(fmt::format("SelfAttention: expected x (B, T, {}), got {}", options_.embed_dim,
                                                shape_string(x.shape())));
    const Tensor query = query_proj_->forward(x);  // (B, T, E) what each position is looking for
    const Tensor key = key_proj_->forward(x);      // (B, T, E) what each position offers
    const Tensor value = value_proj_->forward(x);  // (B, T, E) what each position carries
    AttentionResult attention = scaled_dot_product_attention(query, key, value, mask);
    remember_weights(attention.weights);  // (B, T, T)
    return attention.output;              // (B, T, E)
}

}  // namespace tapegrad::nn
