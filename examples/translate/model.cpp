// The translation model of a TrainConfig.
#include "examples/translate/model.h"

namespace tapegrad::translate {

std::shared_ptr<nn::Seq2SeqTransformer> build_model(const TrainConfig& config, int64_t source_vocab_size,
                                                    int64_t target_vocab_size, Generator& generator) {
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
