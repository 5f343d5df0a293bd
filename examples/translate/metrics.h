// Translation quality metrics over tokenized corpora: exact match, token accuracy and corpus BLEU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tapegrad::translate {

// One tokenized sentence. The metrics compare tokens as opaque strings, so a character-level task passes
// one character per token and a word-level task one word per token; BLEU is then char- or word-BLEU.
using TokenSequence = std::vector<std::string>;

// Fraction of sentences whose hypothesis equals its reference token for token (same length, same tokens),
// in [0, 1]. An empty corpus scores 0.
// Throws std::invalid_argument naming both sizes when the corpora differ in length.
double exact_match(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references);

// Position-wise token accuracy over the corpus, in [0, 1]:
//
//     Σ_i #{ j : j < min(|h_i|, |r_i|) and h_i[j] == r_i[j] }  /  Σ_i max(|h_i|, |r_i|)
//
// Tokens are compared at the same position only (no alignment), and the denominator is the longer of the
// two lengths, so both a missing token (hypothesis too short) and an extra one (hypothesis too long) count
// as an error: "2026-11-2" against "2026-11-27" scores 9/10, "2026-11-277" scores 10/11.
// Sums run over the corpus (not an average of per-sentence accuracies), so long sentences weigh more.
// If every sentence is empty on both sides the accuracy is 1 (nothing was wrong); an empty corpus scores 0.
// Throws std::invalid_argument naming both sizes when the corpora differ in length.
double token_accuracy(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references);

struct BleuResult {
    double score = 0.0;              // BLEU × 100, in [0, 100], as sacreBLEU reports it
    std::vector<double> precisions;  // p_n for n = 1..max_order, in [0, 1]: the values that entered the
                                     // geometric mean (after smoothing when smooth = true)
    std::vector<int64_t> matches;    // clipped n-gram matches summed over the corpus, per order
    std::vector<int64_t> totals;     // hypothesis n-grams summed over the corpus, per order
    double brevity_penalty = 0.0;    // BP in (0, 1]
    int64_t sys_len = 0;             // c: total hypothesis tokens
    int64_t ref_len = 0;             // r: total reference tokens
};

// Corpus-level BLEU with one reference per sentence (Papineni, Roukos, Ward and Zhu 2002, "BLEU: a Method
// for Automatic Evaluation of Machine Translation", ACL):
//
//   p_n  = Σ_sentences Σ_{n-grams g of h} min(count_h(g), count_r(g))  /  Σ_sentences max(0, |h| − n + 1)
//   BP   = 1 if c > r, else exp(1 − r / c)           (c = Σ|h|, r = Σ|r|; BP = 0 when c = 0)
//   BLEU = 100 · BP · exp( (1/N) Σ_{n=1..N} log p_n )          N = max_order, uniform weights
//
// The counts are summed over the whole corpus before dividing (the paper's definition, and sacreBLEU's);
// this is not the mean of sentence BLEUs, in which one sentence without a 4-gram match scores 0 outright.
// Without smoothing, any order with zero matches makes BLEU 0. With smooth = true, orders n ≥ 2 use
// add-one smoothing, p_n = (m_n + 1) / (t_n + 1) (Lin and Och 2004, "ORANGE: a Method for Evaluating
// Automatic Evaluation Metrics for Machine Translation", COLING), which keeps short or poor hypotheses from
// collapsing to 0; p_1 is never smoothed, so a hypothesis sharing no token with its reference still scores 0.
// Throws std::invalid_argument when the corpora differ in length or max_order < 1.
BleuResult corpus_bleu(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references,
                       int max_order = 4, bool smooth = false);

// A one-line summary in sacreBLEU's layout, for logs:
//   "BLEU = 42.09 66.7/47.1/37.5/26.7 (BP = 1.000 ratio = 1.125 hyp_len = 18 ref_len = 16)"
std::string format_bleu(const BleuResult& bleu);

}  // namespace tapegrad::translate
