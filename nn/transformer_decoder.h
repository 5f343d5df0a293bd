// The Transformer decoder (Vaswani et al., 2017, §3.1): a stack of layers in which each target position
//   1. attends to the target positions before it (masked self-attention: the causal mask hides the future,
//      which at generation time does not exist yet),
//   2. attends to the encoder's output, the memory (cross-attention: queries from the decoder, keys and
//      values from the source sentence — how the translation looks at what it translates),
//   3. passes through a feed-forward block.
// Names match torch.nn.TransformerDecoderLayer / TransformerDecoder (self_attn, multihead_attn, linear1,
// linear2, norm1..3, dropout1..3), except for torch's packed in_proj_weight (see MultiHeadAttention).
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/dropout.h"
#include "nn/kv_cache.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/multi_head_attention.h"
#include "nn/transformer_options.h"

namespace tapegrad::nn {

class TransformerDecoderLayer : public Module {
public:
    // Children, in torch's order: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2,
    // norm3, dropout1, dropout2, dropout3. Init as TransformerEncoderLayer.
    TransformerDecoderLayer(const TransformerLayerOptions& options, Generator& generator);

    std::string type_name() const override { return "TransformerDecoderLayer"; }
    std::string extra_repr() const override;

    // x (B, T, E), memory (B, S, E) -> (B, T, E).
    //   tgt_mask:                (T, T) or (B|1, H|1, T, T): usually causal_mask(T)
    //   memory_mask:             (T, S) or (B|1, H|1, T, S): usually none
    //   tgt_key_padding_mask:    (B, T), true at target PAD positions
    //   memory_key_padding_mask: (B, S), true at source PAD positions
    // Masks are bool (true = blocked) or float (additive). With a cache, x holds only the n new
    // positions: their keys/values are appended to the cache and the self-attention runs over all t + n
    // cached positions, so tgt_mask is (n, t + n) (none needed for n = 1) and tgt_key_padding_mask
    // (B, t + n); the memory's keys/values are taken from the cache after the first step.
    Tensor forward(const Tensor& x, const Tensor& memory, const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                   const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {},
                   LayerKeyValueCache* cache = nullptr);

    const TransformerLayerOptions& options() const { return options_; }
    MultiHeadAttention& self_attn() { return *self_attn_; }
    MultiHeadAttention& multihead_attn() { return *multihead_attn_; }
    Linear& linear1() { return *linear1_; }
    Linear& linear2() { return *linear2_; }
    LayerNorm& norm1() { return *norm1_; }
    LayerNorm& norm2() { return *norm2_; }
    LayerNorm& norm3() { return *norm3_; }

private:
    // Masked self-attention: each target position looks at itself and the positions before it. The
    // blocks return the sublayer's output before its dropout, which forward() fuses with the residual addition.
    Tensor self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask,
                                LayerKeyValueCache* cache);
    // Cross-attention: queries from the decoder, keys and values from the encoder memory.
    Tensor cross_attention_block(const Tensor& x, const Tensor& memory, const Tensor& mask,
                                 const Tensor& key_padding_mask, LayerKeyValueCache* cache);
    // linear2(dropout(activation(linear1(x)))), position by position: nn::feed_forward (nn/feed_forward.h)
    // on this layer's linear1, dropout and linear2.
    Tensor feed_forward_block(const Tensor& x);

    TransformerLayerOptions options_;
    std::shared_ptr<MultiHeadAttention> self_attn_;
    std::shared_ptr<MultiHeadAttention> multihead_attn_;
    std::shared_ptr<Linear> linear1_;
    std::shared_ptr<Dropout> dropout_;
    std::shared_ptr<Linear> linear2_;
    std::shared_ptr<LayerNorm> norm1_;
    std::shared_ptr<LayerNorm> norm2_;
    std::shared_ptr<LayerNorm> norm3_;
    std::shared_ptr<Dropout> dropout1_;
    std::shared_ptr<Dropout> dropout2_;
    std::shared_ptr<Dropout> dropout3_;
};

class TransformerDecoder : public Module {
public:
    // Children: layers (a ModuleList "0", "1", ...), then norm when final_norm.
    TransformerDecoder(const TransformerDecoderOptions& options, Generator& generator);

    std::string type_name() const override { return "TransformerDecoder"; }
    std::string extra_repr() const override;

    // x (B, T, E), memory (B, S, E) -> (B, T, E). Masks as in the layer; with a cache, layer i uses
    // cache->layer(i) (the caller keeps the cache's positions and padding: see KeyValueCache).
    Tensor forward(const Tensor& x, const Tensor& memory, const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                   const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {},
                   KeyValueCache* cache = nullptr);

    const TransformerDecoderOptions& options() const { return options_; }
    TransformerDecoderLayer& layer(std::size_t index) { return *layers_->at<TransformerDecoderLayer>(index); }
    std::size_t num_layers() const { return layers_->size(); }

private:
    TransformerDecoderOptions options_;
    std::shared_ptr<ModuleList> layers_;
    std::shared_ptr<LayerNorm> norm_;  // null without final_norm
};

}  // namespace tapegrad::nn
