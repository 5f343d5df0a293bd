// Parallel corpora: sentence pairs, reading and writing them as TSV, and train/valid/test splits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tapegrad::data {

// One translation example: `source` is the input sentence, `target` the expected output.
struct SentencePair {
    std::string source;
    std::string target;
    bool operator==(const SentencePair&) const = default;
    auto operator<=>(const SentencePair&) const = default;
};

// Reads `source<TAB>target` lines, the layout of Tatoeba / Anki ("manythings.org") exports: columns after the
// second (attribution, ids) are ignored. A UTF-8 byte-order mark at the start and a '\r' before each '\n'
// (Windows line ends) are tolerated, surrounding spaces of each side are trimmed, blank lines are skipped.
// Throws std::runtime_error with a "path:line: " prefix for a line without a tab, an empty source or target
// side, or invalid UTF-8 (with its byte offset in the line), "read_tsv: 'path' is a directory, not a TSV file",
// and "read_tsv: cannot open 'path'" when the file cannot be read.
std::vector<SentencePair> read_tsv(const std::filesystem::path& path);

// A pair with the line of the file it came from (1-based), for messages that point at it.
struct NumberedPair {
    SentencePair pair;
    int64_t line = 0;
};

// read_tsv, keeping each pair's line number.
std::vector<NumberedPair> read_numbered_tsv(const std::filesystem::path& path);

// Writes pairs as `source<TAB>target` lines (what read_tsv reads). Throws std::invalid_argument when a side
// contains a tab or a line break (it could not be read back), std::runtime_error when the file cannot be written.
void write_tsv(const std::filesystem::path& path, const std::vector<SentencePair>& pairs);

struct CorpusSplits {
    std::vector<SentencePair> train;
    std::vector<SentencePair> valid;
    std::vector<SentencePair> test;
};

// Splits a corpus into train / valid / test, deterministically from `seed`.
//   1. Exact duplicate pairs are removed (the first occurrence is kept).
//   2. Pairs are grouped by source sentence, and the groups are shuffled: every pair with a given source lands
//      in the same split. So no pair appears in two splits, and no test source was seen in training with
//      another translation (Tatoeba has many sentences with several translations).
//   3. Groups fill test, then valid, until each holds round(fraction * number of distinct pairs) pairs (a group
//      may overshoot by its size); the rest is train.
// Within each split pairs keep the shuffled order. Throws std::invalid_argument unless both fractions are in
// [0, 1) and their sum is below 1.
CorpusSplits split_corpus(const std::vector<SentencePair>& pairs, double valid_fraction, double test_fraction,
                          uint64_t seed);

}  // namespace tapegrad::data
