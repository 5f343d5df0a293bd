// AttentionModule: what every attention layer shares so that a tool can look inside it — the per-head
// weights of the last forward (and, on request, their gradients), found by the module's dotted name.
//
//   for (auto& [name, attention] : nn::attention_modules(model)) attention->record_weights = true;
//   model.forward(...);  loss.backward();
//   Tensor w = attention_modules(model)[0].second->last_weights();  // (B, H, T, S): draw a heat-map per head
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/generator.h"
#include "nn/linear.h"
#include "nn/module.h"

namespace tapegrad::nn {

class AttentionModule : public Module {
public:
    // Keep the attention weights of the last forward, at the cost of holding them alive until the next.
    bool record_weights = false;
    // Also keep their gradient through the next backward (retain_grad on the weights): "which
    // attention weight would change the loss most" per layer and head. Implies record_weights.
    bool record_weights_grad = false;

    // The last forward's weights as (B, H, T, S) — H = 1 for a single-head module; each row sums to 1
    // (0 for a fully masked query). Undefined until a forward has run with record_weights on.
    Tensor last_weights() const;
    // d(loss)/d(weights) as (B, H, T, S) after backward; undefined unless record_weights_grad was on
    // during the forward (and the forward was recorded on the tape).
    Tensor last_weights_grad() const;
    // Forgets the recorded weights (and with them the graph they keep alive).
    void clear_recorded_weights() { last_weights_ = Tensor(); }

protected:
    // Called by forward with the weights it computed, (B, H, T, S) or (B, T, S) for a single head;
    // keeps them when asked to. `weights` must be the tensor on the tape, so that its grad is retained.
    void remember_weights(const Tensor& weights);
    bool wants_weights() const { return record_weights || record_weights_grad; }

private:
    Tensor last_weights_;
};

// A Linear(E, E) initialised as torch.nn.MultiheadAttention._reset_parameters initialises its projections:
// a Xavier-uniform weight keeps the variance of queries, keys and values equal to that of x (fan_in =
// fan_out = E), so the scores start with variance ≈ 1 after the 1/√D scale; a zero bias starts every
// position on equal footing. Draws from `generator` as Linear's constructor does, then the Xavier weight.
std::shared_ptr<Linear> attention_projection(int64_t embed_dim, bool bias, Generator& generator);

// Every attention module under `root` (root included), by dotted name, in registration order:
//   "encoder.layers.0.self_attn", "decoder.layers.0.multihead_attn", ...
std::vector<std::pair<std::string, AttentionModule*>> attention_modules(Module& root);

}  // namespace tapegrad::nn
