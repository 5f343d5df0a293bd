// The translation model of a TrainConfig.
#include "examples/translate/model.h"

#include <stdexcept>

#include <fmt/format.h>

#include "nn/seq2seq.h"
#include "nn/seq2seq_lstm.h"

namespace tapegrad::translate {

std::shared_ptr<nn::Seq2SeqModel> build_model(const TrainConfig& config, int64_t source_vocab_size,
                                              int64_t target_vocab_size, Generator& generator) {
    if (config.architecture == "lstm" || config.architecture == "lstm-attention") {
        std::optional<nn::AttentionScore> attention;
        if (config.architecture == "lstm-attention") attention = nn::parse_attention_score(config.attention_score);
        return std::make_shared<nn::Seq2SeqLSTM>(
            nn::Seq2SeqLSTMOptions{.source_vocab_size = source_vocab_size,
                                   .target_vocab_size = target_vocab_size,
                                   .embed_dim = config.embed_dim,
                                   .hidden_size = config.embed_dim,
                                   .num_encoder_layers = config.encoder_layers,
                                   .num_decoder_layers = config.decoder_layers,
                                   .bidirectional_encoder = true,
                                   .dropout = config.dropout,
                                   .attention = attention,
                                   .pad_id = 0},
            generator);
    }
    if (config.architecture != "transformer")
        throw std::invalid_argument(fmt::format(
            "unknown architecture '{}' (transformer, lstm or lstm-attention)", config.architecture));
    return std::make_shared<nn::Seq2SeqTransformer>(
        nn::Seq2SeqTransformerOptions{.source_vocab_size = source_vocab_size,
                                      .target_vocab_size = target_vocab_size,
                                      .embed_dim = config.embed_dim,
                                      .num_heads = config.num_heads,
                                      .num_encoder_layers = config.encoder_layers,
                                      .num_decoder_layers = config.decoder_layers,
                                      .ff_dim = config.ff_dim,
                                      .dropout = config.dropout,
                                      .norm_first = config.pre_norm,
                                      .max_len = config.max_len,
                                      .pad_id = 0,
                                      .tie_target_embeddings = config.tie_embeddings},
        generator);
}

}  // namespace tapegrad::translate
