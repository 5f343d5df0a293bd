#include "examples/long_range/settings.h"

namespace tapegrad::long_range {

LongRangeSettings full_settings() {
    LongRangeSettings settings;
    settings.model = {.vocab_size = 16, .embed_dim = 64, .num_heads = 4, .num_layers = 2, .ff_dim = 128,
                      .max_length = 1025};
    settings.budget = {.steps = 300, .batch = 32, .learning_rate = 3e-3, .clip_norm = 1.0, .eval_sequences = 256};
    settings.distances = {10, 50, 100, 250, 500, 1000};
    settings.step_lengths = {16, 32, 64, 128, 256, 512, 1024};
    settings.decode_lengths = {16, 32, 64, 128, 256};
    return settings;
}

LongRangeSettings quick_settings() {
    LongRangeSettings settings;
    settings.model = {.vocab_size = 8, .embed_dim = 16, .num_heads = 2, .num_layers = 1, .ff_dim = 32, .max_length = 64};
    settings.budget = {.steps = 5, .batch = 4, .learning_rate = 3e-3, .clip_norm = 1.0, .eval_sequences = 16};
    settings.distances = {2, 6};
    settings.learning_rates = {3e-3, 1e-2};
    settings.reach_batch = 4;
    settings.step_lengths = {8, 16};
    settings.step_batch = 4;
    settings.repeats = 1;
    settings.decode_lengths = {4, 8};
    settings.decode = {.source_length = 8, .batch = 2, .vocab_size = 8, .threads = 1, .repeats = 1};
    return settings;
}

}  // namespace tapegrad::long_range
