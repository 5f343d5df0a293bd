// The translation model a TrainConfig describes: its --architecture picks the class.
//   transformer     nn::Seq2SeqTransformer (embed_dim, heads, ff_dim, layers, pre_norm, tie_embeddings)
//   lstm            nn::Seq2SeqLSTM without attention: bidirectional encoder, hidden size = embed_dim
//   lstm-attention  nn::Seq2SeqLSTM with GlobalAttention of --attention-score over the encoder states
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/generator.h"
#include "examples/translate/config.h"
#include "nn/seq2seq_model.h"

namespace tapegrad::translate {

// Throws std::invalid_argument naming an unknown architecture.
std::shared_ptr<nn::Seq2SeqModel> build_model(const TrainConfig& config, int64_t source_vocab_size,
                                              int64_t target_vocab_size, Generator& generator);

}  // namespace tapegrad::translate
