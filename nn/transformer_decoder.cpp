// TransformerDecoderLayer and TransformerDecoder: masked self-attention, cross-attention and
// feed-forward, each wrapped in a residual connection and a LayerNorm (post-norm or pre-norm).
#include "nn/transformer_decoder.h"

#include <stdexcept>

#include "nn/feed_forward.h"

namespace tapegrad::nn {

TransformerDecoderLayer::TransformerDecoderLayer(const TransformerLayerOptions& options, Generator& generator)
    : options_(validate_layer_options(options, "TransformerDecoderLayer")) {
    const int64_t E = options.embed_dim;
    const MultiHeadAttentionOptions attention{.embed_dim = E, .num_heads = options.num_heads, .dropout = options.dropout};
    const LayerNormOptions norm = layer_norm_options(options);
    self_attn_ = register_module("self_attn", std::make_shared<MultiHeadAttention>(attention, generator));
    multihead_attn_ = register_module("multihead_attn", std::make_shared<MultiHeadAttention>(attention, generator));
    linear1_ = register_module("linear1", std::make_shared<Linear>(LinearOptions{.in_features = E, .out_features = options.ff_dim}, generator));
    dropout_ = register_module("dropout", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    linear2_ = register_module("linear2", std::make_shared<Linear>(LinearOptions{.in_features = options.ff_dim, .out_features = E}, generator));
    norm1_ = register_module("norm1", std::make_shared<LayerNorm>(norm));
    norm2_ = register_module("norm2", std::make_shared<LayerNorm>(norm));
    norm3_ = register_module("norm3", std::make_shared<LayerNorm>(norm));
    dropout1_ = register_module("dropout1", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    dropout2_ = register_module("dropout2", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    dropout3_ = register_module("dropout3", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
}

std::string TransformerDecoderLayer::extra_repr() const { return options_repr(options_); }

Tensor TransformerDecoderLayer::self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask,
                                                     LayerKeyValueCache* cache) {
    if (!cache) return self_attn_->forward(x, x, x, mask, key_padding_mask).output;  // (B, T, E)
    // Incremental decoding: the earlier positions' keys and values are already in the cache (they
    // cannot change: nothing they attend to comes later); only the new positions' are computed.
    const KeyValue& past_and_new = cache->append_self_attn(self_attn_->project_key_value(x, x));  // (B, H, t + n, D)
    const Tensor combined = combine_masks(mask, key_padding_mask, "TransformerDecoderLayer");
    return self_attn_->attend(x, past_and_new, combined, false).output;  // (B, n, E)
}

Tensor TransformerDecoderLayer::cross_attention_block(const Tensor& x, const Tensor& memory, const Tensor& mask,
                                                      const Tensor& key_padding_mask, LayerKeyValueCache* cache) {
    // query = x (the target so far), key = value = memory (the encoded source): S ≠ T in general.
    if (!cache) return multihead_attn_->forward(x, memory, memory, mask, key_padding_mask).output;
    // The memory is the same at every step, and so are its projected keys and values: compute them once.
    if (!cache->cross_attn.defined()) cache->cross_attn = multihead_attn_->project_key_value(memory, memory);  // (B, H, S, D)
    const Tensor combined = combine_masks(mask, key_padding_mask, "TransformerDecoderLayer");
    return multihead_attn_->attend(x, cache->cross_attn, combined, false).output;  // (B, n, E)
}

Tensor TransformerDecoderLayer::feed_forward_block(const Tensor& x) {
    return feed_forward(x, *linear1_, options_.activation, *dropout_, *linear2_);
}

Tensor TransformerDecoderLayer::forward(const Tensor& x, const Tensor& memory, const Tensor& tgt_mask,
                                        const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                        const Tensor& memory_key_padding_mask, LayerKeyValueCache* cache) {
    const int64_t E = options_.embed_dim;
    if (x.dim() != 3 || x.size(2) != E || memory.dim() != 3 || memory.size(2) != E || memory.size(0) != x.size(0))
        throw std::invalid_argument(fmt::format("TransformerDecoderLayer: expected x (B, T, {0}) and memory (B, S, {0}), got {1} and {2}",
                                                E, shape_string(x.shape()), shape_string(memory.shape())));
    Tensor h = x;  // (B, T, E), the residual stream
    if (options_.norm_first) {
        h = dropout1_->forward_add(h, self_attention_block(norm1_->forward(h), tgt_mask, tgt_key_padding_mask, cache));
        h = dropout2_->forward_add(h, cross_attention_block(norm2_->forward(h), memory, memory_mask, memory_key_padding_mask, cache));
        h = dropout3_->forward_add(h, feed_forward_block(norm3_->forward(h)));
    } else {
        // Each sublayer's output is dropped out and added to the residual stream (one fused op), then normalised.
        h = norm1_->forward(dropout1_->forward_add(h, self_attention_block(h, tgt_mask, tgt_key_padding_mask, cache)));
        h = norm2_->forward(dropout2_->forward_add(h, cross_attention_block(h, memory, memory_mask, memory_key_padding_mask, cache)));
        h = norm3_->forward(dropout3_->forward_add(h, feed_forward_block(h)));
    }
    return h;
}

TransformerDecoder::TransformerDecoder(const TransformerDecoderOptions& options, Generator& generator)
    : options_(validate_stack_options(options, "TransformerDecoder")) {
    layers_ = register_module("layers", std::make_shared<ModuleList>());
    for (int64_t i = 0; i < options.num_layers; ++i)
        layers_->push_back(std::make_shared<TransformerDecoderLayer>(options.layer, generator));
    if (options.final_norm) norm_ = register_module("norm", std::make_shared<LayerNorm>(layer_norm_options(options.layer)));
}

std::string TransformerDecoder::extra_repr() const { return options_repr(options_); }

Tensor TransformerDecoder::forward(const Tensor& x, const Tensor& memory, const Tensor& tgt_mask, const Tensor& memory_mask,
                                   const Tensor& tgt_key_padding_mask, const Tensor& memory_key_padding_mask,
                                   KeyValueCache* cache) {
    Tensor h = x;  // (B, T, E)
    for (std::size_t i = 0; i < layers_->size(); ++i)
        h = layer(i).forward(h, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                             cache ? &cache->layer(i) : nullptr);
    return norm_ ? norm_->forward(h) : h;
}

}  // namespace tapegrad::nn
