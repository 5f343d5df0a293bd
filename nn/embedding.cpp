// Embedding: table lookup through tapegrad::embedding, whose backward scatters gradients into rows.
#include "nn/embedding.h"

#include <stdexcept>

#include "nn/init.h"

namespace tapegrad::nn {

// Init as torch.nn.Embedding: N(0, 1), and the padding row zeroed so that padding adds nothing; the
// embedding op then never sends it a gradient, so it stays zero through training.
Embedding::Embedding(const EmbeddingOptions& options, Generator& generator) : options_(options) {
    if (options.num_embeddings <= 0)
        throw std::invalid_argument(fmt::format("Embedding: num_embeddings must be positive, got {}", options.num_embeddings));
    if (options.embedding_dim <= 0)
        throw std::invalid_argument(fmt::format("Embedding: embedding_dim must be positive, got {}", options.embedding_dim));
    if (options.padding_idx < -1 || options.padding_idx >= options.num_embeddings)
        throw std::invalid_argument(fmt::format("Embedding: padding_idx must be -1 (none) or in [0, {}), got {}",
                                                options.num_embeddings, options.padding_idx));
    weight_ = register_parameter("weight", empty({options.num_embeddings, options.embedding_dim}));
    normal_(weight_, 0.0, 1.0, generator);
    if (options.padding_idx >= 0) {
        NoGradGuard no_grad;
        select(weight_, 0, options.padding_idx).fill_(0.0);
    }
}

std::string Embedding::extra_repr() const {
    std::string out = fmt::format("{}, {}", options_.num_embeddings, options_.embedding_dim);
    if (options_.padding_idx >= 0) out += fmt::format(", padding_idx={}", options_.padding_idx);
    return out;
}

Tensor Embedding::forward(const Tensor& ids) const {
    if (ids.dtype() != DType::Int64)
        throw std::invalid_argument(fmt::format("Embedding: ids must be int64, got {}", dtype_name(ids.dtype())));
    return embedding(weight_, ids, options_.padding_idx);
}

}  // namespace tapegrad::nn
