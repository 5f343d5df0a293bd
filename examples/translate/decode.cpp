// Greedy and beam-search decoding from the model's decoder state.
#include "examples/translate/decode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "data/vocab.h"
#include "nn/greedy_decode.h"

namespace tapegrad::translate {
namespace {

constexpr int64_t kBos = data::Vocab::kBosId;
constexpr int64_t kEos = data::Vocab::kEosId;

double length_penalty(int64_t length, double alpha) { return std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha); }

}  // namespace

std::vector<std::vector<int64_t>> greedy_decode(nn::Seq2SeqModel& model, const Tensor& source, int64_t max_len) {
    return nn::greedy_decode(model, source, max_len, kBos, kEos);
}

std::vector<int64_t> beam_search(nn::Seq2SeqModel& model, const std::vector<int64_t>& source_ids,
                                 const BeamSearchOptions& options) {
    if (options.beam_size < 1)
        throw std::invalid_argument(fmt::format("beam_search: beam_size must be at least 1, got {}", options.beam_size));
    NoGradGuard no_grad;
    model.eval();
    const int64_t k = options.beam_size;
    const Tensor source = from_vector(source_ids, {1, static_cast<int64_t>(source_ids.size())});
    const std::unique_ptr<nn::DecoderState> state = model.start_decoding(source);
    state->select_rows(zeros({k}, {.dtype = DType::Int64}));  // every beam reads the one source

    struct Hypothesis {
        std::vector<int64_t> ids;
        double log_probability = 0;
        bool finished = false;
    };
    // Start with one live beam; the others score -inf so the first step does not pick K copies of it.
    std::vector<Hypothesis> beams(static_cast<std::size_t>(k));
    for (int64_t b = 1; b < k; ++b) beams[b].log_probability = -std::numeric_limits<double>::infinity();
    for (int64_t position = 0; position < options.max_len; ++position) {
        std::vector<int64_t> last;
        for (const Hypothesis& h : beams) last.push_back(h.ids.empty() ? kBos : h.ids.back());
        const Tensor logits = model.decode_step(from_vector(last, {k, 1}), *state);  // (K, 1, V)
        const Tensor log_probs = log_softmax(logits.reshape({k, -1}).to(DType::Float64), -1);  // (K, V)
        const int64_t vocab = log_probs.size(1);
        const std::vector<double> lp = log_probs.to_vector<double>();

        // Every (beam, token) continuation; a finished beam continues only as itself (fed EOS, unchanged score).
        struct Candidate {
            double score;
            int64_t beam, token;
        };
        std::vector<Candidate> candidates;
        for (int64_t b = 0; b < k; ++b) {
            if (beams[b].finished) {
                candidates.push_back({beams[b].log_probability, b, kEos});
                continue;
            }
            for (int64_t v = 0; v < vocab; ++v) candidates.push_back({beams[b].log_probability + lp[b * vocab + v], b, v});
        }
        // Highest score first; ties go to the lower beam, then the lower token (so beam 1 is argmax).
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
        std::vector<Hypothesis> next;
        std::vector<int64_t> parents;
        for (std::size_t c = 0; c < candidates.size() && static_cast<int64_t>(next.size()) < k; ++c) {
            const Candidate& candidate = candidates[c];
            Hypothesis h = beams[candidate.beam];
            if (!h.finished) {
                h.log_probability = candidate.score;
                if (candidate.token == kEos) h.finished = true;
                else h.ids.push_back(candidate.token);
            }
            next.push_back(std::move(h));
            parents.push_back(candidate.beam);
        }
        beams = std::move(next);
        state->select_rows(from_vector(parents, {k}));  // row k continues beam parents[k]
        if (std::all_of(beams.begin(), beams.end(), [](const Hypothesis& h) { return h.finished; })) break;
    }
    // The best hypothesis by length-normalised log-probability; finished ones are preferred.
    const Hypothesis* best = nullptr;
    double best_score = -std::numeric_limits<double>::infinity();
    for (bool want_finished : {true, false}) {
        for (const Hypothesis& h : beams) {
            if (h.finished != want_finished) continue;
            const double score = h.log_probability / length_penalty(static_cast<int64_t>(h.ids.size()) + 1, options.length_penalty);
            if (best == nullptr || score > best_score) best = &h, best_score = score;
        }
        if (best != nullptr) break;
    }
    return best->ids;
}

}  // namespace tapegrad::translate
