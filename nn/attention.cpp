// scaled_dot_product_attention and the mask helpers. The formula itself is one op,
// tapegrad::attention (autograd/ops/attention.cpp), written there step by step with the fused
// version beside it.
#include "nn/attention.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/shape_ops.h"

namespace tapegrad::nn {
namespace {
constexpr double kBlocked = -std::numeric_limits<double>::infinity();
}  // namespace

AttentionResult scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                             const Tensor& mask, double dropout_p, bool training,
                                             Generator* generator, bool weights_need_grad) {
    // How well each key matches each query: the dot product q·k. Dividing by √D keeps the scores' variance
    // near 1 whatever the head size (a dot product of D unit-variance terms has variance D), so the softmax
    // does not saturate into a one-hot with vanishing gradients (Vaswani et al., 2017, §3.2.1).
    const int64_t head_size = query.defined() && query.dim() > 0 ? query.size(-1) : 1;  // D; attention() checks the shapes
    const double scale = 1.0 / std::sqrt(static_cast<double>(head_size));
    // Then, as one op:
    //   scores  = query · keyᵀ · scale + mask   (B.., T, S)  a bool mask blocks (−inf), a float one adds
    //   weights = softmax(scores)               (B.., T, S)  each row a distribution over the keys; a blocked
    //             pair gets exactly 0, and a query with every key blocked gets 0 everywhere, hence output 0
    //             and gradient 0 — never NaN
    //   dropped = dropout(weights)              (B.., T, S)  in training, as torch.nn.MultiheadAttention
    //   output  = dropped · value               (B.., T, Dv) for each query, Σ_s weights[t, s] · value[s]
    const AttentionOutput attended = attention(query, key, value, mask,
                                               {.scale = scale,
                                                .dropout_p = dropout_p,
                                                .training = training,
                                                .generator = generator,
                                                .weights_need_grad = weights_need_grad,
                                                .caller = "scaled_dot_product_attention"});
    return {attended.output, attended.weights};
}

// blocked[i][j] = j > i + (S − T): key j comes after query i's own position.
Tensor causal_mask(int64_t target_length, int64_t source_length) {
    if (source_length < 0) source_length = target_length;
    if (target_length <= 0 || source_length < target_length)
        throw std::invalid_argument(fmt::format(
            "causal_mask: need 0 < target_length <= source_length, got target_length {} and source_length {}",
            target_length, source_length));
    const Tensor query_position = arange(target_length).reshape({target_length, 1}) + (source_length - target_length);
    const Tensor key_position = arange(source_length).reshape({1, source_length});
    return gt(key_position, query_position);  // (T, S)
}

Tensor padding_mask(const Tensor& tokens, int64_t pad_id) {
    if (tokens.dtype() != DType::Int64 || tokens.dim() != 2)
        throw std::invalid_argument(fmt::format("padding_mask: expected int64 tokens (B, S), got {} {}",
                                                dtype_name(tokens.dtype()), shape_string(tokens.shape())));
    return eq(tokens, static_cast<double>(pad_id));  // (B, S)
}

Tensor to_additive_mask(const Tensor& blocked, DType dtype) {
    if (blocked.dtype() != DType::Bool || !is_floating(dtype))
        throw std::invalid_argument(fmt::format("to_additive_mask: expected a bool mask and a floating dtype, got {} -> {}",
                                                dtype_name(blocked.dtype()), dtype_name(dtype)));
    return masked_fill(zeros(blocked.shape(), {.dtype = dtype}), blocked, kBlocked);
}

Tensor combine_masks(const Tensor& attn_mask, const Tensor& key_padding_mask, const char* module) {
    Tensor per_query;  // (T, S) or (B|1, H|1, T, S)
    if (attn_mask.defined()) {
        if (attn_mask.dim() != 2 && attn_mask.dim() != 4)
            throw std::invalid_argument(fmt::format(
                "{}: attn_mask must be (T, S) or (B|1, H|1, T, S), got {} (for a per-sequence mask use (B, 1, T, S))",
                module, shape_string(attn_mask.shape())));
        per_query = attn_mask;
    }
    Tensor per_key;  // (B, 1, 1, S): the same blocked keys for every head and query
    if (key_padding_mask.defined()) {
        if (key_padding_mask.dim() != 2)
            throw std::invalid_argument(fmt::format("{}: key_padding_mask must be (B, S), got {}", module,
                                                    shape_string(key_padding_mask.shape())));
        per_key = key_padding_mask.reshape({key_padding_mask.size(0), 1, 1, key_padding_mask.size(1)});
    }
    if (!per_query.defined()) return per_key;
    if (!per_key.defined()) return per_query;
    if (per_query.size(-1) != per_key.size(-1))
        throw std::invalid_argument(fmt::format("{}: attn_mask {} and key_padding_mask {} disagree on S", module,
                                                shape_string(attn_mask.shape()), shape_string(key_padding_mask.shape())));
    if (per_query.dtype() == DType::Bool && per_key.dtype() == DType::Bool)
        return logical_or(per_query, per_key);  // blocked if either says so
    // At least one is additive: turn the other additive too, in the float one's dtype, and add.
    const DType dtype = per_query.dtype() == DType::Bool ? per_key.dtype() : per_query.dtype();
    auto additive = [dtype](const Tensor& mask) {
        return mask.dtype() == DType::Bool ? to_additive_mask(mask, dtype) : mask.to(dtype);
    };
    return additive(per_query) + additive(per_key);
}

}  // namespace tapegrad::nn
