// Seq2SeqModel: what the trainer, the decoders and the pictures need of a translation model, whatever
// its architecture (the Transformer of nn/seq2seq.h, the LSTMs of nn/seq2seq_lstm.h).
//
//   training:  logits = model.forward(source, target_input)                 teacher forcing, all T at once
//   decoding:  state = model.start_decoding(source)                          encode once
//              logits = model.decode_step(last_tokens, *state)  (repeat)     one position per call
//   beam:      state->select_rows(rows)                                      expand / reorder the hypotheses
//   pictures:  model.cross_attention()[layer]->record_weights = true; model.forward(...)
//
// decode_step at position t gives the same logits as forward() on the prefix of length t + 1 gives at
// its last position (up to float rounding): the state carries what the earlier positions computed.
// Shapes: B batch, S source length, T target length, V target vocabulary.
#pragma once

#include <memory>
#include <vector>

#include "nn/attention_module.h"
#include "nn/module.h"

namespace tapegrad::nn {

// What a model keeps between decode_step calls (encoder memory, key/value cache, recurrent state, ...).
class DecoderState {
public:
    virtual ~DecoderState() = default;
    // Keeps row rows[k] of every batched tensor as row k (rows: int64 (K), any K): beam search's expansion
    // of one source into K hypotheses, and its reordering after each step.
    virtual void select_rows(const Tensor& rows) = 0;
};

class Seq2SeqModel : public Module {
public:
    // source_tokens int64 (B, S), target_input int64 (B, T) -> logits (B, T, V).
    virtual Tensor forward(const Tensor& source_tokens, const Tensor& target_input) = 0;
    // Encodes source_tokens int64 (B, S); the state decode_step continues from, at position 0.
    virtual std::unique_ptr<DecoderState> start_decoding(const Tensor& source_tokens) = 0;
    // tokens int64 (B, 1), the previous output (BOS first) -> logits (B, 1, V); advances `state` by one.
    virtual Tensor decode_step(const Tensor& tokens, DecoderState& state) = 0;
    // The attention over the source, one module per decoder layer, in layer order; each records
    // weights (B, H, T, S) (H = 1 for a single head). Empty for a model that does not attend to the source.
    virtual std::vector<AttentionModule*> cross_attention() = 0;
};

}  // namespace tapegrad::nn
