// Evaluation: decode a split (or a file of one's own) greedily, score it against the references, and report
// the scores as a line for people and a JSON object for scripts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/parallel_corpus.h"
#include "examples/translate/experiment.h"
#include "examples/translate/metrics.h"
#include "nn/seq2seq_model.h"

namespace tapegrad::translate {

// With sentences == 0 there is nothing to score: the metrics stay 0 and are reported as absent, not as 0.
struct EvalResult {
    double exact_match = 0;     // fraction of sentences translated exactly (token for token)
    double token_accuracy = 0;  // see metrics.h
    BleuResult bleu;            // corpus BLEU over target tokens
    int64_t sentences = 0;
    std::vector<std::string> hypotheses;  // the decoded texts, in the order of the pairs
};

// Greedy-decodes up to `limit` pairs (0: all), in batches, and scores them.
EvalResult evaluate(nn::Seq2SeqModel& model, const Experiment& experiment,
                    const std::vector<data::SentencePair>& pairs, int64_t limit = 0, int64_t batch_size = 128);

// What was scored: a split of the checkpoint's corpus ("train", "valid", "test") or a file given with --data.
struct Scored {
    std::string name;       // the split's name, or the file's path
    bool is_split = true;
};

// The line for people: "test: exact match 99.90%, token accuracy 99.98%, BLEU = ... (1000 sentences)", or
// "test split is empty: no metrics" ("pairs.tsv: no pairs to score: no metrics" for a file).
std::string describe(const Scored& scored, const EvalResult& result);

// The JSON object train and eval print as their last line:
//   {"bleu", "exact_match", "final_loss", "seconds", "sentences", "split", "steps", "token_accuracy"}
// and "test_sentences" (= sentences) when the test split was scored, as before eval could score others.
// "split" is the split's name or the file's path. With no sentences, exact_match, token_accuracy and bleu are
// null; a NaN final_loss (eval does not recompute it) is null too.
std::string summary_json(const Scored& scored, const EvalResult& result, int64_t steps, double seconds,
                         double final_loss);

// A TSV file's pairs prepared for scoring a checkpoint. The file is read by data::read_tsv, with its rules
// and its path:line errors. Tokens the checkpoint's vocabularies do not know are read as <unk>, as in
// training (on both sides: a reference's unknown token can only be matched by the model saying <unk>), and
// counted; pairs longer than the model's max_len are left out, as training leaves them out of every split,
// and listed by line.
struct EvalFile {
    std::vector<data::SentencePair> pairs;            // the pairs to score, in file order
    int64_t pairs_read = 0;                           // pairs in the file
    int64_t pairs_with_unknown_tokens = 0;            // of `pairs`, those with a token read as <unk>
    std::vector<int64_t> too_long_lines;              // lines of the pairs left out
};

EvalFile read_eval_file(const std::filesystem::path& path, const Experiment& experiment);

}  // namespace tapegrad::translate
