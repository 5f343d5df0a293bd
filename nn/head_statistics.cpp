// Per-head attention statistics: entropy, distance, positional weights, monotonicity, the words and the CSV.
#include "nn/head_statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

namespace tapegrad::nn {

std::string_view attention_kind_name(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::encoder_self: return "encoder_self";
        case AttentionKind::decoder_self: return "decoder_self";
        case AttentionKind::cross: return "cross";
    }
    return "?";
}

AttentionKind attention_kind_from_name(std::string_view name) {
    for (AttentionKind kind : {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross})
        if (attention_kind_name(kind) == name) return kind;
    throw std::invalid_argument(
        fmt::format("attention_kind_from_name: unknown kind '{}' (expected encoder_self, decoder_self or cross)", name));
}

std::optional<AttentionSite> attention_site(std::string_view module_name) {
    // "<stack>.layers.<L>.<module>"
    for (auto [stack, module, kind] : {std::tuple{"encoder", "self_attn", AttentionKind::encoder_self},
                                       std::tuple{"decoder", "self_attn", AttentionKind::decoder_self},
                                       std::tuple{"decoder", "multihead_attn", AttentionKind::cross}}) {
        const std::string prefix = fmt::format("{}.layers.", stack), suffix = fmt::format(".{}", module);
        if (module_name.size() <= prefix.size() + suffix.size() || !module_name.starts_with(prefix) ||
            !module_name.ends_with(suffix))
            continue;
        const std::string_view digits = module_name.substr(prefix.size(), module_name.size() - prefix.size() - suffix.size());
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        return AttentionSite{kind, std::stoll(std::string(digits))};
    }
    return std::nullopt;
}

namespace {

// A running mean that stays NaN until something is added.
struct Mean {
    double sum = 0.0;
    double weight = 0.0;
    void add(double value, double w = 1.0) {
        sum += value * w;
        weight += w;
    }
    double value() const { return weight > 0.0 ? sum / weight : HeadStatistics::nan; }
};

void validate(const HeadWeights& sentence, std::size_t index) {
    const auto fail = [&](const std::string& what) {
        throw std::invalid_argument(fmt::format("head_statistics: sentence {}: {}", index, what));
    };
    if (sentence.queries < 0 || sentence.keys < 0)
        fail(fmt::format("queries and keys must be ≥ 0, got T={} S={}", sentence.queries, sentence.keys));
    if (static_cast<int64_t>(sentence.weights.size()) != sentence.queries * sentence.keys)
        fail(fmt::format("weights must hold T·S = {}·{} = {} values, got {}", sentence.queries, sentence.keys,
                         sentence.queries * sentence.keys, sentence.weights.size()));
    if (sentence.valid_queries < -1 || sentence.valid_queries > sentence.queries)
        fail(fmt::format("valid_queries must be in [0, T={}] (or -1), got {}", sentence.queries, sentence.valid_queries));
    if (sentence.valid_keys < -1 || sentence.valid_keys > sentence.keys)
        fail(fmt::format("valid_keys must be in [0, S={}] (or -1), got {}", sentence.keys, sentence.valid_keys));
    for (int64_t eos : sentence.eos_keys)
        if (eos < 0 || eos >= sentence.keys)
            fail(fmt::format("EOS key position {} is outside [0, S={})", eos, sentence.keys));
    for (std::size_t i = 0; i < sentence.weights.size(); ++i)
        if (!std::isfinite(sentence.weights[i]) || sentence.weights[i] < 0.0)
            fail(fmt::format("weights must be finite and non-negative, got weights[{}][{}] = {}",
                             static_cast<int64_t>(i) / sentence.keys, static_cast<int64_t>(i) % sentence.keys,
                             sentence.weights[i]));
}

// Ranks 1..n with ties given their average rank.
std::vector<double> average_ranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
        const double rank = (static_cast<double>(i + j) / 2.0) + 1.0;
        for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

// Spearman's ρ: the Pearson correlation of the ranks. NaN when either side has no spread.
double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    const std::vector<double> rx = average_ranks(x), ry = average_ranks(y);
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / n, my = std::accumulate(ry.begin(), ry.end(), 0.0) / n;
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxx > 0.0 && syy > 0.0 ? sxy / std::sqrt(sxx * syy) : HeadStatistics::nan;
}

}  // namespace

HeadStatistics head_statistics(AttentionKind kind, int64_t layer, int64_t head,
                               const std::vector<HeadWeights>& sentences) {
    const bool self_attention = kind != AttentionKind::cross;
    Mean entropy, distance, same, previous, next, first, eos, monotonicity;
    int64_t rows = 0;
    for (std::size_t index = 0; index < sentences.size(); ++index) {
        const HeadWeights& sentence = sentences[index];
        validate(sentence, index);
        const int64_t S = sentence.keys;
        const int64_t valid_queries = sentence.valid_queries < 0 ? sentence.queries : sentence.valid_queries;
        const int64_t valid_keys = sentence.valid_keys < 0 ? S : sentence.valid_keys;
        std::vector<double> target_positions, expected_source_positions;  // for monotonicity
        for (int64_t t = 0; t < valid_queries; ++t) {
            const int64_t visible = sentence.causal ? std::min(t + 1, valid_keys) : valid_keys;  // keys 0..visible-1
            if (visible < 2) continue;
            const double* w = sentence.weights.data() + t * S;
            const double row_sum = std::accumulate(w, w + visible, 0.0);
            if (row_sum <= 0.0) continue;
            const auto p = [&](int64_t s) { return w[s] / row_sum; };
            ++rows;

            double h = 0.0, d = 0.0, e = 0.0;
            for (int64_t s = 0; s < visible; ++s) {
                const double ps = p(s);
                if (ps > 0.0) h -= ps * std::log(ps);
                d += ps * static_cast<double>(std::abs(t - s));
                e += ps * static_cast<double>(s);
            }
            entropy.add(h / std::log(static_cast<double>(visible)));
            first.add(p(0));
            if (self_attention) {
                distance.add(d);
                if (t < visible) same.add(p(t));
                if (t >= 1 && t - 1 < visible) previous.add(p(t - 1));
                if (t + 1 < visible) next.add(p(t + 1));
            }
            double on_eos = 0.0;
            bool sees_eos = false;
            for (int64_t s : sentence.eos_keys)
                if (s < visible) {
                    on_eos += p(s);
                    sees_eos = true;
                }
            if (sees_eos) eos.add(on_eos);
            target_positions.push_back(static_cast<double>(t));
            expected_source_positions.push_back(e);
        }
        if (!self_attention && target_positions.size() >= 3) {
            const double rho = spearman(target_positions, expected_source_positions);
            if (!std::isnan(rho)) monotonicity.add(rho, static_cast<double>(target_positions.size()));
        }
    }
    HeadStatistics out;
    out.kind = kind;
    out.layer = layer;
    out.head = head;
    out.rows = rows;
    out.entropy = entropy.value();
    out.mean_distance = distance.value();
    out.weight_on_same = same.value();
    out.weight_on_previous = previous.value();
    out.weight_on_next = next.value();
    out.weight_on_first = first.value();
    out.weight_on_eos = eos.value();
    out.monotonicity = monotonicity.value();
    return out;
}

std::vector<HeadStatistics> module_head_statistics(AttentionKind kind, int64_t layer, const Tensor& weights,
                                                   const std::vector<int64_t>& valid_queries,
                                                   const std::vector<int64_t>& valid_keys,
                                                   const std::vector<std::vector<int64_t>>& eos_keys) {
    if (!weights.defined() || weights.dim() != 4)
        throw std::invalid_argument(fmt::format(
            "module_head_statistics: weights must be (B, H, T, S), got {}",
            weights.defined() ? fmt::format("{}", weights.shape()) : std::string("an undefined tensor")));
    const int64_t B = weights.size(0), H = weights.size(1), T = weights.size(2), S = weights.size(3);
    for (auto [name, size] : {std::pair{"valid_queries", valid_queries.size()}, std::pair{"valid_keys", valid_keys.size()},
                              std::pair{"eos_keys", eos_keys.size()}})
        if (size != 0 && static_cast<int64_t>(size) != B)
            throw std::invalid_argument(fmt::format(
                "module_head_statistics: {} must have one entry per sequence (B = {}) or none, got {}", name, B, size));
    const std::vector<double> values = weights.contiguous().to_vector<double>();
    std::vector<HeadStatistics> out;
    for (int64_t h = 0; h < H; ++h) {
        std::vector<HeadWeights> sentences;
        for (int64_t b = 0; b < B; ++b) {
            const auto begin = values.begin() + ((b * H + h) * T * S);
            sentences.push_back({.weights = std::vector<double>(begin, begin + T * S),
                                 .queries = T,
                                 .keys = S,
                                 .valid_queries = valid_queries.empty() ? -1 : valid_queries[b],
                                 .valid_keys = valid_keys.empty() ? -1 : valid_keys[b],
                                 .eos_keys = eos_keys.empty() ? std::vector<int64_t>{} : eos_keys[b],
                                 .causal = kind == AttentionKind::decoder_self});
        }
        out.push_back(head_statistics(kind, layer, h, sentences));
    }
    return out;
}

std::string describe_head(const HeadStatistics& s) {
    if (s.rows == 0) return "no query has a choice to make";
    const bool cross = s.kind == AttentionKind::cross;
    const char* first = s.kind == AttentionKind::decoder_self ? "BOS, the first token"
                        : cross                              ? "the first source token"
                                                             : "the first token";
    // Rule 2: the strongest fixed place, if it holds at least kPositionalMinWeight.
    const std::pair<double, std::string> places[] = {{s.weight_on_previous, "the previous token"},
                                                     {s.weight_on_same, "its own position"},
                                                     {s.weight_on_next, "the next token"},
                                                     {s.weight_on_first, first},
                                                     {s.weight_on_eos, "EOS"}};
    const std::pair<double, std::string>* best = nullptr;
    for (const auto& place : places)
        if (!std::isnan(place.first) && (best == nullptr || place.first > best->first)) best = &place;
    if (best != nullptr && best->first >= kPositionalMinWeight)
        return fmt::format("looks at {} ({:.0f}% of its weight)", best->second, 100.0 * best->first);
    if (s.entropy >= kDiffuseMinEntropy)
        return fmt::format("diffuse: spreads its weight over most keys (entropy {:.2f})", s.entropy);
    if (cross && std::abs(s.monotonicity) >= kAlignedMinMonotonicity)
        return fmt::format("aligns to the source {} (monotonicity {:+.2f})",
                           s.monotonicity > 0 ? "left to right" : "right to left", s.monotonicity);
    if (!cross && s.mean_distance <= kLocalMaxDistance)
        return fmt::format("looks at its neighbours (mean distance {:.1f})", s.mean_distance);
    if (s.entropy <= kSharpMaxEntropy)
        return cross ? (std::isnan(s.monotonicity)
                            ? fmt::format("sharp: reads one or two source tokens (entropy {:.2f})", s.entropy)
                            : fmt::format("sharp: reads one or two source tokens, {} (monotonicity {:+.2f})",
                                          s.monotonicity >= kMostlyOrderedMonotonicity    ? "mostly left to right"
                                          : s.monotonicity <= -kMostlyOrderedMonotonicity ? "mostly right to left"
                                                                                          : "out of order",
                                          s.monotonicity))
                     : fmt::format("sharp: picks one or two keys by content (entropy {:.2f}, mean distance {:.1f})",
                                   s.entropy, s.mean_distance);
    return cross ? fmt::format("mixes several source tokens (entropy {:.2f})", s.entropy)
                 : fmt::format("mixes several keys (entropy {:.2f}, mean distance {:.1f})", s.entropy, s.mean_distance);
}

std::string head_statistics_csv_header() {
    return "kind,layer,head,rows,entropy,mean_distance,weight_on_same,weight_on_previous,weight_on_next,"
           "weight_on_first,weight_on_eos,monotonicity,description";
}

std::string head_statistics_csv_row(const HeadStatistics& s) {
    const auto number = [](double value) { return std::isnan(value) ? std::string() : fmt::format("{:.4f}", value); };
    std::string description;
    for (char c : describe_head(s)) description += c == '"' ? std::string("\"\"") : std::string(1, c);
    return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"", attention_kind_name(s.kind), s.layer, s.head, s.rows,
                       number(s.entropy), number(s.mean_distance), number(s.weight_on_same),
                       number(s.weight_on_previous), number(s.weight_on_next), number(s.weight_on_first),
                       number(s.weight_on_eos), number(s.monotonicity), description);
}

}  // namespace tapegrad::nn
