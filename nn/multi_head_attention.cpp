// MultiHeadAttention: project, split into heads, attend per head, merge the heads, project out.
#include "nn/multi_head_attention.h"

#include <stdexcept>

#include "autograd/ops/nn_functional.h"
#include "autograd/ops/shape_ops.h"

namespace tapegrad::nn {
namespace {

const MultiHeadAttentionOptions& validated(const MultiHeadAttentionOptions& options) {
    if (options.embed_dim <= 0)
        throw std::invalid_argument(
            fmt::format("MultiHeadAttention: embed_dim must be positive, got {}", options.embed_dim));
    if (options.num_heads <= 0)
        throw std::invalid_argument(
            fmt::format("MultiHeadAttention: num_heads must be positive, got {}", options.num_heads));
    if (options.embed_dim % options.num_heads != 0)
        throw std::invalid_argument(fmt::format(
            "MultiHeadAttention: embed_dim ({}) must be divisible by num_heads ({}) so every head gets E/H features",
            options.embed_dim, options.num_heads));
    if (!(options.dropout >= 0 && options.dropout <= 1))
        throw std::invalid_argument(
            fmt::format("MultiHeadAttention: dropout must be in [0, 1], got {}", options.dropout));
    return options;
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(const MultiHeadAttentionOptions& options, Generator& generator)
    : options_(validated(options)) {
    q_proj_ = register_module("q_proj", attention_projection(options.embed_dim, options.bias, generator));
    k_proj_ = register_module("k_proj", attention_projection(options.embed_dim, options.bias, generator));
    v_proj_ = register_module("v_proj", attention_projection(options.embed_dim, options.bias, generator));
    out_proj_ = register_module("out_proj", attention_projection(options.embed_dim, options.bias, generator));
    generator_ = Generator(generator.next_u64());
    register_generator("generator", generator_);  // attention dropout's masks
}

std::string MultiHeadAttention::extra_repr() const {
    return fmt::format("embed_dim={}, num_heads={}, dropout={}, bias={}", options_.embed_dim, options_.num_heads,
                       options_.dropout, options_.bias);
}

// The features of each position are cut into H consecutive slices of D; the head axis then moves in
// front of the positions so that one batched matmul runs every head at once.
Tensor MultiHeadAttention::split_heads(const Tensor& x) const {
    const int64_t batch = x.size(0), length = x.size(1);
    return x.reshape({batch, length, options_.num_heads, head_dim()})  // (B, L, H, D)
        .transpose(1, 2);                                              // (B, H, L, D)
}

// The inverse of split_heads: concatenating the heads' outputs along the features.
Tensor MultiHeadAttention::merge_heads(const Tensor& x) const {
    const int64_t batch = x.size(0), length = x.size(2);
    return x.transpose(1, 2)                                 // (B, L, H, D)
        .reshape({batch, length, options_.embed_dim});      // (B, L, E)
}

KeyValue MultiHeadAttention::project_key_value(const Tensor& key, const Tensor& value) const {
    return {split_heads(k_proj_->forward(key)),     // (B, H, S, D) what each source position offers
            split_heads(v_proj_->forward(value))};  // (B, H, S, D) what each source position carries
}

AttentionResult MultiHeadAttention::attend(const Tensor& query, const KeyValue& source, const Tensor& mask,
                                           bool need_weights) {
    const Tensor queries = split_heads(q_proj_->forward(query));  // (B, H, T, D) what each position looks for
    // Fused unless someone may differentiate the weights (the caller asked for them, or their gradient is recorded).
    AttentionResult heads = scaled_dot_product_attention(queries, source.key, source.value, mask, options_.dropout,
                                                         is_training(), &generator_,
                                                         need_weights || record_weights_grad);  // (B, H, T, D), (B, H, T, S)
    remember_weights(heads.weights);
    const Tensor output = out_proj_->forward(merge_heads(heads.output));  // (B, T, E) heads mixed by W_o
    return {output, need_weights ? heads.weights : Tensor()};
}

AttentionResult MultiHeadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                            const Tensor& attn_mask, const Tensor& key_padding_mask,
                                            bool need_weights) {
    // Each input a batch of sequences of embeddings (B, L, E), with this module's E and one B.
    const int64_t E = options_.embed_dim;
    auto is_batch_of_sequences = [E, &query](const Tensor& x) {
        return x.defined() && x.dim() == 3 && x.size(2) == E && x.size(0) == query.size(0);
    };
    if (!is_batch_of_sequences(query) || !is_batch_of_sequences(key) || !is_batch_of_sequences(value))
        throw std::invalid_argument(fmt::format(
            "MultiHeadAttention: expected query (B, T, {0}), key (B, S, {0}), value (B, S, {0}); got {1}, {2}, {3}", E,
            query.defined() ? shape_string(query.shape()) : "undefined",
            key.defined() ? shape_string(key.shape()) : "undefined",
            value.defined() ? shape_string(value.shape()) : "undefined"));
    // What attention itself asks of them (key and value of one length, one dtype), checked here, on the
    // shapes the caller passed, rather than on the heads split out of their projections.
    check_attention_inputs(query, key, value, Tensor(), "MultiHeadAttention");
    if (key_padding_mask.defined() &&
        (key_padding_mask.dim() != 2 || key_padding_mask.size(0) != key.size(0) || key_padding_mask.size(1) != key.size(1)))
        throw std::invalid_argument(fmt::format("MultiHeadAttention: key_padding_mask must be (B, S) = {}, got {}",
                                                shape_string({key.size(0), key.size(1)}),
                                                shape_string(key_padding_mask.shape())));
    if (attn_mask.defined() && (attn_mask.dim() < 2 || attn_mask.size(-2) != query.size(1) ||
                                attn_mask.size(-1) != key.size(1)))
        throw std::invalid_argument(fmt::format("MultiHeadAttention: attn_mask must end in (T, S) = ({}, {}), got {}",
                                                query.size(1), key.size(1), shape_string(attn_mask.shape())));
    const Tensor mask = combine_masks(attn_mask, key_padding_mask, "MultiHeadAttention");  // -> (B, H, T, S)
    return attend(query, project_key_value(key, value), mask, need_weights);
}

}  // namespace tapegrad::nn
