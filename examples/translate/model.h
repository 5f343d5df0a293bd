// The translation model a TrainConfig describes, and the pieces of its state a checkpoint needs beyond
// its parameters: the dropout generators.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/generator.h"
#include "examples/translate/config.h"
#include "nn/seq2seq.h"

namespace tapegrad::translate {

std::shared_ptr<nn::Seq2SeqTransformer> build_model(const TrainConfig& config, int64_t source_vocab_size,
                                                    int64_t target_vocab_size, Generator& generator);

// Every dropout module's generator, by module name, so masks continue exactly after a resume.
std::vector<std::pair<std::string, Generator*>> dropout_generators(nn::Module& model);

}  // namespace tapegrad::translate
