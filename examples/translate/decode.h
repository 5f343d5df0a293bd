// Decoding: turning a source sentence into a translation with a trained model, one token at a time.
// Both decoders carry the model's decoder state (the Transformer's key/value cache, the LSTM's h and c),
// so step t does not re-run the decoder on the whole prefix. They work for every nn::Seq2SeqModel.
#pragma once

#include <vector>

#include "nn/seq2seq_model.h"

namespace tapegrad::translate {

// Greedy: at every step take the most likely next token. source: int64 (B, S). Returns each row's
// output ids without BOS, ending before EOS (or after max_len tokens).
std::vector<std::vector<int64_t>> greedy_decode(nn::Seq2SeqModel& model, const Tensor& source, int64_t max_len);

struct BeamSearchOptions {
    int64_t beam_size = 4;
    int64_t max_len = 128;
    // GNMT's length penalty lp(n) = ((5 + n) / 6)^α (Wu et al., 2016): finished hypotheses are compared
    // by log-probability / lp(n), so longer ones are not penalised merely for having more factors < 1.
    double length_penalty = 0.6;
};

// Beam search for one sentence (source_ids without BOS/EOS). With beam_size 1 it is exactly greedy.
std::vector<int64_t> beam_search(nn::Seq2SeqModel& model, const std::vector<int64_t>& source_ids,
                                 const BeamSearchOptions& options);

}  // namespace tapegrad::translate
