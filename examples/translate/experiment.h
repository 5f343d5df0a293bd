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

struct Experiment {
    TrainConfig config;
    data::CorpusSplits splits;
    Language source;
    Language target;

    // Reads or generates the corpus, splits it, and learns the tokenizers (BPE merges) and vocabularies
    // from the training split only.
    static Experiment create(const TrainConfig& config);
    // The same corpus and split, with the tokenizers and vocabularies a checkpoint saved.
    static Experiment restore(const TrainConfig& config, const std::string& source_tokenizer_json,
                              const std::string& source_vocab_json, const std::string& target_tokenizer_json,
                              const std::string& target_vocab_json);

    // Encoded pairs of a split, for the DataLoader.
    void encode(const std::vector<data::SentencePair>& pairs, std::vector<std::vector<int64_t>>& source_ids,
                std::vector<std::vector<int64_t>>& target_ids) const;
};

// The corpus a config describes: the TSV file, or the generated task.
std::vector<data::SentencePair> load_corpus(const TrainConfig& config);

}  // namespace tapegrad::translate
