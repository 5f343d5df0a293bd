// The translation model a TrainConfig describes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/generator.h"
#include "examples/translate/config.h"
#include "nn/seq2seq.h"

namespace tapegrad::translate {

std::shared_ptr<nn::Seq2SeqTransformer> build_model(const TrainConfig& config, int64_t source_vocab_size,
                                                    int64_t target_vocab_size, Generator& generator);

}  // namespace tapegrad::translate
