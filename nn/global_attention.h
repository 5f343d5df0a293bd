// GlobalAttention: a recurrent decoder's attention over every encoder state (Luong, Pham & Manning, 2015,
// "Effective Approaches to Attention-based Neural Machine Translation", §3.1), with three scores:
//   dot       score(h_t, h̄_s) = h_tᵀ h̄_s                         Luong eq. 8, no parameters
//   general   score(h_t, h̄_s) = h_tᵀ W_a h̄_s                     Luong eq. 8 (linear_in)
//   additive  score(h_t, h̄_s) = vᵀ tanh(W_q h_t + W_c h̄_s)       Bahdanau, Cho & Bengio (2015) eq. 6, Luong's "concat"
// then a_t = softmax over s (PAD keys blocked), context c_t = Σ_s a_ts h̄_s, and the attentional hidden
// state h̃_t = tanh(W_c [c_t; h_t]) (Luong eq. 5, linear_out), which the output projection reads.
// The additive score is placed as Luong places every score — computed from the current decoder output
// h_t, not Bahdanau's previous state s_{t−1} — so that all three share one decoder.
// Parameter names as OpenNMT-py's GlobalAttention (linear_in, linear_query, linear_context, v, linear_out).
//
// Shapes: B batch, T target length (queries), S source length, H hidden_size (of queries and memory).
#pragma once

#include <string>

#include "base/generator.h"
#include "nn/attention_module.h"
#include "nn/linear.h"

namespace tapegrad::nn {

enum class AttentionScore { Dot, General, Additive };

// "dot", "general", "additive"; parse_attention_score throws std::invalid_argument naming the bad value.
std::string attention_score_name(AttentionScore score);
AttentionScore parse_attention_score(const std::string& name);

struct GlobalAttentionOptions {
    int64_t hidden_size = 0;                       // H of the decoder outputs and of the memory (required)
    AttentionScore score = AttentionScore::General;
};

class GlobalAttention : public AttentionModule {
public:
    // Init: every Linear as torch.nn.Linear (U(−1/√fan_in, 1/√fan_in)); linear_in, linear_context, v and,
    // for dot/general, linear_out without bias, as OpenNMT-py. Throws std::invalid_argument naming a bad option.
    GlobalAttention(const GlobalAttentionOptions& options, Generator& generator);

    std::string type_name() const override { return "GlobalAttention"; }
    std::string extra_repr() const override;

    // query (B, T, H) decoder outputs, memory (B, S, H) encoder states, key_padding_mask bool (B, S)
    // (true = PAD) or undefined -> the attentional hidden states h̃ (B, T, H). Records the weights (B, T, S)
    // when asked (AttentionModule). Throws std::invalid_argument naming "GlobalAttention" and the shapes.
    Tensor forward(const Tensor& query, const Tensor& memory, const Tensor& key_padding_mask = {});

    const GlobalAttentionOptions& options() const { return options_; }

private:
    Tensor scores(const Tensor& query, const Tensor& memory) const;  // (B, T, S)

    GlobalAttentionOptions options_;
    std::shared_ptr<Linear> linear_in_;       // general: W_a (H, H)
    std::shared_ptr<Linear> linear_query_;    // additive: W_q (H, H), with bias
    std::shared_ptr<Linear> linear_context_;  // additive: W_c (H, H)
    std::shared_ptr<Linear> v_;               // additive: v (1, H)
    std::shared_ptr<Linear> linear_out_;      // W_c of eq. 5: (H, 2H)
};

}  // namespace tapegrad::nn
