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

// Attention: weights = softmax(query · keyᵀ · scale + mask), output = dropout(weights) · value.
//   query (B.., T, D), key (B.., S, D), value (B.., S, Dv); batch axes broadcast as in matmul.
//   mask: undefined, bool (true = blocked) or floating (additive), broadcastable to the scores (B.., T, S).
// A query whose every key is blocked gets weights 0, output 0 and gradient 0 — never NaN.
// Two implementations (autograd/ops/attention.cpp): the composition of matmul, masked_softmax (softmax for an
// additive mask), dropout and matmul, and a fused op that takes one (batch, head) problem at a time through
// all of it while it is in cache — the same numbers and the same generator draws, but it keeps only the
// weights and a byte per dropout decision for backward, and its weights carry no gradient. The fused op
// runs when weights_need_grad is false and the mask is bool or undefined, unless TAPEGRAD_KERNELS=reference.
struct AttentionOptions {
    double scale = 1.0;                // multiplies query · keyᵀ (1/√D in scaled dot-product attention)
    double dropout_p = 0.0;            // probability of zeroing each weight, in [0, 1], when training
    bool training = true;              // dropout acts in training only, as dropout()
    Generator* generator = nullptr;    // the dropout masks' source; needed when dropout acts
    bool weights_need_grad = true;     // false: nobody differentiates the weights, so the fused op may run
    const char* caller = "attention";  // names the caller in error messages: "MultiHeadAttention"
};
struct AttentionOutput {
    Tensor output;   // (B.., T, Dv)
    Tensor weights;  // (B.., T, S), before dropout (what a heat-map shows)
};
AttentionOutput attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask = {},
                          const AttentionOptions& options = {});

// The checks attention() makes, for a module that takes query, key and value from its caller and wants
// them checked before it transforms them: query (B.., T, D), key (B.., S, D), value (B.., S, Dv) of one
// floating dtype with broadcastable batch axes, and a mask (bool or floating, or undefined) broadcastable
// to the scores (B.., T, S). Returns the scores' shape (B.., T, S). Throws std::invalid_argument that
// starts with `caller` and names the shapes or dtypes at fault.
Shape check_attention_inputs(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask,
                             const char* caller);

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
