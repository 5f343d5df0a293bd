// The two readers examples/long_range compares: a Transformer encoder and an LSTM, each reading a sequence
// of tokens and answering at its last position. They share everything else — the token embedding (V, E)
// and a linear head from the last position's features to V logits — and have about the same number of
// parameters (matched_lstm_hidden_size), so what differs is only how information travels along the sequence:
//
//   Transformer: every position attends to every other in each layer: any two positions are one hop apart,
//                and a whole layer is a few matrix products over all positions at once.
//   LSTM:        position t sees position t − d only through d applications of the cell, one after another.
//
// Shapes: B batch, T sequence length, E embedding width, F the reader's output features, V vocabulary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/generator.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "nn/lstm.h"
#include "nn/positional_encoding.h"
#include "nn/transformer_encoder.h"

namespace tapegrad::long_range {

struct SequenceModelOptions {
    int64_t vocab_size = 16;       // V
    int64_t embed_dim = 64;        // E
    int64_t num_heads = 4;         // the Transformer's heads
    int64_t num_layers = 2;        // the Transformer's layers (the LSTM has one, made as wide as it takes)
    int64_t ff_dim = 128;          // the Transformer's feed-forward width
    int64_t max_length = 1024;     // longest sequence the Transformer's positional table covers
};

// A reader of token sequences that answers at the last position: logits = head(encode(embed(tokens))[:, T−1]).
// embed and encode are separate so that gradient_reach can differentiate with respect to the embedded input.
class SequenceModel : public nn::Module {
public:
    // tokens int64 (B, T) -> the token embeddings (B, T, E); no position information yet.
    Tensor embed(const Tensor& tokens) const;
    // embedded (B, T, E) -> features (B, T, F) at every position. Throws std::invalid_argument naming the
    // model and the shapes when T is longer than the model was built for or E does not fit.
    virtual Tensor encode(const Tensor& embedded) = 0;
    // features (B, T, F) -> logits (B, V) at the last position.
    Tensor answer(const Tensor& features) const;
    // tokens (B, T) -> logits (B, V): embed, encode, answer.
    Tensor forward(const Tensor& tokens);

    // How many computations must run one after another to read a sequence of `length` positions: the
    // Transformer's layers; the LSTM's `length` steps (per layer). This, not the operation count, is
    // what more cores cannot shorten.
    virtual int64_t sequential_steps(int64_t length) const = 0;
    // The longest sequence encode accepts (the LSTM has no limit of its own).
    virtual int64_t max_length() const = 0;
    // "Transformer" or "LSTM", for tables and legends.
    virtual std::string label() const = 0;

    const SequenceModelOptions& options() const { return options_; }

protected:
    SequenceModel(const SequenceModelOptions& options, int64_t feature_size, Generator& generator);
    // Throws std::invalid_argument naming this model when `embedded` is not (B, T, E) with T ≤ max_length().
    void check_embedded(const Tensor& embedded) const;

private:
    SequenceModelOptions options_;
    std::shared_ptr<nn::Embedding> embedding_;
    std::shared_ptr<nn::Linear> head_;
};

// Token embedding + sinusoidal positions (§3.5 of Vaswani et al.; attention alone is blind to order) +
// a pre-norm Transformer encoder with a final LayerNorm. No dropout: the comparison is about reach.
class TransformerSequenceModel : public SequenceModel {
public:
    TransformerSequenceModel(const SequenceModelOptions& options, Generator& generator);
    std::string type_name() const override { return "TransformerSequenceModel"; }
    Tensor encode(const Tensor& embedded) override;
    int64_t sequential_steps(int64_t) const override { return options().num_layers; }
    int64_t max_length() const override { return options().max_length; }
    std::string label() const override { return "Transformer"; }
    nn::TransformerEncoder& encoder() { return *encoder_; }

private:
    std::shared_ptr<nn::PositionalEncoding> positional_encoding_;
    std::shared_ptr<nn::TransformerEncoder> encoder_;
};

// Token embedding + one LSTM layer of hidden_size H (its order is in the recurrence: no positions needed).
class LSTMSequenceModel : public SequenceModel {
public:
    LSTMSequenceModel(const SequenceModelOptions& options, int64_t hidden_size, Generator& generator);
    std::string type_name() const override { return "LSTMSequenceModel"; }
    Tensor encode(const Tensor& embedded) override;
    int64_t sequential_steps(int64_t length) const override { return length; }
    int64_t max_length() const override { return INT64_MAX; }
    std::string label() const override { return "LSTM"; }
    nn::LSTM& lstm() { return *lstm_; }

private:
    std::shared_ptr<nn::LSTM> lstm_;
};

// The parameter count of TransformerSequenceModel(options) and of LSTMSequenceModel(options, hidden_size),
// computed from the shapes (no model is built).
int64_t transformer_parameter_count(const SequenceModelOptions& options);
int64_t lstm_parameter_count(const SequenceModelOptions& options, int64_t hidden_size);
// The LSTM hidden size whose model's parameter count is closest to the Transformer's: "equal parameter count".
int64_t matched_lstm_hidden_size(const SequenceModelOptions& options);

}  // namespace tapegrad::long_range
