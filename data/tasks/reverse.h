// The reverse task: a random lowercase string and its reversal. If a model cannot learn this, the bug is in the
// model or the trainer, not in the data.
#pragma once

#include <cstdint>
#include <vector>

#include "data/parallel_corpus.h"

namespace tapegrad::data {

struct ReverseOptions {
    int64_t min_length = 3;   // shortest source, in letters (>= 1)
    int64_t max_length = 12;  // longest source, in letters (>= min_length)
};

// n pairs {"abc", "cba"}: letters uniform over a..z, length uniform over [min_length, max_length].
// Throws std::invalid_argument for a negative n or invalid lengths.
std::vector<SentencePair> generate_reverse(int64_t n, uint64_t seed, ReverseOptions options = {});

}  // namespace tapegrad::data
