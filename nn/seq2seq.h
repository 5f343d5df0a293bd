// Seq2SeqTransformer: the encoder–decoder Transformer of "Attention Is All You Need" for translation.
//
//   source tokens (B, S) -> embed·√E + positions -> encoder ------------------> memory (B, S, E)
//   target tokens (B, T) -> embed·√E + positions -> decoder (masked self-attn,
//                                                    cross-attn to memory) -> output_projection -> logits (B, T, V)
//
// Masks are built from the tokens: the source's PAD positions are blocked as keys everywhere (encoder
// self-attention and decoder cross-attention); the target's self-attention is causal and blocks target
// PAD keys. Training feeds target_input = target[:, :-1] and scores the logits against target[:, 1:].
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/kv_cache.h"
#include "nn/linear.h"
#include "nn/positional_encoding.h"
#include "nn/seq2seq_model.h"
#include "nn/transformer_decoder.h"
#include "nn/transformer_encoder.h"

namespace tapegrad::nn {

struct Seq2SeqTransformerOptions {
    int64_t source_vocab_size = 0;             // V of the source language (required)
    int64_t target_vocab_size = 0;             // V of the target language (required)
    int64_t embed_dim = 512;                   // E
    int64_t num_heads = 8;                     // H, must divide embed_dim
    int64_t num_encoder_layers = 6;
    int64_t num_decoder_layers = 6;
    int64_t ff_dim = 2048;                     // feed-forward hidden width
    double dropout = 0.1;                      // everywhere: embeddings, attention, sublayers, FFN
    Activation activation = Activation::ReLU;  // the feed-forward nonlinearity
    bool norm_first = false;                   // pre-norm layers when true
    int64_t max_len = 512;                     // longest source or target sequence
    int64_t pad_id = 0;                        // the padding token id in both vocabularies; -1 for none
    bool tie_target_embeddings = false;        // output projection = target embedding matrix (no bias)
};

class Seq2SeqTransformer : public Seq2SeqModel {
public:
    // Children, in order: source_embedding, target_embedding, positional_encoding, dropout, encoder,
    // decoder (each with a final norm, as torch.nn.Transformer), output_projection (absent when tied).
    // Init: embeddings N(0, σ²) with σ = E^(-1/2), so that after the √E scale (§3.4) they have unit
    // variance, the scale of the sinusoidal positions (values in [−1, 1]) they are added to; with tied
    // weights the logits state·w (state layer-normed) then also start with variance ≈ 1. PAD rows are zero. Layers as TransformerEncoderLayer/DecoderLayer; output_projection as
    // torch.nn.Linear. Throws std::invalid_argument naming a bad option.
    Seq2SeqTransformer(const Seq2SeqTransformerOptions& options, Generator& generator);

    std::string type_name() const override { return "Seq2SeqTransformer"; }
    std::string extra_repr() const override;

    // source_tokens int64 (B, S) -> memory (B, S, E).
    Tensor encode(const Tensor& source_tokens);
    // target_tokens int64 (B, T), memory (B, S, E) -> logits (B, T, V). `source` is either the source
    // tokens int64 (B, S) or their padding mask bool (B, S) (true = PAD), which blocks PAD keys in
    // cross-attention.
    Tensor decode(const Tensor& target_tokens, const Tensor& memory, const Tensor& source);
    // encode then decode: source (B, S), target_input (B, T) -> logits (B, T, V).
    Tensor forward(const Tensor& source_tokens, const Tensor& target_input) override;

    // One step of incremental decoding: tokens int64 (B, n) — usually n = 1, the last generated token —
    // at positions position .. position + n − 1 -> logits (B, n, V), the same as decode() on the whole
    // prefix would give for those positions, without recomputing the earlier ones. `cache` carries the
    // earlier positions (start with an empty one; position must equal cache.length()).
    // source_padding_mask: bool (B, S), true = PAD, or undefined.
    Tensor decode_step(const Tensor& tokens, const Tensor& memory, const Tensor& source_padding_mask,
                       KeyValueCache& cache, int64_t position);

    // Seq2SeqModel: the state holds the memory, the source padding mask, the cache and the position;
    // decode_step(tokens, state) is decode_step above with them. cross_attention(): every decoder layer's
    // multihead_attn (H heads).
    std::unique_ptr<DecoderState> start_decoding(const Tensor& source_tokens) override;
    Tensor decode_step(const Tensor& tokens, DecoderState& state) override;
    std::vector<AttentionModule*> cross_attention() override;

    // bool (B, S), true where the tokens are PAD; undefined when pad_id is -1 (nothing to block).
    Tensor source_padding_mask(const Tensor& source_tokens) const;

    const Seq2SeqTransformerOptions& options() const { return options_; }
    Embedding& source_embedding() { return *source_embedding_; }
    Embedding& target_embedding() { return *target_embedding_; }
    TransformerEncoder& encoder() { return *encoder_; }
    TransformerDecoder& decoder() { return *decoder_; }
    Linear* output_projection() { return output_projection_.get(); }  // null when tied

private:
    // tokens (B, L) -> embedding·√E + PE[offset : offset + L], then dropout: (B, L, E).
    Tensor embed(Embedding& embedding, const Tensor& tokens, int64_t offset);
    // decoder states (B, T, E) -> logits (B, T, V).
    Tensor project(const Tensor& states);
    void check_tokens(const Tensor& tokens, const char* what) const;

    Seq2SeqTransformerOptions options_;
    std::shared_ptr<Embedding> source_embedding_;
    std::shared_ptr<Embedding> target_embedding_;
    std::shared_ptr<PositionalEncoding> positional_encoding_;
    std::shared_ptr<Dropout> dropout_;
    std::shared_ptr<TransformerEncoder> encoder_;
    std::shared_ptr<TransformerDecoder> decoder_;
    std::shared_ptr<Linear> output_projection_;  // null when tie_target_embeddings
};

}  // namespace tapegrad::nn
