// Validation of TransformerLayerOptions, shared by the encoder and decoder layers.
#include "nn/transformer_options.h"

#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::nn {

const TransformerLayerOptions& validate_layer_options(const TransformerLayerOptions& options, const char* module) {
    if (options.embed_dim <= 0)
        throw std::invalid_argument(fmt::format("{}: embed_dim must be positive, got {}", module, options.embed_dim));
    if (options.num_heads <= 0 || options.embed_dim % options.num_heads != 0)
        throw std::invalid_argument(fmt::format("{}: num_heads must be positive and divide embed_dim ({}), got {}",
                                                module, options.embed_dim, options.num_heads));
    if (options.ff_dim <= 0)
        throw std::invalid_argument(fmt::format("{}: ff_dim must be positive, got {}", module, options.ff_dim));
    if (!(options.dropout >= 0 && options.dropout <= 1))
        throw std::invalid_argument(fmt::format("{}: dropout must be in [0, 1], got {}", module, options.dropout));
    if (!(options.layer_norm_eps > 0))
        throw std::invalid_argument(fmt::format("{}: layer_norm_eps must be positive, got {}", module,
                                                options.layer_norm_eps));
    return options;
}

}  // namespace tapegrad::nn
