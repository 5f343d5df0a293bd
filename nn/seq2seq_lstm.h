// Seq2SeqLSTM: the recurrent encoder–decoder translator (Sutskever, Vinyals & Le, 2014), with or without
// attention over the encoder states (Luong et al., 2015; Bahdanau et al., 2015 — nn/global_attention.h).
//
//   source tokens (B, S) -> source_embedding -> encoder LSTM (bidirectional: H/2 per direction) -> memory (B, S, H)
//                                                      └ final h, c of each layer -> the decoder's initial state
//   target tokens (B, T) -> target_embedding -> decoder LSTM -> h_t (B, T, H)
//                              attention:  h̃_t = attention(h_t, memory, source PAD mask)     (B, T, H)
//                              none:       h̃_t = h_t
//                           -> dropout -> output_projection -> logits (B, T, V)
//
// The source's PAD steps leave the encoder's state unchanged (nn::LSTM's padding_mask), so each sentence's
// final state is its own, and they are blocked as attention keys. Training is teacher forcing: the whole
// target_input runs through the decoder at once; decode_step runs one position from the carried state.
// A bidirectional encoder's layer k hands the decoder's layer k [h_forward; h_reverse] (and the same for c):
// H features, no bridge to learn. Decoder layers above the encoder's start from zeros.
#pragma once

#include <memory>
#include <optional>

#include "base/generator.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/global_attention.h"
#include "nn/linear.h"
#include "nn/lstm.h"
#include "nn/seq2seq_model.h"

namespace tapegrad::nn {

struct Seq2SeqLSTMOptions {
    int64_t source_vocab_size = 0;            // V of the source language (required)
    int64_t target_vocab_size = 0;            // V of the target language (required)
    int64_t embed_dim = 256;                  // E of both embeddings
    int64_t hidden_size = 256;                // H of the decoder and of the memory (even when bidirectional)
    int64_t num_encoder_layers = 1;
    int64_t num_decoder_layers = 1;
    bool bidirectional_encoder = true;        // the encoder reads both ways, H/2 features each
    double dropout = 0.1;                     // on the embeddings, between LSTM layers and before the projection
    std::optional<AttentionScore> attention = AttentionScore::General;  // nullopt: no attention
    int64_t pad_id = 0;                       // the padding token of both vocabularies; -1 for none
};

class Seq2SeqLSTM : public Seq2SeqModel {
public:
    // Children, in order: source_embedding, target_embedding, dropout, encoder, decoder, attention (when
    // there is one), output_projection. Init: embeddings N(0, 1) as torch.nn.Embedding (PAD row zero),
    // LSTMs U(−1/√H, 1/√H) as torch.nn.LSTM, Linear layers as torch.nn.Linear.
    // Throws std::invalid_argument naming a bad option.
    Seq2SeqLSTM(const Seq2SeqLSTMOptions& options, Generator& generator);

    std::string type_name() const override { return "Seq2SeqLSTM"; }
    std::string extra_repr() const override;

    struct Encoded {
        Tensor memory;               // (B, S, H), 0 at PAD steps
        Tensor source_padding_mask;  // (B, S) bool, true = PAD; undefined when pad_id is -1
        LSTMState decoder_state;     // the decoder's initial h and c, (L_dec, B, H) each
    };
    // source_tokens int64 (B, S).
    Encoded encode(const Tensor& source_tokens);
    // target_tokens int64 (B, T) from `state` (L_dec, B, H) -> logits (B, T, V) and the state after them.
    std::pair<Tensor, LSTMState> decode(const Tensor& target_tokens, const Encoded& encoded, const LSTMState& state);

    Tensor forward(const Tensor& source_tokens, const Tensor& target_input) override;
    std::unique_ptr<DecoderState> start_decoding(const Tensor& source_tokens) override;
    Tensor decode_step(const Tensor& tokens, DecoderState& state) override;
    // The one GlobalAttention (weights (B, 1, T, S)); empty without attention.
    std::vector<AttentionModule*> cross_attention() override;

    const Seq2SeqLSTMOptions& options() const { return options_; }
    LSTM& encoder() { return *encoder_; }
    LSTM& decoder() { return *decoder_; }
    GlobalAttention* attention() { return attention_.get(); }  // null without attention

private:
    void check_tokens(const Tensor& tokens, const char* what) const;

    Seq2SeqLSTMOptions options_;
    std::shared_ptr<Embedding> source_embedding_;
    std::shared_ptr<Embedding> target_embedding_;
    std::shared_ptr<Dropout> dropout_;
    std::shared_ptr<LSTM> encoder_;
    std::shared_ptr<LSTM> decoder_;
    std::shared_ptr<GlobalAttention> attention_;  // null without attention
    std::shared_ptr<Linear> output_projection_;
};

}  // namespace tapegrad::nn
