// Sinusoidal and learned positional encodings.
#include "nn/positional_encoding.h"

#include <cmath>
#include <stdexcept>

#include "nn/init.h"

namespace tapegrad::nn {
namespace {

// The rows [offset, offset + T) that x (..., T, E) needs, checked against a table of max_len rows.
void check_positions(const char* module, const Tensor& x, int64_t offset, int64_t max_len, int64_t embed_dim) {
    if (x.dim() < 2 || x.size(-1) != embed_dim)
        throw std::invalid_argument(fmt::format("{}: expected input (..., T, {}), got {}", module, embed_dim,
                                                shape_string(x.shape())));
    if (offset < 0) throw std::invalid_argument(fmt::format("{}: offset must be non-negative, got {}", module, offset));
    const int64_t length = x.size(-2);
    if (offset + length > max_len)
        throw std::invalid_argument(fmt::format(
            "{}: positions {}..{} (offset {} + length {}) exceed max_len {}; construct it with a larger max_len",
            module, offset, offset + length - 1, offset, length, max_len));
}

}  // namespace

PositionalEncoding::PositionalEncoding(const PositionalEncodingOptions& options) : options_(options) {
    if (options.embed_dim <= 0)
        throw std::invalid_argument(fmt::format("PositionalEncoding: embed_dim must be positive, got {}", options.embed_dim));
    if (options.max_len <= 0)
        throw std::invalid_argument(fmt::format("PositionalEncoding: max_len must be positive, got {}", options.max_len));
    const int64_t E = options.embed_dim;
    std::vector<double> table(static_cast<std::size_t>(options.max_len * E));
    for (int64_t pos = 0; pos < options.max_len; ++pos)
        for (int64_t column = 0; column < E; ++column) {
            // Columns 2i and 2i+1 share the frequency 1/10000^(2i/E) (an odd E leaves the last sine unpaired).
            const int64_t two_i = column - column % 2;
            const double angle = static_cast<double>(pos) * std::exp(-std::log(10000.0) * static_cast<double>(two_i) / E);
            table[static_cast<std::size_t>(pos * E + column)] = column % 2 == 0 ? std::sin(angle) : std::cos(angle);
        }
    pe_ = register_buffer("pe", from_vector(table, {options.max_len, E}, {.dtype = DType::Float32}));
}

std::string PositionalEncoding::extra_repr() const {
    return fmt::format("embed_dim={}, max_len={}", options_.embed_dim, options_.max_len);
}

Tensor PositionalEncoding::forward(const Tensor& x, int64_t offset) const {
    check_positions("PositionalEncoding", x, offset, options_.max_len, options_.embed_dim);
    const Tensor rows = narrow(pe_, 0, offset, x.size(-2));  // (T, E), broadcast over the leading axes
    return x + (rows.dtype() == x.dtype() ? rows : rows.to(x.dtype()));
}

LearnedPositionalEmbedding::LearnedPositionalEmbedding(const LearnedPositionalEmbeddingOptions& options,
                                                       Generator& generator)
    : options_(options) {
    if (options.max_len <= 0)
        throw std::invalid_argument(
            fmt::format("LearnedPositionalEmbedding: max_len must be positive, got {}", options.max_len));
    if (options.embed_dim <= 0)
        throw std::invalid_argument(
            fmt::format("LearnedPositionalEmbedding: embed_dim must be positive, got {}", options.embed_dim));
    weight_ = register_parameter("weight", empty({options.max_len, options.embed_dim}));
    normal_(weight_, 0.0, 1.0, generator);
}

std::string LearnedPositionalEmbedding::extra_repr() const {
    return fmt::format("max_len={}, embed_dim={}", options_.max_len, options_.embed_dim);
}

// weight[offset : offset + T] is embedding(weight, arange(offset, offset + T)), taken as a view; its
// backward adds each position's gradient, summed over the batch, into that row.
Tensor LearnedPositionalEmbedding::forward(const Tensor& x, int64_t offset) const {
    check_positions("LearnedPositionalEmbedding", x, offset, options_.max_len, options_.embed_dim);
    if (x.dtype() != weight_.dtype())
        throw std::invalid_argument(fmt::format(
            "LearnedPositionalEmbedding: input is {} but the weight is {} (convert one with to())",
            dtype_name(x.dtype()), dtype_name(weight_.dtype())));
    return x + narrow(weight_, 0, offset, x.size(-2));
}

}  // namespace tapegrad::nn
