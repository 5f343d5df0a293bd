#include "examples/long_range/sequence_models.h"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/autograd.h"

namespace tapegrad::long_range {

SequenceModel::SequenceModel(const SequenceModelOptions& options, int64_t feature_size, Generator& generator)
    : options_(options) {
    if (options.vocab_size < 2 || options.embed_dim < 1 || options.max_length < 2) {
        throw std::invalid_argument(fmt::format(
            "SequenceModel: vocab_size {} must be >= 2, embed_dim {} >= 1 and max_length {} >= 2",
            options.vocab_size, options.embed_dim, options.max_length));
    }
    embedding_ = register_module("embedding", std::make_shared<nn::Embedding>(
        nn::EmbeddingOptions{.num_embeddings = options.vocab_size, .embedding_dim = options.embed_dim}, generator));
    head_ = register_module("head", std::make_shared<nn::Linear>(
        nn::LinearOptions{.in_features = feature_size, .out_features = options.vocab_size}, generator));
}

Tensor SequenceModel::embed(const Tensor& tokens) const { return embedding_->forward(tokens); }

Tensor SequenceModel::answer(const Tensor& features) const {
    // Only the last position answers: everything the task needs must have travelled there.
    return head_->forward(select(features, 1, features.size(1) - 1));
}

Tensor SequenceModel::forward(const Tensor& tokens) { return answer(encode(embed(tokens))); }

void SequenceModel::check_embedded(const Tensor& embedded) const {
    if (embedded.dim() != 3 || embedded.size(2) != options_.embed_dim || embedded.size(1) < 1) {
        throw std::invalid_argument(fmt::format("{}: expected the embedded input (B, T, E = {}), got {}", label(),
                                                options_.embed_dim, shape_string(embedded.shape())));
    }
    if (embedded.size(1) > max_length()) {
        throw std::invalid_argument(fmt::format(
            "{}: a sequence of {} positions (input {}) is longer than the {} this model was built for "
            "(--max-length)", label(), embedded.size(1), shape_string(embedded.shape()), max_length()));
    }
}

TransformerSequenceModel::TransformerSequenceModel(const SequenceModelOptions& options, Generator& generator)
    : SequenceModel(options, options.embed_dim, generator) {
    positional_encoding_ = register_module("positional_encoding", std::make_shared<nn::PositionalEncoding>(
        nn::PositionalEncodingOptions{.embed_dim = options.embed_dim, .max_len = options.max_length}));
    // Pre-norm with a final norm: the residual path runs straight from input to output, the variant that
    // trains without a warm-up (Xiong et al., 2020).
    const nn::TransformerLayerOptions layer{.embed_dim = options.embed_dim, .num_heads = options.num_heads,
                                            .ff_dim = options.ff_dim, .dropout = 0.0, .norm_first = true};
    encoder_ = register_module("encoder", std::make_shared<nn::TransformerEncoder>(
        nn::TransformerEncoderOptions{.layer = layer, .num_layers = options.num_layers, .final_norm = true},
        generator));
}

Tensor TransformerSequenceModel::encode(const Tensor& embedded) {
    check_embedded(embedded);
    // No mask: every position attends to every position, so the last one reaches the first in one hop.
    return encoder_->forward(positional_encoding_->forward(embedded));
}

LSTMSequenceModel::LSTMSequenceModel(const SequenceModelOptions& options, int64_t hidden_size, Generator& generator)
    : SequenceModel(options, hidden_size, generator) {
    lstm_ = register_module("lstm", std::make_shared<nn::LSTM>(
        nn::LSTMOptions{.input_size = options.embed_dim, .hidden_size = hidden_size, .batch_first = true},
        generator));
}

Tensor LSTMSequenceModel::encode(const Tensor& embedded) {
    check_embedded(embedded);
    return lstm_->forward(embedded).output;  // (B, T, H): h_t at every step
}

namespace {
int64_t linear_count(int64_t in, int64_t out) { return in * out + out; }
}  // namespace

int64_t transformer_parameter_count(const SequenceModelOptions& options) {
    const int64_t E = options.embed_dim;
    const int64_t attention = 4 * linear_count(E, E);                                    // q, k, v, out
    const int64_t feed_forward = linear_count(E, options.ff_dim) + linear_count(options.ff_dim, E);
    const int64_t norms = 2 * 2 * E;                                                     // norm1, norm2
    return options.vocab_size * E + options.num_layers * (attention + feed_forward + norms) + 2 * E +
           linear_count(E, options.vocab_size);
}

int64_t lstm_parameter_count(const SequenceModelOptions& options, int64_t hidden_size) {
    const int64_t H = hidden_size;
    return options.vocab_size * options.embed_dim + 4 * H * options.embed_dim + 4 * H * H + 2 * 4 * H +
           linear_count(H, options.vocab_size);
}

int64_t matched_lstm_hidden_size(const SequenceModelOptions& options) {
    const int64_t target = transformer_parameter_count(options);
    int64_t best = 1;
    for (int64_t H = 1; H <= 4096; ++H) {
        if (std::llabs(lstm_parameter_count(options, H) - target) < std::llabs(lstm_parameter_count(options, best) - target)) best = H;
    }
    return best;
}

}  // namespace tapegrad::long_range
