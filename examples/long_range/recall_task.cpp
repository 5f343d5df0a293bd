#include "examples/long_range/recall_task.h"

#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace tapegrad::long_range {

RecallBatch make_recall_batch(int64_t distance, int64_t batch, int64_t vocab_size, Generator& generator) {
    if (distance < 1 || batch < 1 || vocab_size < 2) {
        throw std::invalid_argument(fmt::format(
            "recall task: distance {} and batch {} must be >= 1, vocab_size {} >= 2", distance, batch, vocab_size));
    }
    const int64_t length = distance + 1;
    std::vector<int64_t> tokens(static_cast<std::size_t>(batch * length));
    std::vector<int64_t> answers(static_cast<std::size_t>(batch));
    for (int64_t row = 0; row < batch; ++row) {
        for (int64_t position = 0; position < length; ++position) {
            tokens[static_cast<std::size_t>(row * length + position)] = generator.next_int(0, vocab_size);
        }
        answers[static_cast<std::size_t>(row)] = tokens[static_cast<std::size_t>(row * length)];
    }
    return {from_vector(tokens, {batch, length}), from_vector(answers, {batch})};
}

}  // namespace tapegrad::long_range
