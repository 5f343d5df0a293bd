// Seq2SeqTransformer: embeddings and positions, the encoder and decoder stacks, the masks built from
// the tokens, the output projection, and incremental decoding with a key/value cache.
#include "nn/seq2seq.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autograd/ops/shape_ops.h"
#include "nn/attention.h"
#include "nn/init.h"

namespace tapegrad::nn {
namespace {

const Seq2SeqTransformerOptions& validated(const Seq2SeqTransformerOptions& options) {
    auto positive = [](int64_t value, const char* name) {
        if (value <= 0)
            throw std::invalid_argument(fmt::format("Seq2SeqTransformer: {} must be positive, got {}", name, value));
    };
    positive(options.source_vocab_size, "source_vocab_size");
    positive(options.target_vocab_size, "target_vocab_size");
    positive(options.num_encoder_layers, "num_encoder_layers");
    positive(options.num_decoder_layers, "num_decoder_layers");
    positive(options.max_len, "max_len");
    if (options.pad_id < -1 || options.pad_id >= std::min(options.source_vocab_size, options.target_vocab_size))
        throw std::invalid_argument(fmt::format(
            "Seq2SeqTransformer: pad_id must be -1 (none) or a token of both vocabularies (< {}), got {}",
            std::min(options.source_vocab_size, options.target_vocab_size), options.pad_id));
    return options;
}

TransformerLayerOptions layer_options(const Seq2SeqTransformerOptions& options) {
    return validate_layer_options({.embed_dim = options.embed_dim,
                                   .num_heads = options.num_heads,
                                   .ff_dim = options.ff_dim,
                                   .dropout = options.dropout,
                                   .activation = options.activation,
                                   .norm_first = options.norm_first},
                                  "Seq2SeqTransformer");
}

// N(0, σ² = 1/E), PAD row zero: see the constructor's comment in the header.
std::shared_ptr<Embedding> make_embedding(int64_t vocab_size, const Seq2SeqTransformerOptions& options,
                                          Generator& generator) {
    auto embedding = std::make_shared<Embedding>(
        EmbeddingOptions{.num_embeddings = vocab_size, .embedding_dim = options.embed_dim, .padding_idx = options.pad_id},
        generator);
    normal_(embedding->weight(), 0.0, 1.0 / std::sqrt(static_cast<double>(options.embed_dim)), generator);
    if (options.pad_id >= 0) {
        NoGradGuard no_grad;
        select(embedding->weight(), 0, options.pad_id).fill_(0.0);
    }
    return embedding;
}

// What incremental decoding carries from one step to the next.
struct TransformerDecoderState : DecoderState {
    Tensor memory;               // (B, S, E)
    Tensor source_padding_mask;  // (B, S) bool, or undefined
    KeyValueCache cache;
    int64_t position = 0;

    void select_rows(const Tensor& rows) override {
        memory = index_select(memory, 0, rows);
        if (source_padding_mask.defined()) source_padding_mask = index_select(source_padding_mask, 0, rows);
        cache.select_rows(rows);
    }
};

}  // namespace

Seq2SeqTransformer::Seq2SeqTransformer(const Seq2SeqTransformerOptions& options, Generator& generator)
    : options_(validated(options)) {
    const TransformerLayerOptions layer = layer_options(options);
    source_embedding_ = register_module("source_embedding", make_embedding(options.source_vocab_size, options, generator));
    target_embedding_ = register_module("target_embedding", make_embedding(options.target_vocab_size, options, generator));
    positional_encoding_ = register_module("positional_encoding", std::make_shared<PositionalEncoding>(
        PositionalEncodingOptions{.embed_dim = options.embed_dim, .max_len = options.max_len}));
    dropout_ = register_module("dropout", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    encoder_ = register_module("encoder", std::make_shared<TransformerEncoder>(
        TransformerEncoderOptions{.layer = layer, .num_layers = options.num_encoder_layers, .final_norm = true}, generator));
    decoder_ = register_module("decoder", std::make_shared<TransformerDecoder>(
        TransformerDecoderOptions{.layer = layer, .num_layers = options.num_decoder_layers, .final_norm = true}, generator));
    if (!options.tie_target_embeddings)
        output_projection_ = register_module("output_projection", std::make_shared<Linear>(
            LinearOptions{.in_features = options.embed_dim, .out_features = options.target_vocab_size}, generator));
}

std::string Seq2SeqTransformer::extra_repr() const {
    return fmt::format("source_vocab_size={}, target_vocab_size={}, embed_dim={}, num_heads={}, pad_id={}, "
                       "tie_target_embeddings={}",
                       options_.source_vocab_size, options_.target_vocab_size, options_.embed_dim, options_.num_heads,
                       options_.pad_id, options_.tie_target_embeddings);
}

void Seq2SeqTransformer::check_tokens(const Tensor& tokens, const char* what) const {
    if (!tokens.defined() || tokens.dtype() != DType::Int64 || tokens.dim() != 2)
        throw std::invalid_argument(fmt::format("Seq2SeqTransformer: {} must be int64 (B, L), got {}", what,
                                                tokens.defined() ? fmt::format("{} {}", dtype_name(tokens.dtype()),
                                                                               shape_string(tokens.shape()))
                                                                 : "undefined"));
}

Tensor Seq2SeqTransformer::source_padding_mask(const Tensor& source_tokens) const {
    check_tokens(source_tokens, "source_tokens");
    return options_.pad_id >= 0 ? padding_mask(source_tokens, options_.pad_id) : Tensor();  // (B, S)
}

// The √E scale (§3.4) brings the N(0, 1/E) embeddings to the scale of the positional encoding.
Tensor Seq2SeqTransformer::embed(Embedding& embedding, const Tensor& tokens, int64_t offset) {
    const double scale = std::sqrt(static_cast<double>(options_.embed_dim));
    const Tensor vectors = embedding.forward(tokens) * scale;                 // (B, L, E)
    return dropout_->forward(positional_encoding_->forward(vectors, offset));  // (B, L, E)
}

Tensor Seq2SeqTransformer::project(const Tensor& states) {
    if (output_projection_) return output_projection_->forward(states);  // (B, T, V)
    // Tied: the score of token v is the dot product of the state with v's own embedding.
    return matmul(states, transpose(target_embedding_->weight(), 0, 1));  // (B, T, E) @ (E, V) -> (B, T, V)
}

Tensor Seq2SeqTransformer::encode(const Tensor& source_tokens) {
    check_tokens(source_tokens, "source_tokens");
    const Tensor source_padding = source_padding_mask(source_tokens);  // (B, S), true = PAD
    // No causal mask: every source position sees the whole sentence, both directions.
    return encoder_->forward(embed(*source_embedding_, source_tokens, 0), {}, source_padding);  // (B, S, E)
}

Tensor Seq2SeqTransformer::decode(const Tensor& target_tokens, const Tensor& memory, const Tensor& source) {
    check_tokens(target_tokens, "target_tokens");
    const Tensor memory_padding =
        source.defined() && source.dtype() == DType::Int64 ? source_padding_mask(source) : source;  // (B, S)
    if (memory_padding.defined() && memory_padding.dtype() != DType::Bool)
        throw std::invalid_argument(fmt::format(
            "Seq2SeqTransformer: decode's source must be the source tokens (int64) or their padding mask (bool), got {}",
            dtype_name(memory_padding.dtype())));
    const int64_t T = target_tokens.size(1);
    const Tensor future = causal_mask(T);  // (T, T): position t must not see the tokens it is to predict
    const Tensor target_padding = options_.pad_id >= 0 ? padding_mask(target_tokens, options_.pad_id) : Tensor();  // (B, T)
    const Tensor states = decoder_->forward(embed(*target_embedding_, target_tokens, 0), memory, future, {},
                                            target_padding, memory_padding);  // (B, T, E)
    return project(states);                                                   // (B, T, V)
}

Tensor Seq2SeqTransformer::forward(const Tensor& source_tokens, const Tensor& target_input) {
    return decode(target_input, encode(source_tokens), source_tokens);
}

Tensor Seq2SeqTransformer::decode_step(const Tensor& tokens, const Tensor& memory, const Tensor& source_padding_mask,
                                       KeyValueCache& cache, int64_t position) {
    check_tokens(tokens, "tokens");
    if (position != cache.length())
        throw std::invalid_argument(fmt::format(
            "Seq2SeqTransformer: decode_step at position {} but the cache holds {} positions", position, cache.length()));
    const int64_t n = tokens.size(1);
    // The new positions see every cached one; among themselves, only the earlier ones.
    const Tensor future = n > 1 ? causal_mask(n, position + n) : Tensor();  // (n, t + n)
    const Tensor new_padding = options_.pad_id >= 0 ? padding_mask(tokens, options_.pad_id)
                                                    : zeros(tokens.shape(), {.dtype = DType::Bool});  // (B, n)
    const Tensor target_padding = cache.append_positions(new_padding);                               // (B, t + n)
    const Tensor states = decoder_->forward(embed(*target_embedding_, tokens, position), memory, future, {},
                                            target_padding, source_padding_mask, &cache);  // (B, n, E)
    return project(states);                                                                // (B, n, V)
}

}  // namespace tapegrad::nn

namespace tapegrad::nn {

std::unique_ptr<DecoderState> Seq2SeqTransformer::start_decoding(const Tensor& source_tokens) {
    auto state = std::make_unique<TransformerDecoderState>();
    state->memory = encode(source_tokens);                            // (B, S, E)
    state->source_padding_mask = source_padding_mask(source_tokens);  // (B, S)
    return state;
}

Tensor Seq2SeqTransformer::decode_step(const Tensor& tokens, DecoderState& state) {
    auto* own = dynamic_cast<TransformerDecoderState*>(&state);
    if (own == nullptr)
        throw std::invalid_argument("Seq2SeqTransformer: decode_step needs the state of its own start_decoding");
    const Tensor logits = decode_step(tokens, own->memory, own->source_padding_mask, own->cache, own->position);
    own->position += tokens.size(1);
    return logits;  // (B, n, V)
}

std::vector<AttentionModule*> Seq2SeqTransformer::cross_attention() {
    std::vector<AttentionModule*> modules;
    for (int64_t layer = 0; layer < options_.num_decoder_layers; ++layer) {
        const std::string name = fmt::format("decoder.layers.{}.multihead_attn", layer);
        for (auto& [module_name, module] : attention_modules(*this))
            if (module_name == name) modules.push_back(module);
    }
    return modules;
}

}  // namespace tapegrad::nn
