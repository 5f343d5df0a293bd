// Greedy decoding of any Seq2SeqModel: at each step the most likely next token, fed back in; the model's
// decoder state (the Transformer's key/value cache, the LSTM's h and c) carries the earlier steps.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/seq2seq_model.h"

namespace tapegrad::nn {

// source: int64 (B, S). Each row's output tokens up to its eos_id (left out), or max_len tokens when it
// never produces eos_id. Runs in eval mode and off the tape; the model's training mode is restored after.
std::vector<std::vector<int64_t>> greedy_decode(Seq2SeqModel& model, const Tensor& source, int64_t max_len,
                                                int64_t bos_id, int64_t eos_id);

}  // namespace tapegrad::nn
