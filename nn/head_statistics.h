// Per-head attention statistics: what each head of a trained model does, in a few numbers and one line of
// plain words ("looks at the previous token", "aligns to the source left to right", "diffuse").
//
//   HeadWeights sentence{.weights = w, .queries = T, .keys = S, .causal = true};   // one head, one sentence
//   HeadStatistics s = head_statistics(AttentionKind::decoder_self, layer, head, {sentence});
//   out << head_statistics_csv_header() << "\n" << head_statistics_csv_row(s) << "\n";
//
// The inputs are plain weight matrices plus what the caller knows about their positions (how many are
// real tokens, which keys are EOS, whether the future is masked), so the same code serves `translate
// explain` (one sentence) and the trainer (a fixed probe batch at every evaluation).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "autograd/tensor.h"

namespace tapegrad::nn {

// The three places attention sits in an encoder–decoder Transformer:
//   encoder_self  Q, K, V all from the source; every query sees every (non-PAD) key
//   decoder_self  Q, K, V all from the target so far; the causal mask hides the future
//   cross         Q from the decoder, K and V from the encoder's output (the memory)
enum class AttentionKind { encoder_self, decoder_self, cross };

// "encoder_self", "decoder_self", "cross": the names the CSV's kind column uses.
std::string_view attention_kind_name(AttentionKind kind);
// The inverse; throws std::invalid_argument naming the bad name and the three good ones.
AttentionKind attention_kind_from_name(std::string_view name);

// Which kind and layer a Seq2SeqTransformer attention module is, from its dotted name:
//   "encoder.layers.L.self_attn" -> encoder_self L,  "decoder.layers.L.self_attn" -> decoder_self L,
//   "decoder.layers.L.multihead_attn" -> cross L.  Anything else -> nullopt.
struct AttentionSite {
    AttentionKind kind = AttentionKind::encoder_self;
    int64_t layer = 0;
};
std::optional<AttentionSite> attention_site(std::string_view module_name);

// One head's weights for one sentence, and what the caller knows about the positions.
// Padding is assumed on the right (as the data loader pads): the first valid_queries rows and the first
// valid_keys columns are real tokens.
struct HeadWeights {
    std::vector<double> weights{};    // (T, S) row-major: weights[t * S + s] is query t's weight on key s (required)
    int64_t queries = 0;              // T, rows of `weights` (required)
    int64_t keys = 0;                 // S, columns of `weights` (required)
    int64_t valid_queries = -1;       // rows that are real tokens; -1: all T. PAD rows are ignored
    int64_t valid_keys = -1;          // columns that are real tokens; -1: all S. PAD keys are never visible
    std::vector<int64_t> eos_keys{};  // key positions holding EOS (may be empty: then weight_on_eos is NaN)
    bool causal = false;              // query t may see keys 0..t only (decoder self-attention)
};

// The statistics of one head, each a mean over the query rows that count (see below); NaN when a
// statistic does not apply to the kind or no row qualifies. Definitions, for query row t with visible
// keys V_t (the valid keys, and for a causal head only those ≤ t), n_t = |V_t|, and
// p_ts = w_ts / Σ_{s∈V_t} w_ts (the row renormalised over what it may see):
//   rows                the rows the means are over: valid query rows with n_t ≥ 2 and a positive sum.
//                       A row that may see one key has no choice to make (its entropy would be 0/0, its
//                       weight on that key 1 by force): it is left out of every mean.
//   entropy             −Σ_s p_ts log p_ts / log n_t: 0 = all weight on one key, 1 = uniform over V_t.
//                       n_t^entropy is the row's effective number of keys (its perplexity).
//   mean_distance       Σ_s p_ts |t − s|, in positions (self-attention only).
//   weight_on_same      p_tt (self-attention only).
//   weight_on_previous  p_t,t−1, over rows t ≥ 1 (self-attention only).
//   weight_on_next      p_t,t+1, over rows whose next position is visible (encoder self-attention; a
//                       causal head never sees it, so NaN).
//   weight_on_first     p_t0: the first token (BOS in the decoder, the first source token otherwise).
//   weight_on_eos       Σ_{s ∈ eos_keys ∩ V_t} p_ts, over rows that may see an EOS key.
//   monotonicity        cross-attention only: per sentence, Spearman's rank correlation between the target
//                       position t and the expected source position e_t = Σ_s p_ts s over its rows (ties get
//                       their average rank), averaged over sentences weighted by their rows. +1 follows the
//                       source left to right, −1 right to left, ≈ 0 no order. Sentences with fewer than 3
//                       rows, or with every e_t equal, have no order to measure and are skipped.
struct HeadStatistics {
    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    AttentionKind kind = AttentionKind::encoder_self;
    int64_t layer = 0;
    int64_t head = 0;
    int64_t rows = 0;
    double entropy = nan;
    double mean_distance = nan;
    double weight_on_same = nan;
    double weight_on_previous = nan;
    double weight_on_next = nan;
    double weight_on_first = nan;
    double weight_on_eos = nan;
    double monotonicity = nan;
};

// The statistics of head `head` of layer `layer` over one or more sentences (every counted row of every
// sentence weighs the same). Throws std::invalid_argument naming the sentence and the problem: a weights
// size other than T·S, valid counts outside [0, T] / [0, S], an EOS position outside [0, S), a negative
// or non-finite weight.
HeadStatistics head_statistics(AttentionKind kind, int64_t layer, int64_t head,
                               const std::vector<HeadWeights>& sentences);

// Every head of one attention module over a batch, in head order. weights (B, H, T, S), as
// AttentionModule::last_weights() returns it; valid_queries[b] and valid_keys[b] the non-PAD lengths of
// sequence b (empty vectors: all positions valid); eos_keys[b] sequence b's EOS key positions (empty: none).
// The causal flag is set for decoder_self. Throws std::invalid_argument on a wrong rank or a vector whose
// length is not B.
std::vector<HeadStatistics> module_head_statistics(AttentionKind kind, int64_t layer, const Tensor& weights,
                                                   const std::vector<int64_t>& valid_queries = {},
                                                   const std::vector<int64_t>& valid_keys = {},
                                                   const std::vector<std::vector<int64_t>>& eos_keys = {});

// ---- the plain-words line ----
// describe_head applies these rules in order and says the first that holds, with its number:
//   1. rows == 0                                              "no query has a choice to make"
//   2. the largest of weight_on_same / previous / next / first / eos ≥ kPositionalMinWeight
//                                                             "looks at the previous token (0.91)", ...
//   3. entropy ≥ kDiffuseMinEntropy                           "diffuse: spreads its weight over most keys"
//   4. cross, |monotonicity| ≥ kAlignedMinMonotonicity        "aligns to the source left to right" (or right
//                                                             to left)
//   5. self-attention, mean_distance ≤ kLocalMaxDistance      "looks at its neighbours"
//   6. entropy ≤ kSharpMaxEntropy                             "sharp: picks one or two keys by content", or for
//                                                             cross "sharp: reads one or two source tokens,
//                                                             mostly left to right" (|monotonicity| ≥
//                                                             kMostlyOrderedMonotonicity) or "…, out of order"
//   7. otherwise                                              "mixes several keys"
// Positional patterns come first because a head that puts half its weight on one fixed place is best
// described by that place, however the rest is spread.
inline constexpr double kPositionalMinWeight = 0.5;           // half of a row's weight on one fixed position
inline constexpr double kDiffuseMinEntropy = 0.75;            // normalised entropy; uniform is 1
inline constexpr double kAlignedMinMonotonicity = 0.8;        // Spearman's ρ between target and source position
inline constexpr double kMostlyOrderedMonotonicity = 0.6;     // a sharp cross head this ordered reads "mostly" in order
inline constexpr double kLocalMaxDistance = 1.5;              // mean |t − s| in positions
inline constexpr double kSharpMaxEntropy = 0.5;               // 70% on one of 25 keys, the rest even: 0.49

std::string describe_head(const HeadStatistics& statistics);

// ---- CSV ----
// One header and one row format shared by `translate explain`'s CSV and the trainer's heads.csv:
//   kind,layer,head,rows,entropy,mean_distance,weight_on_same,weight_on_previous,weight_on_next,
//   weight_on_first,weight_on_eos,monotonicity,description
// Numbers with 4 decimals, NaN as an empty field, the description double-quoted (RFC 4180).
std::string head_statistics_csv_header();
std::string head_statistics_csv_row(const HeadStatistics& statistics);

}  // namespace tapegrad::nn
