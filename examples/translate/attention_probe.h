// The attention probe of `translate train`: a fixed batch of validation pairs on which, at every
// evaluation, every head of every attention module is measured (nn/head_statistics.h) for heads.csv.
#pragma once

#include <cstdint>
#include <vector>

#include "data/collate.h"
#include "examples/translate/experiment.h"
#include "nn/head_statistics.h"
#include "nn/seq2seq.h"

namespace tapegrad::translate {

// How many validation pairs the probe holds: enough that a head's statistics are not one sentence's quirks,
// few enough that a probe costs a fraction of a validation.
inline constexpr int64_t kProbePairs = 16;

// The first kProbePairs validation pairs (all of them when there are fewer), teacher-forced as in training.
// The split is a function of the config, so a resumed run probes the very same pairs. Empty when the
// validation split is.
struct AttentionProbe {
    data::Batch batch;                            // source (B, S), target_input (B, T)
    std::vector<int64_t> source_lengths;          // non-PAD tokens of each source row
    std::vector<int64_t> target_lengths;          // non-PAD tokens of each target_input row (BOS + target)
    std::vector<std::vector<int64_t>> source_eos; // EOS positions of each source row (usually none)
    std::vector<std::vector<int64_t>> target_eos; // EOS positions of each target_input row (none: EOS is never input)

    bool empty() const { return batch.size() == 0; }
};

AttentionProbe make_attention_probe(const Experiment& experiment);

// Every head's statistics on the probe, module by module in nn::attention_modules order (encoder layers'
// self-attention, then each decoder layer's self- and cross-attention), heads in order within a module.
// The forward runs in eval mode (no dropout, so no random draws) without recording the tape, with each
// attention module recording its weights; afterwards the model's training mode and the modules' recording
// flags are as they were and the recorded weights are released. So probing leaves training bit for bit as
// it would have been. Empty for an empty probe and for the recurrent models (no heads to follow).
std::vector<nn::HeadStatistics> probe_attention_heads(nn::Seq2SeqModel& model, const AttentionProbe& probe);

}  // namespace tapegrad::translate
