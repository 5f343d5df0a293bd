// Experiment: the data side of a run — the corpus and its train/valid/test split, the tokenizer and
// vocabulary of each language, and the encoded training pairs — rebuilt identically from a TrainConfig
// (and, after training, from a checkpoint's saved tokenizers and vocabularies).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/parallel_corpus.h"
#include "data/tokenizer.h"
#include "data/vocab.h"
#include "examples/translate/config.h"

namespace tapegrad::translate {

// One side of the translation: how its text becomes ids and back.
struct Language {
    std::unique_ptr<data::Tokenizer> tokenizer;
    data::Vocab vocab;

    std::vector<int64_t> encode(const std::string& text) const;
    // Ids -> tokens, stopping at EOS and dropping BOS/PAD.
    std::vector<std::string> tokens(const std::vector<int64_t>& ids) const;
    std::string decode(const std::vector<int64_t>& ids) const;
};

// What Experiment::restore rebuilds besides the languages: the corpus and its split, or nothing (translating,
// or scoring a file of one's own, needs only the tokenizers and vocabularies).
enum class RestoreSplits { rebuild, skip };

struct Experiment {
    TrainConfig config;
    data::CorpusSplits splits;
    Language source;
    Language target;

    // Reads or generates the corpus, splits it, and learns the tokenizers (BPE merges) and vocabularies
    // from the training split only.
    static Experiment create(const TrainConfig& config);
    // The same corpus and split (or none, with RestoreSplits::skip), with the tokenizers and vocabularies a
    // checkpoint saved.
    static Experiment restore(const TrainConfig& config, const std::string& source_tokenizer_json,
                              const std::string& source_vocab_json, const std::string& target_tokenizer_json,
                              const std::string& target_vocab_json, RestoreSplits splits = RestoreSplits::rebuild);

    // Whether the pair fits the model's position table: source at most max_len tokens, target with BOS and
    // EOS at most max_len. Pairs that do not are dropped from every split, and from files scored by eval.
    bool fits_max_len(const data::SentencePair& pair) const;

    // Encoded pairs of a split, for the DataLoader.
    void encode(const std::vector<data::SentencePair>& pairs, std::vector<std::vector<int64_t>>& source_ids,
                std::vector<std::vector<int64_t>>& target_ids) const;
};

// The corpus a config describes: the TSV file, or the generated task.
std::vector<data::SentencePair> load_corpus(const TrainConfig& config);

// Pairs in all three splits.
int64_t corpus_size(const data::CorpusSplits& splits);

// Below this many pairs a corpus's test and validation splits hold a few dozen sentences, and one sentence
// more or less right moves exact match by whole percent.
inline constexpr int64_t kFewPairs = 1000;

// "warning: 842 pairs: metrics on so few sentences are noisy" for a corpus of fewer than kFewPairs pairs,
// else "".
std::string few_pairs_warning(int64_t pairs);

// At the start of training (rank 0): the few-pairs warning (standard error) and, when the validation split is
// empty, "validation split is empty: no validation metrics" (standard output), once.
void print_training_data_notes(const Experiment& experiment);

}  // namespace tapegrad::translate
