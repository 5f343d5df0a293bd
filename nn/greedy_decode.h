// Greedy decoding of a Seq2SeqTransformer with its key/value cache: at each step the most likely next
// token, fed back in; each new step attends to the cached keys and values of the earlier ones.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/seq2seq.h"

namespace tapegrad::nn {

// source: int64 (B, S). Each row's output tokens up to its eos_id (left out), or max_len tokens when it
// never produces eos_id. Runs in eval mode and off the tape; the model's training mode is restored after.
std::vector<std::vector<int64_t>> greedy_decode(Seq2SeqTransformer& model, const Tensor& source, int64_t max_len,
                                                int64_t bos_id, int64_t eos_id);

}  // namespace tapegrad::nn
