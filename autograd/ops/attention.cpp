// fused_attention: softmax(Q Kᵀ · scale, mask) → dropout → · V as one recorded op.
#include <stdexcept>

#include "autograd/ops/matmul.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {

// Shapes: query (B.., T, D), key (B.., S, D), value (B.., S, Dv); weights W, dropped P (B.., T, S).
// Forward: W = masked_softmax(Q Kᵀ, mask, scale), P = W ⊙ keep / (1 − p), out = P V.
// Backward, with dO = dL/dout:
//   dP = dO Vᵀ,  dV = Pᵀ dO,  dW = dP ⊙ keep / (1 − p),  dZ = scale · W ⊙ (dW − Σ_s dW·W)  (Z = Q Kᵀ),
//   dQ = dZ K,   dK = dZᵀ Q.
// P is recomputed from W and the mask in the backward instead of being kept, and the scores Z are never
// kept: the composed form holds both (B.., T, S) tensors alive until backward.
AttentionOutput fused_attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& blocked,
                                double scale, double dropout_p, Generator* generator) {
    if (!(dropout_p >= 0 && dropout_p < 1))
        throw std::invalid_argument(fmt::format("fused_attention: dropout_p must be in [0, 1), got {}", dropout_p));
    if (dropout_p > 0 && generator == nullptr)
        throw std::invalid_argument("fused_attention: dropout needs a Generator");
    require_floating(query, "fused_attention");
    Tensor weights, keep, output;
    {
        NoGradGuard no_grad;  // the pieces are internal; the op records one backward for all of them
        weights = masked_softmax(matmul(query, transpose(key, -2, -1)), blocked, scale);  // (B.., T, S)
        Tensor dropped = weights;
        if (dropout_p > 0) {
            keep = dropout_keep_mask(weights.shape(), dropout_p, *generator);
            dropped = apply_dropout_mask(weights, keep, 1.0 / (1 - dropout_p));
        }
        output = matmul(dropped, value);  // (B.., T, Dv)
    }
    record("fused_attention", {query, key, value}, output,
           [query, key, value, weights, keep, scale, dropout_p](const Tensor& dout) {
        const double survivor_scale = keep.defined() ? 1.0 / (1 - dropout_p) : 1.0;
        const Tensor dropped = keep.defined() ? apply_dropout_mask(weights, keep, survivor_scale) : weights;
        if (value.requires_grad()) accumulate_grad(value, matmul(transpose(dropped, -2, -1), dout));
        if (!query.requires_grad() && !key.requires_grad()) return;
        Tensor dweights = matmul(dout, transpose(value, -2, -1));  // dP, then dW
        if (keep.defined()) dweights = apply_dropout_mask(dweights, keep, survivor_scale);
        const Tensor dscores = masked_softmax_backward(weights, dweights, scale);  // dZ
        if (query.requires_grad()) accumulate_grad(query, matmul(dscores, key));
        if (key.requires_grad()) accumulate_grad(key, matmul(transpose(dscores, -2, -1), query));
    });
    return {output, weights};
}

}  // namespace tapegrad
