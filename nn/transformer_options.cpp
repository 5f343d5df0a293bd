// Validation, LayerNorm options and printing of the Transformer options, shared by the encoder and the decoder.
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

const TransformerStackOptions& validate_stack_options(const TransformerStackOptions& options, const char* module) {
    validate_layer_options(options.layer, module);
    if (options.num_layers <= 0)
        throw std::invalid_argument(fmt::format("{}: num_layers must be positive, got {}", module, options.num_layers));
    return options;
}

LayerNormOptions layer_norm_options(const TransformerLayerOptions& options) {
    return {.normalized_shape = {options.embed_dim}, .eps = options.layer_norm_eps};
}

std::string options_repr(const TransformerLayerOptions& options) {
    return fmt::format("embed_dim={}, num_heads={}, ff_dim={}, dropout={}, activation={}, norm_first={}",
                       options.embed_dim, options.num_heads, options.ff_dim, options.dropout,
                       activation_name(options.activation), options.norm_first);
}

std::string options_repr(const TransformerStackOptions& options) {
    return fmt::format("num_layers={}, final_norm={}", options.num_layers, options.final_norm);
}

}  // namespace tapegrad::nn
