// GlobalAttention: the three scores, the masked softmax over the source, the context and Luong's eq. 5.
#include "nn/global_attention.h"

#include <stdexcept>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/matmul.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/shape_ops.h"

namespace tapegrad::nn {

std::string attention_score_name(AttentionScore score) {
    switch (score) {
        case AttentionScore::Dot: return "dot";
        case AttentionScore::General: return "general";
        case AttentionScore::Additive: return "additive";
    }
    return "?";
}

AttentionScore parse_attention_score(const std::string& name) {
    for (AttentionScore score : {AttentionScore::Dot, AttentionScore::General, AttentionScore::Additive})
        if (attention_score_name(score) == name) return score;
    throw std::invalid_argument(fmt::format("attention score must be dot, general or additive, got '{}'", name));
}

GlobalAttention::GlobalAttention(const GlobalAttentionOptions& options, Generator& generator) : options_(options) {
    const int64_t H = options.hidden_size;
    if (H <= 0) throw std::invalid_argument(fmt::format("GlobalAttention: hidden_size must be positive, got {}", H));
    const bool additive = options.score == AttentionScore::Additive;
    if (options.score == AttentionScore::General)
        linear_in_ = register_module("linear_in", std::make_shared<Linear>(LinearOptions{.in_features = H, .out_features = H, .bias = false}, generator));
    if (additive) {
        linear_query_ = register_module("linear_query", std::make_shared<Linear>(LinearOptions{.in_features = H, .out_features = H}, generator));
        linear_context_ = register_module("linear_context", std::make_shared<Linear>(LinearOptions{.in_features = H, .out_features = H, .bias = false}, generator));
        v_ = register_module("v", std::make_shared<Linear>(LinearOptions{.in_features = H, .out_features = 1, .bias = false}, generator));
    }
    linear_out_ = register_module("linear_out", std::make_shared<Linear>(
        LinearOptions{.in_features = 2 * H, .out_features = H, .bias = additive}, generator));
}

std::string GlobalAttention::extra_repr() const {
    return fmt::format("hidden_size={}, score={}", options_.hidden_size, attention_score_name(options_.score));
}

Tensor GlobalAttention::scores(const Tensor& query, const Tensor& memory) const {
    const Tensor keys = transpose(memory, 1, 2);  // (B, H, S)
    switch (options_.score) {
        case AttentionScore::Dot: return matmul(query, keys);                          // (B, T, S)
        case AttentionScore::General: return matmul(linear_in_->forward(query), keys);  // (B, T, S)
        case AttentionScore::Additive: {
            const Tensor q = unsqueeze(linear_query_->forward(query), 2);      // (B, T, 1, H)
            const Tensor c = unsqueeze(linear_context_->forward(memory), 1);   // (B, 1, S, H)
            const Tensor e = v_->forward(tanh(q + c));                          // (B, T, S, 1)
            return e.reshape({query.size(0), query.size(1), memory.size(1)});   // (B, T, S)
        }
    }
    return {};
}

Tensor GlobalAttention::forward(const Tensor& query, const Tensor& memory, const Tensor& key_padding_mask) {
    const int64_t H = options_.hidden_size;
    if (query.dim() != 3 || memory.dim() != 3 || query.size(2) != H || memory.size(2) != H || query.size(0) != memory.size(0))
        throw std::invalid_argument(fmt::format(
            "GlobalAttention: query must be (B, T, {}) and memory (B, S, {}), got {} and {}", H, H,
            shape_string(query.shape()), shape_string(memory.shape())));
    if (key_padding_mask.defined() &&
        (key_padding_mask.dtype() != DType::Bool || key_padding_mask.shape() != Shape{memory.size(0), memory.size(1)}))
        throw std::invalid_argument(fmt::format("GlobalAttention: key_padding_mask must be bool {}, got {} {}",
                                                shape_string({memory.size(0), memory.size(1)}),
                                                dtype_name(key_padding_mask.dtype()), shape_string(key_padding_mask.shape())));
    const Tensor blocked = key_padding_mask.defined() ? unsqueeze(key_padding_mask, 1) : Tensor();  // (B, 1, S)
    const Tensor weights = masked_softmax(scores(query, memory), blocked);                          // (B, T, S)
    remember_weights(weights);
    const Tensor context = matmul(weights, memory);                                // (B, T, H)
    return tanh(linear_out_->forward(concat({context, query}, 2)));              // (B, T, H)
}

}  // namespace tapegrad::nn
