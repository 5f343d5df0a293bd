// The options every Transformer layer takes (as torch.nn.TransformerEncoderLayer / DecoderLayer), the
// options of a stack of them (TransformerEncoder / TransformerDecoder), and the two ways a layer can place
// its LayerNorms.
//
// Post-norm (norm_first = false, the original paper):  x = norm(x + sublayer(x))
// Pre-norm  (norm_first = true, Xiong et al., 2020):    x = x + sublayer(norm(x))
// Pre-norm keeps an un-normalised residual path from input to output, so gradients reach early layers
// undiminished and deep stacks train without a learning-rate warm-up; it then needs a final norm.
#pragma once

#include <cstdint>
#include <string>

#include "nn/activation.h"
#include "nn/layer_norm.h"

namespace tapegrad::nn {

struct TransformerLayerOptions {
    int64_t embed_dim = 0;                     // E, the model width (required)
    int64_t num_heads = 0;                     // H, attention heads; must divide embed_dim (required)
    int64_t ff_dim = 2048;                     // hidden width of the feed-forward block
    double dropout = 0.1;                      // on attention weights, on each sublayer's output, inside the FFN
    Activation activation = Activation::ReLU;  // the feed-forward block's nonlinearity
    bool norm_first = false;                   // pre-norm when true, post-norm (the paper's) when false
    double layer_norm_eps = 1e-5;              // LayerNorm's eps
};
using TransformerEncoderLayerOptions = TransformerLayerOptions;
using TransformerDecoderLayerOptions = TransformerLayerOptions;

struct TransformerStackOptions {
    TransformerLayerOptions layer;  // every layer's options (required: embed_dim, num_heads)
    int64_t num_layers = 6;         // how many layers are stacked
    bool final_norm = false;        // a LayerNorm ("norm") after the last layer; needed with norm_first
};
using TransformerEncoderOptions = TransformerStackOptions;
using TransformerDecoderOptions = TransformerStackOptions;

// Throw std::invalid_argument naming `module` and the bad option.
const TransformerLayerOptions& validate_layer_options(const TransformerLayerOptions& options, const char* module);
const TransformerStackOptions& validate_stack_options(const TransformerStackOptions& options, const char* module);

// The LayerNorm of every sublayer and of a stack's final norm: over the last axis (E), with layer_norm_eps.
LayerNormOptions layer_norm_options(const TransformerLayerOptions& options);

// The settings a layer and a stack print after their type (Module::extra_repr).
std::string options_repr(const TransformerLayerOptions& options);
std::string options_repr(const TransformerStackOptions& options);

}  // namespace tapegrad::nn
