// The Transformer encoder (Vaswani et al., 2017, §3.1): a stack of layers in which every source position
// attends to every other — both directions, no causal mask — then passes through a feed-forward block.
// Names match torch.nn.TransformerEncoderLayer / TransformerEncoder, so weights copy by name (except
// that torch packs q/k/v into self_attn.in_proj_weight; we keep self_attn.{q,k,v}_proj).
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/dropout.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/multi_head_attention.h"
#include "nn/transformer_options.h"

namespace tapegrad::nn {

class TransformerEncoderLayer : public Module {
public:
    // Children, in torch's order: self_attn, linear1 (E -> ff_dim), dropout, linear2 (ff_dim -> E),
    // norm1, norm2, dropout1, dropout2. Init as torch: Xavier-uniform attention projections, linear1/2
    // as torch.nn.Linear, LayerNorms at weight 1, bias 0. Throws std::invalid_argument on a bad option.
    TransformerEncoderLayer(const TransformerLayerOptions& options, Generator& generator);

    std::string type_name() const override { return "TransformerEncoderLayer"; }
    std::string extra_repr() const override;

    // x (B, S, E) -> (B, S, E).
    //   mask:             (S, S) or (B|1, H|1, S, S), bool (true = blocked) or float (additive); usually none
    //   key_padding_mask: (B, S), true at the source's PAD positions
    Tensor forward(const Tensor& x, const Tensor& mask = {}, const Tensor& key_padding_mask = {});

    const TransformerLayerOptions& options() const { return options_; }
    MultiHeadAttention& self_attn() { return *self_attn_; }
    Linear& linear1() { return *linear1_; }
    Linear& linear2() { return *linear2_; }
    LayerNorm& norm1() { return *norm1_; }
    LayerNorm& norm2() { return *norm2_; }

private:
    // Every position gathers information from every position of the same sequence. The blocks return
    // the sublayer's output before its dropout, which forward() fuses with the residual addition.
    Tensor self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask);
    // Then transforms what it gathered on its own: linear2(dropout(activation(linear1(x)))) (§3.3),
    // nn::feed_forward (nn/feed_forward.h) on this layer's linear1, dropout and linear2.
    Tensor feed_forward_block(const Tensor& x);

    TransformerLayerOptions options_;
    std::shared_ptr<MultiHeadAttention> self_attn_;
    std::shared_ptr<Linear> linear1_;
    std::shared_ptr<Dropout> dropout_;
    std::shared_ptr<Linear> linear2_;
    std::shared_ptr<LayerNorm> norm1_;
    std::shared_ptr<LayerNorm> norm2_;
    std::shared_ptr<Dropout> dropout1_;
    std::shared_ptr<Dropout> dropout2_;
};

class TransformerEncoder : public Module {
public:
    // Children: layers (a ModuleList "0", "1", ...), then norm when final_norm. Each layer is built from
    // `generator` in turn, so layers start different (torch deep-copies one layer instead).
    TransformerEncoder(const TransformerEncoderOptions& options, Generator& generator);

    std::string type_name() const override { return "TransformerEncoder"; }
    std::string extra_repr() const override;

    // x (B, S, E) -> memory (B, S, E): what the decoder's cross-attention reads. Masks as in the layer.
    Tensor forward(const Tensor& x, const Tensor& mask = {}, const Tensor& key_padding_mask = {});

    const TransformerEncoderOptions& options() const { return options_; }
    TransformerEncoderLayer& layer(std::size_t index) { return *layers_->at<TransformerEncoderLayer>(index); }
    std::size_t num_layers() const { return layers_->size(); }

private:
    TransformerEncoderOptions options_;
    std::shared_ptr<ModuleList> layers_;
    std::shared_ptr<LayerNorm> norm_;  // null without final_norm
};

}  // namespace tapegrad::nn
