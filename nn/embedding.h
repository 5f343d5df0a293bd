// Embedding: a lookup table of learned vectors indexed by token id, as torch.nn.Embedding.
#pragma once

#include "base/generator.h"
#include "nn/module.h"

namespace tapegrad::nn {

struct EmbeddingOptions {
    int64_t num_embeddings = 0;  // size of the table, V (required)
    int64_t embedding_dim = 0;   // size of each vector, E (required)
    int64_t padding_idx = -1;    // a row in [0, V) that stays zero and gets no gradient; -1 for none
};

class Embedding : public Module {
public:
    // Throws std::invalid_argument naming the bad option.
    Embedding(const EmbeddingOptions& options, Generator& generator);

    std::string type_name() const override { return "Embedding"; }
    std::string extra_repr() const override;

    // ids int64 (...) -> (..., E). Throws naming the id and its position when an id is outside [0, V).
    Tensor forward(const Tensor& ids) const;

    const EmbeddingOptions& options() const { return options_; }
    const Tensor& weight() const { return weight_; }  // (V, E)

private:
    EmbeddingOptions options_;
    Tensor weight_;
};

}  // namespace tapegrad::nn
