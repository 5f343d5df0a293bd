// The attention probe: a fixed batch of validation pairs, and every head's statistics on it.
#include "examples/translate/attention_probe.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/tape.h"
#include "data/vocab.h"
#include "nn/attention_module.h"

namespace tapegrad::translate {
namespace {

// Per row of int64 (B, L) tokens: how many are not PAD (padding is on the right), and where EOS is.
void lengths_and_eos(const Tensor& tokens, std::vector<int64_t>& lengths, std::vector<std::vector<int64_t>>& eos) {
    const int64_t rows = tokens.size(0), width = tokens.size(1);
    const std::vector<int64_t> ids = tokens.to_vector<int64_t>();
    for (int64_t r = 0; r < rows; ++r) {
        int64_t length = 0;
        std::vector<int64_t>& eos_positions = eos.emplace_back();
        for (int64_t i = 0; i < width; ++i) {
            const int64_t id = ids[static_cast<std::size_t>(r * width + i)];
            if (id != data::Vocab::pad_id()) length = i + 1;
            if (id == data::Vocab::eos_id()) eos_positions.push_back(i);
        }
        lengths.push_back(length);
    }
}

}  // namespace

AttentionProbe make_attention_probe(const Experiment& experiment) {
    AttentionProbe probe;
    const auto& valid = experiment.splits.valid;
    const auto count = std::min<std::size_t>(static_cast<std::size_t>(kProbePairs), valid.size());
    if (count == 0) return probe;
    std::vector<std::vector<int64_t>> source_ids, target_ids;
    experiment.encode({valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(count)}, source_ids, target_ids);
    std::vector<int64_t> indices(count);
    std::iota(indices.begin(), indices.end(), 0);
    probe.batch = data::collate(source_ids, target_ids, indices);
    lengths_and_eos(probe.batch.source, probe.source_lengths, probe.source_eos);
    lengths_and_eos(probe.batch.target_input, probe.target_lengths, probe.target_eos);
    return probe;
}

std::vector<nn::HeadStatistics> probe_attention_heads(nn::Seq2SeqModel& model, const AttentionProbe& probe) {
    // The three kinds of attention (encoder self, decoder masked self, cross) are the Transformer's; the
    // recurrent models have no heads to follow.
    if (probe.empty() || dynamic_cast<nn::Seq2SeqTransformer*>(&model) == nullptr) return {};
    const auto modules = nn::attention_modules(model);
    std::vector<bool> was_recording;
    for (const auto& [name, attention] : modules) {
        was_recording.push_back(attention->record_weights);
        attention->record_weights = true;
    }
    const bool was_training = model.is_training();
    {
        NoGradGuard no_grad;
        model.eval();
        model.forward(probe.batch.source, probe.batch.target_input);
    }
    model.train(was_training);

    std::vector<nn::HeadStatistics> statistics;
    for (std::size_t m = 0; m < modules.size(); ++m) {
        const auto& [name, attention] = modules[m];
        const std::optional<nn::AttentionSite> site = nn::attention_site(name);
        if (!site) throw std::logic_error(fmt::format("probe_attention_heads: no attention kind for module '{}'", name));
        const bool keys_are_source = site->kind != nn::AttentionKind::decoder_self;
        const bool queries_are_source = site->kind == nn::AttentionKind::encoder_self;
        const std::vector<nn::HeadStatistics> heads = nn::module_head_statistics(
            site->kind, site->layer, attention->last_weights(),
            queries_are_source ? probe.source_lengths : probe.target_lengths,
            keys_are_source ? probe.source_lengths : probe.target_lengths,
            keys_are_source ? probe.source_eos : probe.target_eos);
        statistics.insert(statistics.end(), heads.begin(), heads.end());
        attention->clear_recorded_weights();
        attention->record_weights = was_recording[m];
    }
    return statistics;
}

}  // namespace tapegrad::translate
