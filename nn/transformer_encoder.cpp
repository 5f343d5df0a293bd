// TransformerEncoderLayer and TransformerEncoder: self-attention and feed-forward, each wrapped in a
// residual connection and a LayerNorm (post-norm or pre-norm).
#include "nn/transformer_encoder.h"

#include <stdexcept>

#include "nn/feed_forward.h"

namespace tapegrad::nn {

TransformerEncoderLayer::TransformerEncoderLayer(const TransformerLayerOptions& options, Generator& generator)
    : options_(validate_layer_options(options, "TransformerEncoderLayer")) {
    const int64_t E = options.embed_dim;
    self_attn_ = register_module("self_attn", std::make_shared<MultiHeadAttention>(
        MultiHeadAttentionOptions{.embed_dim = E, .num_heads = options.num_heads, .dropout = options.dropout},
        generator));
    linear1_ = register_module("linear1", std::make_shared<Linear>(LinearOptions{.in_features = E, .out_features = options.ff_dim}, generator));
    dropout_ = register_module("dropout", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    linear2_ = register_module("linear2", std::make_shared<Linear>(LinearOptions{.in_features = options.ff_dim, .out_features = E}, generator));
    norm1_ = register_module("norm1", std::make_shared<LayerNorm>(layer_norm_options(options)));
    norm2_ = register_module("norm2", std::make_shared<LayerNorm>(layer_norm_options(options)));
    dropout1_ = register_module("dropout1", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    dropout2_ = register_module("dropout2", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
}

std::string TransformerEncoderLayer::extra_repr() const { return options_repr(options_); }

Tensor TransformerEncoderLayer::self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask) {
    // self-attention: query = key = value = x, no causal mask — the encoder sees both directions.
    return self_attn_->forward(x, x, x, mask, key_padding_mask).output;  // (B, S, E)
}

Tensor TransformerEncoderLayer::feed_forward_block(const Tensor& x) {
    return feed_forward(x, *linear1_, options_.activation, *dropout_, *linear2_);
}

Tensor TransformerEncoderLayer::forward(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask) {
    if (x.dim() != 3 || x.size(2) != options_.embed_dim)
        throw std::invalid_argument(fmt::format("TransformerEncoderLayer: expected x (B, S, {}), got {}",
                                                options_.embed_dim, shape_string(x.shape())));
    Tensor h = x;  // (B, S, E), the residual stream
    if (options_.norm_first) {
        h = dropout1_->forward_add(h, self_attention_block(norm1_->forward(h), mask, key_padding_mask));
        h = dropout2_->forward_add(h, feed_forward_block(norm2_->forward(h)));
    } else {
        // Each sublayer's output is dropped out and added to the residual stream (one fused op), then normalised.
        h = norm1_->forward(dropout1_->forward_add(h, self_attention_block(h, mask, key_padding_mask)));
        h = norm2_->forward(dropout2_->forward_add(h, feed_forward_block(h)));
    }
    return h;
}

TransformerEncoder::TransformerEncoder(const TransformerEncoderOptions& options, Generator& generator)
    : options_(validate_stack_options(options, "TransformerEncoder")) {
    layers_ = register_module("layers", std::make_shared<ModuleList>());
    for (int64_t i = 0; i < options.num_layers; ++i)
        layers_->push_back(std::make_shared<TransformerEncoderLayer>(options.layer, generator));
    if (options.final_norm) norm_ = register_module("norm", std::make_shared<LayerNorm>(layer_norm_options(options.layer)));
}

std::string TransformerEncoder::extra_repr() const { return options_repr(options_); }

Tensor TransformerEncoder::forward(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask) {
    Tensor h = x;  // (B, S, E)
    for (std::size_t i = 0; i < layers_->size(); ++i) h = layer(i).forward(h, mask, key_padding_mask);
    return norm_ ? norm_->forward(h) : h;
}

}  // namespace tapegrad::nn
