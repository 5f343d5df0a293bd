// Seq2SeqLSTM: encoding (with the hand-over of the final states), teacher-forced decoding, and one-step
// decoding from a carried state.
#include "nn/seq2seq_lstm.h"

#include <stdexcept>

#include "autograd/ops/shape_ops.h"
#include "nn/attention.h"

namespace tapegrad::nn {
namespace {

const Seq2SeqLSTMOptions& validated(const Seq2SeqLSTMOptions& options) {
    auto positive = [](int64_t value, const char* name) {
        if (value <= 0) throw std::invalid_argument(fmt::format("Seq2SeqLSTM: {} must be positive, got {}", name, value));
    };
    positive(options.source_vocab_size, "source_vocab_size");
    positive(options.target_vocab_size, "target_vocab_size");
    positive(options.embed_dim, "embed_dim");
    positive(options.hidden_size, "hidden_size");
    positive(options.num_encoder_layers, "num_encoder_layers");
    positive(options.num_decoder_layers, "num_decoder_layers");
    if (options.bidirectional_encoder && options.hidden_size % 2 != 0)
        throw std::invalid_argument(fmt::format(
            "Seq2SeqLSTM: hidden_size must be even with a bidirectional encoder (H/2 per direction), got {}",
            options.hidden_size));
    if (!(options.dropout >= 0 && options.dropout < 1))
        throw std::invalid_argument(fmt::format("Seq2SeqLSTM: dropout must be in [0, 1), got {}", options.dropout));
    if (options.pad_id < -1 || options.pad_id >= std::min(options.source_vocab_size, options.target_vocab_size))
        throw std::invalid_argument(fmt::format(
            "Seq2SeqLSTM: pad_id must be -1 (none) or a token of both vocabularies (< {}), got {}",
            std::min(options.source_vocab_size, options.target_vocab_size), options.pad_id));
    return options;
}

// What one-step decoding carries: the encoding (memory and mask for attention) and the decoder's h, c.
struct LSTMDecoderState : DecoderState {
    Seq2SeqLSTM::Encoded encoded;
    LSTMState state;  // (L_dec, B, H) each

    void select_rows(const Tensor& rows) override {
        encoded.memory = index_select(encoded.memory, 0, rows);
        if (encoded.source_padding_mask.defined())
            encoded.source_padding_mask = index_select(encoded.source_padding_mask, 0, rows);
        state.h = index_select(state.h, 1, rows);
        state.c = index_select(state.c, 1, rows);
    }
};

}  // namespace

Seq2SeqLSTM::Seq2SeqLSTM(const Seq2SeqLSTMOptions& options, Generator& generator) : options_(validated(options)) {
    const int64_t E = options.embed_dim, H = options.hidden_size;
    auto embedding = [&](int64_t vocab_size) {
        return std::make_shared<Embedding>(
            EmbeddingOptions{.num_embeddings = vocab_size, .embedding_dim = E, .padding_idx = options.pad_id}, generator);
    };
    source_embedding_ = register_module("source_embedding", embedding(options.source_vocab_size));
    target_embedding_ = register_module("target_embedding", embedding(options.target_vocab_size));
    dropout_ = register_module("dropout", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    encoder_ = register_module("encoder", std::make_shared<LSTM>(
        LSTMOptions{.input_size = E, .hidden_size = options.bidirectional_encoder ? H / 2 : H,
                    .num_layers = options.num_encoder_layers, .batch_first = true, .dropout = options.dropout,
                    .bidirectional = options.bidirectional_encoder},
        generator));
    decoder_ = register_module("decoder", std::make_shared<LSTM>(
        LSTMOptions{.input_size = E, .hidden_size = H, .num_layers = options.num_decoder_layers, .batch_first = true,
                    .dropout = options.dropout},
        generator));
    if (options.attention)
        attention_ = register_module("attention", std::make_shared<GlobalAttention>(
            GlobalAttentionOptions{.hidden_size = H, .score = *options.attention}, generator));
    output_projection_ = register_module("output_projection", std::make_shared<Linear>(
        LinearOptions{.in_features = H, .out_features = options.target_vocab_size}, generator));
}

std::string Seq2SeqLSTM::extra_repr() const {
    return fmt::format("source_vocab_size={}, target_vocab_size={}, embed_dim={}, hidden_size={}, "
                       "bidirectional_encoder={}, attention={}, pad_id={}",
                       options_.source_vocab_size, options_.target_vocab_size, options_.embed_dim,
                       options_.hidden_size, options_.bidirectional_encoder,
                       options_.attention ? attention_score_name(*options_.attention) : "none", options_.pad_id);
}

void Seq2SeqLSTM::check_tokens(const Tensor& tokens, const char* what) const {
    if (!tokens.defined() || tokens.dtype() != DType::Int64 || tokens.dim() != 2)
        throw std::invalid_argument(fmt::format(
            "Seq2SeqLSTM: {} must be int64 (B, L), got {}", what,
            tokens.defined() ? fmt::format("{} {}", dtype_name(tokens.dtype()), shape_string(tokens.shape())) : "undefined"));
}

Seq2SeqLSTM::Encoded Seq2SeqLSTM::encode(const Tensor& source_tokens) {
    check_tokens(source_tokens, "source_tokens");
    Encoded encoded;
    if (options_.pad_id >= 0) encoded.source_padding_mask = padding_mask(source_tokens, options_.pad_id);  // (B, S)
    const Tensor embedded = dropout_->forward(source_embedding_->forward(source_tokens));                 // (B, S, E)
    const RecurrentOutput out = encoder_->forward(embedded, {}, encoded.source_padding_mask);
    encoded.memory = out.output;  // (B, S, H): [forward; reverse] per step when bidirectional
    // Layer k's final state, (B, H): both directions side by side when bidirectional.
    const int64_t D = encoder_->num_directions(), L = options_.num_encoder_layers;
    auto layer_state = [&](const Tensor& n, int64_t k) {
        return D == 1 ? select(n, 0, k) : concat({select(n, 0, 2 * k), select(n, 0, 2 * k + 1)}, 1);
    };
    std::vector<Tensor> h, c;
    const int64_t batch = source_tokens.size(0);
    for (int64_t k = 0; k < options_.num_decoder_layers; ++k) {
        if (k < L) {
            h.push_back(layer_state(out.h_n, k));
            c.push_back(layer_state(out.c_n, k));
        } else {
            h.push_back(zeros({batch, options_.hidden_size}, {.dtype = out.h_n.dtype()}));
            c.push_back(zeros({batch, options_.hidden_size}, {.dtype = out.h_n.dtype()}));
        }
    }
    encoded.decoder_state = {.h = stack(h, 0), .c = stack(c, 0)};  // (L_dec, B, H) each
    return encoded;
}

std::pair<Tensor, LSTMState> Seq2SeqLSTM::decode(const Tensor& target_tokens, const Encoded& encoded,
                                                 const LSTMState& state) {
    check_tokens(target_tokens, "target_tokens");
    const Tensor embedded = dropout_->forward(target_embedding_->forward(target_tokens));  // (B, T, E)
    // No target padding mask: PAD steps come after the last real token, so they change none of the real
    // positions' outputs, and the loss ignores their own.
    const RecurrentOutput out = decoder_->forward(embedded, state);                        // output (B, T, H)
    const Tensor attended = attention_ ? attention_->forward(out.output, encoded.memory, encoded.source_padding_mask)
                                       : out.output;                                        // (B, T, H)
    const Tensor logits = output_projection_->forward(dropout_->forward(attended));         // (B, T, V)
    return {logits, LSTMState{.h = out.h_n, .c = out.c_n}};
}

Tensor Seq2SeqLSTM::forward(const Tensor& source_tokens, const Tensor& target_input) {
    const Encoded encoded = encode(source_tokens);
    return decode(target_input, encoded, encoded.decoder_state).first;
}

std::unique_ptr<DecoderState> Seq2SeqLSTM::start_decoding(const Tensor& source_tokens) {
    auto state = std::make_unique<LSTMDecoderState>();
    state->encoded = encode(source_tokens);
    state->state = state->encoded.decoder_state;
    return state;
}

Tensor Seq2SeqLSTM::decode_step(const Tensor& tokens, DecoderState& state) {
    auto* own = dynamic_cast<LSTMDecoderState*>(&state);
    if (own == nullptr) throw std::invalid_argument("Seq2SeqLSTM: decode_step needs the state of its own start_decoding");
    auto [logits, next] = decode(tokens, own->encoded, own->state);
    own->state = next;
    return logits;  // (B, n, V)
}

std::vector<AttentionModule*> Seq2SeqLSTM::cross_attention() {
    if (!attention_) return {};
    return {attention_.get()};
}

}  // namespace tapegrad::nn
