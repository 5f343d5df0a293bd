// scaled_dot_product_attention and the mask helpers, composed from tapegrad ops (no backward of their
// own: matmul, masked_softmax (or softmax for additive masks) and dropout each carry theirs).
#include "nn/attention.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/matmul.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/shape_ops.h"
#include "kernels/kernel_mode.h"

namespace tapegrad::nn {
namespace {

constexpr double kBlocked = -std::numeric_limits<double>::infinity();

Shape batch_axes(const Tensor& x) { return Shape(x.shape().begin(), x.shape().end() - 2); }

void check_inputs(const Tensor& query, const Tensor& key, const Tensor& value) {
    constexpr const char* op = "scaled_dot_product_attention";
    if (!query.defined() || !key.defined() || !value.defined())
        throw std::invalid_argument(fmt::format("{}: query, key and value must all be defined", op));
    if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2)
        throw std::invalid_argument(fmt::format(
            "{}: query (B.., T, D), key (B.., S, D) and value (B.., S, Dv) need at least 2 axes, got {}, {}, {}", op,
            shape_string(query.shape()), shape_string(key.shape()), shape_string(value.shape())));
    if (query.size(-1) != key.size(-1))
        throw std::invalid_argument(fmt::format("{}: query (B.., T, D) and key (B.., S, D) must share D, got {} and {}",
                                                op, shape_string(query.shape()), shape_string(key.shape())));
    if (key.size(-2) != value.size(-2))
        throw std::invalid_argument(fmt::format("{}: key (B.., S, D) and value (B.., S, Dv) must share S, got {} and {}",
                                                op, shape_string(key.shape()), shape_string(value.shape())));
    if (!is_floating(query.dtype()) || key.dtype() != query.dtype() || value.dtype() != query.dtype())
        throw std::invalid_argument(fmt::format("{}: query, key and value must share a floating dtype, got {}, {}, {}",
                                                op, dtype_name(query.dtype()), dtype_name(key.dtype()),
                                                dtype_name(value.dtype())));
    broadcast_shapes(broadcast_shapes(batch_axes(query), batch_axes(key), op), batch_axes(value), op);
}

void check_mask_shape(const Shape& scores_shape, const Tensor& mask) {
    if (mask.defined() && broadcast_shapes(mask.shape(), scores_shape, "scaled_dot_product_attention") != scores_shape)
        throw std::invalid_argument(fmt::format(
            "scaled_dot_product_attention: mask {} must broadcast to the scores (B.., T, S) {}",
            shape_string(mask.shape()), shape_string(scores_shape)));
}

// scores + mask, with the one mask semantics: bool blocks where true, float adds.
Tensor apply_mask(const Tensor& scores, const Tensor& mask) {
    if (!mask.defined()) return scores;
    check_mask_shape(scores.shape(), mask);
    if (mask.dtype() == DType::Bool) return masked_fill(scores, mask, kBlocked);
    if (!is_floating(mask.dtype()))
        throw std::invalid_argument(fmt::format(
            "scaled_dot_product_attention: mask must be bool (true = blocked) or floating (additive), got {}",
            dtype_name(mask.dtype())));
    return scores + mask.to(scores.dtype());
}

}  // namespace

AttentionResult scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                             const Tensor& mask, double dropout_p, bool training,
                                             Generator* generator, bool weights_need_grad) {
    check_inputs(query, key, value);
    if (!(dropout_p >= 0 && dropout_p <= 1))
        throw std::invalid_argument(
            fmt::format("scaled_dot_product_attention: dropout_p must be in [0, 1], got {}", dropout_p));
    const bool use_dropout = training && dropout_p > 0;
    if (use_dropout && generator == nullptr)
        throw std::invalid_argument("scaled_dot_product_attention: dropout in training needs a Generator");

    // How well each key matches each query. Dividing by √D keeps the scores' variance near 1 whatever
    // the head size (a dot product of D unit-variance terms has variance D), so the softmax does not
    // saturate into a one-hot with vanishing gradients (Vaswani et al., 2017, §3.2.1).
    const double scale = 1.0 / std::sqrt(static_cast<double>(query.size(-1)));
    // The three lines below as one op, when nobody needs the weights' gradient: identical results.
    const bool composed = kernels::kernel_mode() == kernels::KernelMode::Reference;
    if (!weights_need_grad && !composed && (!mask.defined() || mask.dtype() == DType::Bool)) {
        Shape scores_shape = broadcast_shapes(batch_axes(query), batch_axes(key), "scaled_dot_product_attention");
        scores_shape.insert(scores_shape.end(), {query.size(-2), key.size(-2)});
        check_mask_shape(scores_shape, mask);
        const AttentionOutput fused = fused_attention(query, key, value, mask, scale, use_dropout ? dropout_p : 0.0, generator);
        return {fused.output, fused.weights};
    }
    const Tensor scores = matmul(query, transpose(key, -2, -1));  // (B.., T, S), before the 1/√D scale

    // Each row a distribution over the keys. Blocked pairs get exactly 0; a row with every key blocked
    // gets 0 everywhere, hence output 0 and, since the softmax backward is s ⊙ (ds − Σ ds·s) with s = 0,
    // gradient 0 — no NaN anywhere. A bool mask (or none) goes to the fused masked_softmax, which
    // scales, masks and normalises in one pass; an additive float mask is added to the scaled scores.
    // TAPEGRAD_KERNELS=reference takes the composed path for bool masks too: masked_fill, then softmax.
    Tensor weights;  // (B.., T, S)
    if ((mask.defined() && mask.dtype() != DType::Bool) || composed) {
        weights = softmax(apply_mask(scores * scale, mask), -1);
    } else {
        check_mask_shape(scores.shape(), mask);
        weights = masked_softmax(scores, mask, scale);
    }

    // Dropout on the weights (as torch.nn.MultiheadAttention) randomly hides keys during training.
    const Tensor mixing = use_dropout ? dropout(weights, dropout_p, true, *generator) : weights;  // (B.., T, S)

    // The output for each query is the weighted sum of the values: Σ_s weights[t, s] · value[s].
    Tensor output = matmul(mixing, value);  // (B.., T, Dv)
    return {output, weights};
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
