// Parallelism, measured: what one training step costs against the sequence length on 1 and on 2 threads,
// and what greedy decoding costs against the output length.
//
// Training: the Transformer computes all T positions of a layer in a few matrix products (T × E by E × E,
// T × T attention), so its work spreads over cores; the LSTM must finish step t before step t + 1 starts,
// so each of its T steps is a small (B × H by H × 4H) product that leaves cores idle.
// Decoding is sequential for both: token t + 1 is an input only after token t was chosen. The Transformer
// then either recomputes every earlier position at each step (no cache: O(n²) work for n tokens) or keeps
// each layer's keys and values (the KV cache, nn/kv_cache.h: O(n) positions computed, each attending to
// the ones before).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "examples/long_range/sequence_models.h"

namespace tapegrad::long_range {

struct StepTime {
    std::string model;       // "Transformer" or "LSTM"
    int64_t length = 0;      // T
    int threads = 1;         // OpenMP threads
    double seconds = 0;      // median of the timed repeats: forward, loss, backward of one batch
    int64_t sequential_steps = 0;
};

// One training step (forward + cross-entropy + backward; no optimiser) of `model` on a batch of `batch`
// random sequences of `length`, timed `repeats` times after one untimed warm-up, on `threads` threads.
StepTime time_training_step(SequenceModel& model, int64_t length, int64_t batch, int threads, int repeats,
                            Generator& generator);

struct DecodeTime {
    std::string decoder;     // "Transformer, KV cache", "Transformer, no cache", "LSTM"
    int64_t output_length = 0;
    double seconds = 0;      // median of the repeats: greedy decoding of `output_length` tokens
};

struct DecodeSettings {
    int64_t source_length = 32;
    int64_t batch = 8;
    int64_t vocab_size = 32;
    int threads = 2;
    int repeats = 3;
};

// Greedy decoding of output_length tokens (never stopping early: no EOS) by an untrained encoder–decoder
// Transformer (with and without its KV cache) and an LSTM encoder–decoder with attention of about the same
// size as `options` describes; eval mode, off the tape.
std::vector<DecodeTime> time_greedy_decoding(const SequenceModelOptions& options, int64_t lstm_hidden_size,
                                             const std::vector<int64_t>& output_lengths,
                                             const DecodeSettings& settings, Generator& generator);

}  // namespace tapegrad::long_range
