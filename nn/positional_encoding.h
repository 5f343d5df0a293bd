// Position information for attention, which by itself is blind to order: the fixed sinusoidal table of
// "Attention Is All You Need" §3.5 (PositionalEncoding) and a learned table (LearnedPositionalEmbedding).
// Both add to x (B, T, E) the rows for positions offset .. offset+T−1; incremental decoding passes the
// number of tokens already decoded as the offset.
#pragma once

#include "base/generator.h"
#include "nn/module.h"

namespace tapegrad::nn {

struct PositionalEncodingOptions {
    int64_t embed_dim = 0;   // E (required)
    int64_t max_len = 5000;  // rows in the table: the longest sequence (offset + T) it can encode
};

// PE(pos, 2i) = sin(pos / 10000^(2i/E)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/E)).
// The wavelengths run geometrically from 2π to 10000·2π, and PE(pos + k) is a fixed linear function
// (a rotation in each (sin, cos) pair) of PE(pos), which lets attention express relative positions.
// The table is a buffer named "pe", (max_len, E): saved in the state dict, never trained.
class PositionalEncoding : public Module {
public:
    // Throws std::invalid_argument naming the bad option.
    explicit PositionalEncoding(const PositionalEncodingOptions& options);

    std::string type_name() const override { return "PositionalEncoding"; }
    std::string extra_repr() const override;

    // x (..., T, E) -> x + PE[offset : offset + T], same shape and dtype as x.
    // Throws std::invalid_argument when offset + T > max_len or E differs.
    Tensor forward(const Tensor& x, int64_t offset = 0) const;

    const PositionalEncodingOptions& options() const { return options_; }
    const Tensor& pe() const { return pe_; }  // (max_len, E)

private:
    PositionalEncodingOptions options_;
    Tensor pe_;
};

struct LearnedPositionalEmbeddingOptions {
    int64_t max_len = 0;    // number of positions, the longest offset + T (required)
    int64_t embed_dim = 0;  // E (required)
};

// A trained vector per position (as BERT and GPT-2): an embedding table "weight" (max_len, E) indexed
// by position, initialised N(0, 1) as torch.nn.Embedding.
class LearnedPositionalEmbedding : public Module {
public:
    LearnedPositionalEmbedding(const LearnedPositionalEmbeddingOptions& options, Generator& generator);

    std::string type_name() const override { return "LearnedPositionalEmbedding"; }
    std::string extra_repr() const override;

    // x (..., T, E) -> x + weight[offset : offset + T]. Throws when offset + T > max_len or E differs.
    Tensor forward(const Tensor& x, int64_t offset = 0) const;

    const LearnedPositionalEmbeddingOptions& options() const { return options_; }
    const Tensor& weight() const { return weight_; }  // (max_len, E)

private:
    LearnedPositionalEmbeddingOptions options_;
    Tensor weight_;
};

}  // namespace tapegrad::nn
