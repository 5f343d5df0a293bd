// Exact match, position-wise token accuracy and corpus BLEU (Papineni et al. 2002) for tokenized corpora.
#include "examples/translate/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace tapegrad::translate {

namespace {

void check_same_size(const char* function, const std::vector<TokenSequence>& hypotheses,
                     const std::vector<TokenSequence>& references) {
    if (hypotheses.size() != references.size())
        throw std::invalid_argument(fmt::format("{}: need one hypothesis per reference, got {} hypotheses and {} references",
                                                function, hypotheses.size(), references.size()));
}

// An n-gram is a window of string_views into the sentence, so counting copies no token text.
using NGram = std::vector<std::string_view>;
using NGramCounts = std::map<NGram, int64_t>;

NGramCounts count_ngrams(const TokenSequence& tokens, std::size_t order) {
    NGramCounts counts;
    for (std::size_t start = 0; start + order <= tokens.size(); ++start)
        ++counts[NGram(tokens.begin() + static_cast<std::ptrdiff_t>(start),
                       tokens.begin() + static_cast<std::ptrdiff_t>(start + order))];
    return counts;
}

// Σ_g min(count_h(g), count_r(g)): each hypothesis n-gram is credited at most as often as the reference
// holds it ("modified precision"), so "the the the the" against "the cat" gets one unigram match, not four.
int64_t clipped_matches(const NGramCounts& hypothesis, const NGramCounts& reference) {
    int64_t matches = 0;
    for (const auto& [ngram, count] : hypothesis) {
        auto found = reference.find(ngram);
        if (found != reference.end()) matches += std::min(count, found->second);
    }
    return matches;
}

}  // namespace

double exact_match(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references) {
    check_same_size("exact_match", hypotheses, references);
    if (hypotheses.empty()) return 0.0;
    std::size_t identical = 0;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) identical += hypotheses[i] == references[i];
    return static_cast<double>(identical) / static_cast<double>(hypotheses.size());
}

double token_accuracy(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references) {
    check_same_size("token_accuracy", hypotheses, references);
    if (hypotheses.empty()) return 0.0;
    int64_t correct = 0;
    int64_t positions = 0;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        const TokenSequence& hypothesis = hypotheses[i];
        const TokenSequence& reference = references[i];
        const std::size_t shared = std::min(hypothesis.size(), reference.size());
        for (std::size_t j = 0; j < shared; ++j) correct += hypothesis[j] == reference[j];
        positions += static_cast<int64_t>(std::max(hypothesis.size(), reference.size()));
    }
    if (positions == 0) return 1.0;  // every pair is empty == empty
    return static_cast<double>(correct) / static_cast<double>(positions);
}

BleuResult corpus_bleu(const std::vector<TokenSequence>& hypotheses, const std::vector<TokenSequence>& references,
                       int max_order, bool smooth) {
    check_same_size("corpus_bleu", hypotheses, references);
    if (max_order < 1)
        throw std::invalid_argument(fmt::format("corpus_bleu: max_order must be at least 1, got {}", max_order));

    const auto orders = static_cast<std::size_t>(max_order);
    BleuResult result;
    result.matches.assign(orders, 0);
    result.totals.assign(orders, 0);
    result.precisions.assign(orders, 0.0);

    // Sufficient statistics, summed over the corpus before any division.
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        const TokenSequence& hypothesis = hypotheses[i];
        const TokenSequence& reference = references[i];
        result.sys_len += static_cast<int64_t>(hypothesis.size());
        result.ref_len += static_cast<int64_t>(reference.size());
        for (std::size_t n = 1; n <= orders; ++n) {
            if (hypothesis.size() < n) continue;  // no n-grams of this order in this hypothesis
            result.totals[n - 1] += static_cast<int64_t>(hypothesis.size() - n + 1);
            result.matches[n - 1] += clipped_matches(count_ngrams(hypothesis, n), count_ngrams(reference, n));
        }
    }

    // BP = 1 if c > r else exp(1 − r/c): penalises hypotheses shorter than the references, which precision
    // alone would reward. An empty system output has no BLEU at all.
    if (result.sys_len == 0) return result;
    result.brevity_penalty =
        result.sys_len > result.ref_len
            ? 1.0
            : std::exp(1.0 - static_cast<double>(result.ref_len) / static_cast<double>(result.sys_len));

    double log_precision_sum = 0.0;
    bool some_order_has_no_match = false;
    for (std::size_t n = 1; n <= orders; ++n) {
        auto matches = static_cast<double>(result.matches[n - 1]);
        auto totals = static_cast<double>(result.totals[n - 1]);
        if (smooth && n >= 2) {  // Lin & Och 2004 add-one, for n ≥ 2 only
            matches += 1.0;
            totals += 1.0;
        }
        // totals == 0 only when every hypothesis is shorter than n (and unsmoothed): nothing matched.
        const double precision = totals > 0.0 ? matches / totals : 0.0;
        result.precisions[n - 1] = precision;
        if (precision == 0.0)
            some_order_has_no_match = true;
        else
            log_precision_sum += std::log(precision);
    }
    if (some_order_has_no_match) return result;  // log 0 = −∞: the geometric mean is 0
    result.score = 100.0 * result.brevity_penalty * std::exp(log_precision_sum / static_cast<double>(orders));
    return result;
}

std::string format_bleu(const BleuResult& bleu) {
    std::string precisions;
    for (std::size_t n = 0; n < bleu.precisions.size(); ++n)
        precisions += fmt::format("{}{:.1f}", n == 0 ? "" : "/", 100.0 * bleu.precisions[n]);
    const double ratio =
        bleu.ref_len > 0 ? static_cast<double>(bleu.sys_len) / static_cast<double>(bleu.ref_len) : 0.0;
    return fmt::format("BLEU = {:.2f} {} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})", bleu.score, precisions,
                       bleu.brevity_penalty, ratio, bleu.sys_len, bleu.ref_len);
}

}  // namespace tapegrad::translate
