// The validation and test splits kept in a checkpoint directory (valid.tsv, test.tsv), so that `eval`
// needs neither the training data nor the working directory the model was trained in.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/parallel_corpus.h"

namespace tapegrad::translate {

// Writes DIR/valid.tsv and DIR/test.tsv atomically and returns what the checkpoint's metadata key "splits"
// records of them: {"version": 1, "corpus_pairs": N, "valid": {"file": "valid.tsv", "pairs": n,
// "fnv1a64": "…"}, "test": {…}}, so that a file replaced or edited since is noticed.
std::string save_stored_splits(const std::filesystem::path& directory, const data::CorpusSplits& splits);

// The pairs of split `name` ("valid" or "test") from DIR, checked against `splits_json` (the metadata
// above). Throws std::runtime_error "FILE: problem" when the file is missing, unreadable, or not the one
// the checkpoint saved; `metadata_source` names the checkpoint file for errors in the metadata itself.
std::vector<data::SentencePair> read_stored_split(const std::filesystem::path& directory, const std::string& splits_json,
                                                  const std::string& name, const std::string& metadata_source);

// The number of pairs of the corpus the splits came from (all three splits), as recorded in `splits_json`.
int64_t stored_corpus_pairs(const std::string& splits_json, const std::string& metadata_source);

}  // namespace tapegrad::translate
