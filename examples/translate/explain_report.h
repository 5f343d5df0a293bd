// Filling an ExplainReport from a trained model: translate one sentence greedily, then run the model once
// more on (source, BOS + output) with every attention module recording its weights.
#pragma once

#include <string>

#include "examples/translate/experiment.h"
#include "examples/translate/explain_page.h"
#include "nn/seq2seq.h"

namespace tapegrad::translate {

// Throws std::invalid_argument, in one line naming the problem:
//   - an empty sentence (nothing but whitespace);
//   - tokens the source vocabulary does not know, each with its character position (1-based), e.g.
//     "… never saw in training: '€' at character 13, 'ß' at character 20", and the known characters when
//     the vocabulary is small enough to list;
//   - a sentence longer (in tokens) than the model's max_len.
// `checkpoint` and `steps` only label the page.
ExplainReport explain_sentence(nn::Seq2SeqTransformer& model, const Experiment& experiment, const std::string& sentence,
                               const std::string& checkpoint, int64_t steps);

}  // namespace tapegrad::translate
