// Evaluation: decode a split greedily and score it against the references.
#pragma once

#include <string>
#include <vector>

#include "data/parallel_corpus.h"
#include "examples/translate/experiment.h"
#include "examples/translate/metrics.h"
#include "nn/seq2seq.h"

namespace tapegrad::translate {

struct EvalResult {
    double exact_match = 0;     // fraction of sentences translated exactly (token for token)
    double token_accuracy = 0;  // see metrics.h
    BleuResult bleu;            // corpus BLEU over target tokens
    int64_t sentences = 0;
    std::vector<std::string> hypotheses;  // the decoded texts, in the order of the pairs
};

// Greedy-decodes up to `limit` pairs (0: all), in batches, and scores them.
EvalResult evaluate(nn::Seq2SeqTransformer& model, const Experiment& experiment,
                    const std::vector<data::SentencePair>& pairs, int64_t limit = 0, int64_t batch_size = 128);

}  // namespace tapegrad::translate
