// The task of "learning at a distance": recall the first token. A sequence of d + 1 random tokens is read
// and the answer, at the last position, is the token d positions back — the first one. Nothing in between
// helps: the model must carry that one token across d positions of noise (chance: 1 / V).
#pragma once

#include <cstdint>

#include "autograd/autograd.h"
#include "base/generator.h"

namespace tapegrad::long_range {

struct RecallBatch {
    Tensor tokens;   // int64 (B, distance + 1), uniform in [0, V)
    Tensor answers;  // int64 (B): tokens[:, 0]
};

// Throws std::invalid_argument naming the task when distance < 1, batch < 1 or vocab_size < 2.
RecallBatch make_recall_batch(int64_t distance, int64_t batch, int64_t vocab_size, Generator& generator);

}  // namespace tapegrad::long_range
