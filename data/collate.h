// Collating: turning a list of encoded sentence pairs into one padded batch of tensors with padding masks.
//
// Shapes (legend as everywhere): B batch (sentences), S longest source in the batch, T longest target + 1.
// A target y_1..y_n is wrapped as BOS y_1..y_n EOS; the decoder reads all of it but the last token and
// predicts all of it but the first, so the two differ by a shift of one (teacher forcing):
//   target_input   BOS y1  y2  y3  PAD      decoder input
//   target_output  y1  y2  y3  EOS PAD      what the loss compares the decoder's predictions with
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/tensor.h"

namespace tapegrad::data {

struct Batch {
    Tensor source;               // int64 (B, S): source ids, PAD after each sentence
    Tensor target_input;         // int64 (B, T): BOS + target, PAD after
    Tensor target_output;        // int64 (B, T): target + EOS, PAD after (the loss target)
    Tensor source_padding_mask;  // bool (B, S): true where source is PAD (the key_padding_mask of attention)
    Tensor target_padding_mask;  // bool (B, T): true where target_input / target_output is PAD
    int64_t num_source_tokens = 0;  // non-PAD entries of source
    int64_t num_target_tokens = 0;  // non-PAD entries of target_output (each target's length + 1 for EOS)
    std::vector<int64_t> indices;   // which examples of the dataset the rows are, in row order

    int64_t size() const { return static_cast<int64_t>(indices.size()); }
};

// BOS + target + EOS.
std::vector<int64_t> with_bos_eos(const std::vector<int64_t>& target);

// The batch of examples `indices` (rows in that order). Targets are the bare ids y (no BOS / EOS).
// Throws std::invalid_argument for an empty index list or an index out of range.
Batch collate(const std::vector<std::vector<int64_t>>& source_ids, const std::vector<std::vector<int64_t>>& target_ids,
              const std::vector<int64_t>& indices);

}  // namespace tapegrad::data
