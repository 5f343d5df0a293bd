// The functional ops neural networks are built from: softmax, losses, normalisation, dropout.
#pragma once

#include "autograd/tensor.h"
#include "base/generator.h"

namespace tapegrad {

// softmax along axis, computed as exp(x - max) / Σ exp(x - max) so it never overflows.
// Rows that are entirely -inf (fully masked) give 0, not NaN.
Tensor softmax(const Tensor& x, int64_t axis);
// log softmax = x - logsumexp(x), fused for stability.
Tensor log_softmax(const Tensor& x, int64_t axis);

// Attention's softmax, fused: softmax(scale · x) along the last axis with the entries where `blocked` is
// true left out (weight exactly 0); a row with every entry blocked is all zeros (and passes no gradient).
// blocked is a bool mask broadcastable to x (true = blocked), or undefined for none. The same as
// softmax(masked_fill(x * scale, blocked, -inf), -1) in one pass instead of three.
Tensor masked_softmax(const Tensor& x, const Tensor& blocked, double scale = 1.0);
// Its backward: d/dx given the weights it returned (contiguous) and d/dweights, s ⊙ (ds − Σ ds·s) · scale.
Tensor masked_softmax_backward(const Tensor& weights, const Tensor& dweights, double scale);

// Scaled dot-product attention as one recorded op: weights = masked_softmax(query keyᵀ, blocked, scale),
// dropped = dropout(weights, dropout_p) (none when dropout_p is 0), output = dropped value. Shapes as
// nn::scaled_dot_product_attention: query (B.., T, D), key (B.., S, D), value (B.., S, Dv), blocked bool
// broadcastable to (B.., T, S) or undefined. The same numbers as the composition (and the same generator
// draws), but only the weights and a byte per dropout decision are kept for backward — not the scores
// nor the dropped weights. The returned weights carry no gradient: when they must, compose.
struct AttentionOutput {
    Tensor output;   // (B.., T, Dv)
    Tensor weights;  // (B.., T, S), before dropout; not differentiable
};
AttentionOutput fused_attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& blocked,
                                double scale, double dropout_p, Generator* generator);

enum class Reduction { None, Mean, Sum };

struct CrossEntropyOptions {
    int64_t ignore_index = -100;   // targets equal to this contribute no loss and no gradient
    double label_smoothing = 0.0;  // in [0, 1): the target distribution is (1-ε)·onehot + ε/C
    Reduction reduction = Reduction::Mean;  // Mean divides by the number of non-ignored targets
};
// logits (N, C) or (N, C, d1, ...) with targets int64 (N) or (N, d1, ...), as torch's cross_entropy.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options = {});

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// Normalises over the trailing dimensions given by normalized_shape, then scales and shifts:
// y = (x - mean) / sqrt(var + eps) * weight + bias. weight and bias may be undefined.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps = 1e-5);

// Zeroes each element with probability p and scales the rest by 1/(1-p); identity when !training.
Tensor dropout(const Tensor& x, double p, bool training, Generator& generator);
// The keep mask (bool, true = kept) that dropout(x, p, true, generator) draws for a tensor of this shape,
// drawing the same numbers; 0 < p < 1.
Tensor dropout_keep_mask(const Shape& shape, double p, Generator& generator);
// x ⊙ keep · scale (keep bool, x's shape), not recorded: dropout's arithmetic, for fused ops that apply a
// mask from dropout_keep_mask and must match dropout to the bit.
Tensor apply_dropout_mask(const Tensor& x, const Tensor& keep, double scale);
// residual + dropout(x, p, training, generator) in one pass, as a Transformer sublayer's output joins the
// residual stream: the same result and the same generator draws as the composition, keeping only the
// dropout mask for backward (not the dropped tensor). residual and x must have the same shape.
Tensor dropout_add(const Tensor& residual, const Tensor& x, double p, bool training, Generator& generator);
// dropout(relu(x), ...) in one pass, as the feed-forward block applies them: the same mask from the same
// generator draws, so the result equals the composition; one byte per element is kept for backward
// instead of relu's output and dropout's mask.
Tensor relu_dropout(const Tensor& x, double p, bool training, Generator& generator);

}  // namespace tapegrad
