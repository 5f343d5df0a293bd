// The options every Transformer layer takes (as torch.nn.TransformerEncoderLayer / DecoderLayer), and the
// two ways a layer can place its LayerNorms.
//
// Post-norm (norm_first = false, the original paper):  x = norm(x + sublayer(x))
// Pre-norm  (norm_first = true, Xiong et al., 2020):    x = x + sublayer(norm(x))
// Pre-norm keeps an un-normalised residual path from input to output, so gradients reach early layers
// undiminished and deep stacks train without a learning-rate warm-up; it then needs a final norm.
#pragma once

#include <cstdint>

#include "nn/activation.h"

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

// Throws std::invalid_argument naming `module` and the bad option.
const TransformerLayerOptions& validate_layer_options(const TransformerLayerOptions& options, const char* module);

}  // namespace tapegrad::nn
